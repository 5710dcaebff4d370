"""Chat events over the channel layer (in memory embedded, Redis in production).

Groups: ``chat-<id>`` (every connection of one chat: the child, the counsellor, a watching
supervisor), ``chat-queue`` (children still waiting: their place changed) and the inbox's own
group (staff: the list of waiting chats changed, ``{"type": "chat"}``; no personal data).
Everything here is sent after the writing transaction commits, and a failure to send never fails
a write: a browser that missed an event finds the stored messages when it asks again.
"""

from __future__ import annotations

from smartsafe.inbox import live as inbox_live

QUEUE_GROUP = "chat-queue"
EVENT_TYPE = "chat.event"


def session_group(session_id: int) -> str:
    return f"chat-{int(session_id)}"


def send_on_commit(group: str, payload: dict) -> None:
    """After commit, to the chat consumers in ``group``; never fails the write (inbox/live.py)."""
    inbox_live.send_on_commit(group, payload, event_type=EVENT_TYPE)


def to_session(session, payload: dict) -> None:
    send_on_commit(session_group(session.pk), payload)


def queue_changed() -> None:
    """Waiting children recompute their place; open inboxes reload the waiting list."""
    send_on_commit(QUEUE_GROUP, {"type": "queue_changed"})
    inbox_live.send_on_commit(inbox_live.INBOX_GROUP, {"type": "chat"})
