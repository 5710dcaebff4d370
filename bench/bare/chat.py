"""The baseline of bench/chat_delivery.py: a bare echo consumer, served the same way (uvicorn, the
same channel layer). ``hello`` joins the chat's group, ``message`` is sent to the group as it came:
no database, no permission, no audit, no parsing beyond JSON. What the platform's chat does beyond
that (store the message first, check who may write, audit) is its own cost.

Settings and ASGI application in one module: ``DJANGO_SETTINGS_MODULE=bare.chat``,
``app="bare.chat:application"``.
"""

import json
import os

SECRET_KEY = "bench-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["channels"]
MIDDLEWARE = []
ROOT_URLCONF = "bare.chat"
USE_TZ = True
DATABASES = {}
_redis = os.environ.get("SMARTSAFE_REDIS_URL", "")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [_redis], "prefix": os.environ.get("SMARTSAFE_CHANNELS_PREFIX", "asgi")},
    }
    if _redis
    else {"BACKEND": "channels.layers.InMemoryChannelLayer"}
}

from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def ready(request):
    return HttpResponse("ok")


urlpatterns = [path("public/", ready)]

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.chat")
from django.core.asgi import get_asgi_application  # noqa: E402

_http = get_asgi_application()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402


class EchoConsumer(AsyncWebsocketConsumer):
    group = None

    async def receive(self, text_data=None, bytes_data=None):
        frame = json.loads(text_data)
        if frame.get("type") == "hello":
            self.group = f"chat-{int(frame['session'])}"
            await self.channel_layer.group_add(self.group, self.channel_name)
            await self.send(text_data=json.dumps({"type": "state"}))
        elif frame.get("type") == "message" and self.group:
            await self.channel_layer.group_send(self.group, {"type": "chat.event", "payload": frame})

    async def chat_event(self, event):
        await self.send(text_data=json.dumps({**event["payload"], "sender": "child"}))

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)


application = ProtocolTypeRouter(
    {"http": _http, "websocket": URLRouter([path("ws/chat/", EchoConsumer.as_asgi())])}
)
