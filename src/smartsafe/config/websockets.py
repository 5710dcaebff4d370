"""Websocket routes, collected from the apps that have consumers."""

websocket_urlpatterns: list = []
