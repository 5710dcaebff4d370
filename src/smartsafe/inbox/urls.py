from django.urls import path

from . import views, views_calls, webhooks

app_name = "inbox"

urlpatterns = [
    path("contacts/<int:contact_pk>/reply/", views.reply, name="reply"),
    path("replies/<int:pk>/retry/", views.retry, name="retry"),
    path("webhooks/<str:token>/", webhooks.receive, name="webhook"),
    path("callbacks/", views_calls.callbacks, name="callbacks"),
]
