"""Deadlines for an institution's answer: acknowledge, respond, and when to escalate.

Policies are data (``DeadlinePolicy``, editable in the admin) per institution type and urgency,
looked up most specific first: (type, urgent) → (any type, urgent) → the built-in defaults below.

Working days are Monday to Friday in the centre's time zone (``TIME_ZONE``), less the country's
public holidays and the centre's own closures (``core/calendar.py``). A duration counted in
working days adds its whole days as working days and its hours on top; a start on a day off
counts from the beginning of the next working day, so "1 working day" from a Saturday ends with
Monday (or Tuesday, when Monday is a holiday). Both deadlines are measured from the moment the
referral is sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from smartsafe.core import calendar

from .models import DeadlinePolicy, ReferralState


@dataclass(frozen=True)
class Policy:
    acknowledge_within: dt.timedelta
    acknowledge_in_working_days: bool
    respond_within: dt.timedelta
    respond_in_working_days: bool
    escalate_after: dt.timedelta


# Used when the database has no policy at all (the data migration ships editable rows).
BUILT_IN = {
    False: Policy(dt.timedelta(days=1), True, dt.timedelta(days=10), True, dt.timedelta(days=2)),
    # A child in immediate danger: an hour to acknowledge, a day to act, around the clock.
    True: Policy(dt.timedelta(hours=1), False, dt.timedelta(days=1), False, dt.timedelta(hours=2)),
}


def _from_row(row: DeadlinePolicy) -> Policy:
    return Policy(
        row.acknowledge_within,
        row.acknowledge_in_working_days,
        row.respond_within,
        row.respond_in_working_days,
        row.escalate_after,
    )


def policy_for(institution_kind: str, urgent: bool) -> Policy:
    rows = {
        row.institution_kind: row
        for row in DeadlinePolicy.objects.filter(
            institution_kind__in=[institution_kind or "", ""], urgent=bool(urgent)
        )
    }
    row = rows.get(institution_kind or "") or rows.get("")
    return _from_row(row) if row is not None else BUILT_IN[bool(urgent)]


def _next_working_day_start(moment: dt.datetime) -> dt.datetime:
    day = moment.date() + dt.timedelta(days=1)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), moment.tzinfo)


def add_duration(start: dt.datetime, duration: dt.timedelta, *, working_days: bool) -> dt.datetime:
    """``start`` + ``duration``; with ``working_days`` the whole days skip weekends and holidays."""
    if not working_days:
        return start + duration
    local = timezone.localtime(start)
    if not calendar.is_working_day(local.date()):
        local = _next_working_day_start(local)
    remaining = duration.days
    # Calendar arithmetic on the local wall clock (a day is a day across a DST change).
    wall = local.replace(tzinfo=None)
    while remaining > 0:
        wall += dt.timedelta(days=1)
        if calendar.is_working_day(wall.date()):
            remaining -= 1
    wall += dt.timedelta(seconds=duration.seconds, microseconds=duration.microseconds)
    while not calendar.is_working_day(wall.date()):
        wall += dt.timedelta(days=1)
    return timezone.make_aware(wall, local.tzinfo)


def due_dates(institution_kind: str, urgent: bool, sent_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(acknowledge by, respond by) for a referral sent at ``sent_at``."""
    policy = policy_for(institution_kind, urgent)
    return (
        add_duration(sent_at, policy.acknowledge_within, working_days=policy.acknowledge_in_working_days),
        add_duration(sent_at, policy.respond_within, working_days=policy.respond_in_working_days),
    )


def escalate_after(institution_kind: str, urgent: bool) -> dt.timedelta:
    return policy_for(institution_kind, urgent).escalate_after


def current_deadline(referral) -> tuple[str, object]:
    """The deadline the referral's stage runs against: ``("acknowledge", due)`` while it is sent,
    ``("respond", due)`` after."""
    if referral.state == ReferralState.SENT:
        return "acknowledge", referral.acknowledge_due_at
    return "respond", referral.respond_due_at
