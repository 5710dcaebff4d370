"""``/ws/inbox/``: the websocket that carries live inbox updates and screen pops (live.py).

Only a signed-in, active person who works with contacts (counsellor, supervisor, auditor) may
connect; with ``SMARTSAFE_REQUIRE_MFA`` on they must also have their second factor, as on every
page. Anyone else is refused during the handshake (HTTP 403), before any group is joined.

The socket is one-way: the server talks, the browser listens. What the browser sends is ignored,
except ``{"type": "ping"}``, answered with ``{"type": "pong"}`` (live.js keeps proxies from
closing an idle connection).
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from smartsafe.accounts.middleware import has_totp
from smartsafe.intake.permissions import can_read_contacts

from .live import INBOX_GROUP, user_group


def _may_connect(user) -> bool:
    if not can_read_contacts(user):
        return False
    if getattr(settings, "SMARTSAFE_REQUIRE_MFA", True):
        return has_totp(user)
    return True


class InboxConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        self.joined: list[str] = []
        if user is None or not user.is_authenticated or not await database_sync_to_async(_may_connect)(user):
            await self.close()  # before accept: the handshake is refused
            return
        for group in (user_group(user.pk), INBOX_GROUP):
            await self.channel_layer.group_add(group, self.channel_name)
            self.joined.append(group)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data:  # binary frames are not ours to read
            await super().receive(text_data=text_data, **kwargs)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    @classmethod
    async def decode_json(cls, text_data):
        # Whatever a browser sends must never end the connection with an error.
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def inbox_event(self, message):
        await self.send_json(message["payload"])
