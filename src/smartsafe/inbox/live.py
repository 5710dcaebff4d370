"""Live updates to staff browsers over websockets (consumers.py, static/inbox/live.js).

Two kinds of group, joined by every connection of a person who works with contacts:

``inbox``
    Everyone: "a contact arrived or changed" — the browser refreshes its contact list. The message
    carries no personal data (an id and the urgent flag), since every open inbox receives it.
``user-<id>``
    One person: the screen pop of a call they answered.

Messages are sent only after the transaction that caused them commits (a rolled-back write never
reaches a browser), and a failure to send never fails the write: live updates are a convenience,
the lists are always right when reloaded. The channel layer is in memory in embedded mode (one
process) and Redis in production (``SMARTSAFE_REDIS_URL``), so that events written by any web
process or task worker reach every browser.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer
from django.db import transaction

log = logging.getLogger("smartsafe.inbox.live")

INBOX_GROUP = "inbox"
#: The consumer method that relays a message (``type`` "inbox.event" → ``inbox_event``).
EVENT_TYPE = "inbox.event"


def user_group(user_id: int) -> str:
    return f"user-{int(user_id)}"


def send_now(group: str, payload: dict, *, event_type: str = EVENT_TYPE) -> bool:
    """Send ``payload`` to every connection in ``group`` (to the consumer method ``event_type``
    names; the chat's consumers have their own). True if the layer took it."""
    try:
        from channels.layers import get_channel_layer

        layer = get_channel_layer()
        if layer is None:
            return False
        if isinstance(layer, InMemoryChannelLayer) and not layer.groups.get(group):
            # Embedded mode, nobody of this group connected to this process: nothing to deliver,
            # so skip the trip through the event loop (a good part of a report's time otherwise).
            return False
        async_to_sync(layer.group_send)(group, {"type": event_type, "payload": payload})
        return True
    except Exception:  # a live update is never worth a failed request
        log.warning("live update to %s not sent", group, exc_info=True)
        return False


def send_on_commit(group: str, payload: dict, *, event_type: str = EVENT_TYPE) -> None:
    transaction.on_commit(lambda: send_now(group, payload, event_type=event_type), robust=True)


def contact_changed(contact, *, event: str = "contact") -> None:
    """Tell every open inbox that ``contact`` arrived (``event="contact"``) or changed."""
    send_on_commit(INBOX_GROUP, {"type": event, "id": contact.pk, "urgent": bool(contact.urgent)})


def calls_changed() -> None:
    """The call-back list changed (a call was missed, abandoned or called back)."""
    send_on_commit(INBOX_GROUP, {"type": "calls"})


def screen_pop(user_id: int, payload: dict) -> None:
    send_on_commit(user_group(user_id), {"type": "screen_pop", **payload})
