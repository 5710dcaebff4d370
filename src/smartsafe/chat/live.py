"""Chat events over the channel layer (in memory embedded, Redis in production).

Groups: ``chat-<id>`` (every connection of one chat: the child, the counsellor, a watching
supervisor), ``chat-queue`` (children still waiting: their place changed) and the inbox's own
group (staff: the list of waiting chats changed, ``{"type": "chat"}``; no personal data).
Everything here is sent after the writing transaction commits, and a failure to send never fails
a write: a browser that missed an event finds the stored messages when it asks again.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

log = logging.getLogger("smartsafe.chat.live")

QUEUE_GROUP = "chat-queue"
EVENT_TYPE = "chat.event"


def session_group(session_id: int) -> str:
    return f"chat-{int(session_id)}"


def send_now(group: str, payload: dict) -> bool:
    try:
        layer = get_channel_layer()
        if layer is None:
            return False
        if isinstance(layer, InMemoryChannelLayer) and not layer.groups.get(group):
            return False
        async_to_sync(layer.group_send)(group, {"type": EVENT_TYPE, "payload": payload})
        return True
    except Exception:  # a live event is never worth a failed write
        log.warning("chat event to %s not sent", group, exc_info=True)
        return False


def send_on_commit(group: str, payload: dict) -> None:
    transaction.on_commit(lambda: send_now(group, payload), robust=True)


def to_session(session, payload: dict) -> None:
    send_on_commit(session_group(session.pk), payload)


def queue_changed() -> None:
    """Waiting children recompute their place; open inboxes reload the waiting list."""
    send_on_commit(QUEUE_GROUP, {"type": "queue_changed"})
    try:
        from smartsafe.inbox import live as inbox_live
    except ImportError:  # pragma: no cover - the inbox app is always installed
        return
    inbox_live.send_on_commit(inbox_live.INBOX_GROUP, {"type": "chat"})
