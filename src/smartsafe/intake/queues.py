"""The inbox's queues: where a counsellor starts work, each read straight off an index.

- **All** (the default): every contact, newest first. An urgent contact carries its badge, but a
  months-old urgent one no longer sits above today's reports: urgency has its own queue.
- **New**: not yet triaged; the urgent ones first, then the longest waiting.
- **Waiting for me**: open contacts (new or triaged) assigned to me; urgent first, longest waiting.
- **Unread today**: open contacts that arrived since midnight (the centre's time) and nobody has
  opened yet.
- **Urgent**: open contacts flagged as a child in immediate danger, the longest waiting first.

Each queue is read off an index of ``intake.Contact``, so it costs the same at a million contacts
as at a hundred. The two that can hold any number of rows (All, New) walk an index in their own
order (named in ``index``) and stop after a page; the others narrow by an indexed column to a
small set first (one counsellor's open contacts, today's, the open urgent ones) and sort that.
A test on PostgreSQL reads each plan.
The count on each tab stops at ``TAB_CAP``: it is an index walk of at most that many entries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ContactState

OPEN_STATES = (ContactState.NEW, ContactState.TRIAGED)
TAB_CAP = 99


def _midnight() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Queue:
    code: str
    label: str
    description: str
    narrow: Callable  # (queryset, user) -> queryset
    order: tuple[str, ...]
    index: str  # the index in the queue's order; "" for a small set sorted after an index scan
    counted: bool = True  # whether its tab shows a count

    def apply(self, queryset, user):
        return self.narrow(queryset, user).order_by(*self.order)


QUEUES: dict[str, Queue] = {
    queue.code: queue
    for queue in (
        Queue(
            "all",
            _("All"),
            _("Every contact, the newest first."),
            lambda qs, user: qs,
            ("-received_at", "-pk"),
            "contact_recent_order",
            counted=False,
        ),
        Queue(
            "new",
            _("New"),
            _("Not yet triaged: the urgent ones first, then the longest waiting."),
            lambda qs, user: qs.filter(state=ContactState.NEW),
            ("-urgent", "received_at", "pk"),
            "contact_queue_new",
        ),
        Queue(
            "mine",
            _("Waiting for me"),
            _("Open contacts assigned to you: the urgent ones first, then the longest waiting."),
            lambda qs, user: qs.filter(assigned_to=user, state__in=OPEN_STATES),
            ("-urgent", "received_at", "pk"),
            "",
        ),
        Queue(
            "unread_today",
            _("Unread today"),
            _("Arrived today, still open and not opened by anyone yet, the newest first."),
            lambda qs, user: qs.filter(received_at__gte=_midnight(), state__in=OPEN_STATES, is_unread=True),
            ("-received_at", "-pk"),
            "",
        ),
        Queue(
            "urgent",
            _("Urgent"),
            _("Open contacts about a child in immediate danger, the longest waiting first."),
            lambda qs, user: qs.filter(urgent=True, state__in=OPEN_STATES),
            ("received_at", "pk"),
            "",
        ),
    )
}
DEFAULT = "all"


def chosen(raw) -> Queue:
    return QUEUES.get(str(raw or ""), QUEUES[DEFAULT])


def tabs(queryset, user, current: Queue) -> list[dict]:
    """The queue tabs with their counts (each up to ``TAB_CAP``, then "99+")."""
    rows = []
    for queue in QUEUES.values():
        count = None
        if queue.counted:
            found = len(queue.apply(queryset, user).values_list("pk", flat=True)[: TAB_CAP + 1])
            count = f"{TAB_CAP}+" if found > TAB_CAP else str(found)
        rows.append({"queue": queue, "count": count, "current": queue.code == current.code})
    return rows
