"""Websocket routes, collected from the apps that have consumers."""

from django.urls import path

from smartsafe.chat.consumers import ChatConsumer
from smartsafe.inbox.consumers import InboxConsumer

websocket_urlpatterns: list = [
    path("ws/inbox/", InboxConsumer.as_asgi()),
    path("ws/chat/", ChatConsumer.as_asgi()),
]
