"""The phone line's writes: exchange events folded into calls, the call form's contact, call-backs.

What each exchange event does to a call is drawn in docs/state-machines.md ("Call") and tabled in
docs/telephony.md; identity, screen pops and the call-back list are read in ``inbox/telephony.py``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.intake import actions as intake_actions
from smartsafe.intake.models import Contact
from smartsafe.intake.permissions import can_log_contacts

from .. import live, telephony
from ..models import Call, CallState


def _lock(call_id: str, at: dt.datetime) -> tuple[Call, bool]:
    call = Call.objects.select_for_update().filter(call_id=call_id).first()
    if call is not None:
        return call, False
    try:
        with transaction.atomic():
            return Call.objects.create(call_id=call_id, started_at=at), True
    except IntegrityError:  # the same call created by a concurrent event: take that one
        return Call.objects.select_for_update().get(call_id=call_id), False


def _seconds(start, end) -> int:
    return max(0, int((end - start).total_seconds()))


@transaction.atomic
def record_event(
    *,
    actor,
    call_id: str,
    event: str,
    caller: str = "",
    line: str = "",
    extension: str = "",
    username: str = "",
    at: dt.datetime | None = None,
    reason: str = "",
) -> tuple[Call, bool]:
    """Fold one exchange event into its call. Returns ``(call, changed)``; see the module's table.

    ``at`` is when it happened at the exchange (default: now); ``actor`` the exchange's service
    account, for the audit log. Invalid input raises ValidationError naming the field.
    """
    if not isinstance(call_id, str) or not telephony.CALL_ID.match(call_id):
        raise ValidationError({"call_id": _("Give the exchange's call id: letters, digits and . _ : @ -.")})
    if event not in telephony.EVENTS:
        raise ValidationError({"event": _("The event must be ringing, answered or hung_up.")})
    if reason not in telephony.HANGUP_REASONS:
        raise ValidationError({"reason": _("Unknown hang-up reason.")})
    explicit_time = at is not None
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValidationError({"at": _("Give the time with its time zone.")})
    caller_hash, caller_hint = telephony.caller_identity(caller)

    call, created = _lock(call_id, at)
    before = (call.state, call.answered_by_id)
    changed = created
    if caller_hash and not call.caller_hash:
        call.caller_hash, call.caller_hint, changed = caller_hash, caller_hint, True
    if line and not call.line:
        call.line, changed = line[:32], True
    if at < call.started_at and not call.is_over:
        call.started_at, changed = at, True  # an earlier event arrived late

    pop = False
    if event == "answered":
        user = telephony.answerer(extension=extension, username=username)
        if call.state == CallState.RINGING:
            call.state, call.answered_at, call.answered_by = (
                CallState.ANSWERED,
                max(at, call.started_at),
                user,
            )
            call.extension = extension[:20]
            changed, pop = True, user is not None
        elif call.state == CallState.ANSWERED and user is not None and user.pk != call.answered_by_id:
            call.answered_by, call.extension = user, extension[:20]  # transferred
            changed, pop = True, True
        elif call.state in telephony.UNANSWERED and explicit_time and call.ended_at and at <= call.ended_at:
            # The answer happened before the hang-up but was reported after it.
            call.state, call.answered_at, call.answered_by = (
                CallState.COMPLETED,
                max(at, call.started_at),
                user,
            )
            call.extension = extension[:20]
            call.duration_seconds = _seconds(call.answered_at, call.ended_at)
            call.hangup_reason = ""
            changed = True
    elif event == "hung_up":
        if call.state == CallState.RINGING:
            call.state = CallState.ABANDONED if reason == "caller_hangup" else CallState.MISSED
            call.ended_at, call.hangup_reason = max(at, call.started_at), reason
            changed = True
        elif call.state == CallState.ANSWERED:
            call.state, call.ended_at = CallState.COMPLETED, max(at, call.answered_at or call.started_at)
            call.duration_seconds = _seconds(call.answered_at or call.started_at, call.ended_at)
            changed = True

    if not changed:
        return call, False
    call.save()
    state_changed = created or (call.state, call.answered_by_id) != before
    if state_changed:
        code = {
            CallState.RINGING: codes.CALL_RINGING,
            CallState.ANSWERED: codes.CALL_ANSWERED,
        }.get(call.state, codes.CALL_ENDED)
        details = {"call_id": call.call_id, "state": call.state, "event": event}
        if call.answered_by_id:
            details["answered_by"] = call.answered_by.get_username()
        earlier = telephony.earlier_contacts(call, call.answered_by) if pop else []
        if pop:
            details["shown"] = [c.reference for c in earlier]  # what the pop showed, to whom
        record(code, actor=actor, obj=call, **details)
        if pop:
            live.screen_pop(call.answered_by_id, telephony.screen_pop_payload(call, earlier))
        if call.state in telephony.UNANSWERED:
            live.calls_changed()
    return call, True


# --- the screen pop -----------------------------------------------------------------------------


@transaction.atomic
def log_call(
    *, actor, call_id: str, channel, topics=(), close: bool = False, duration_typed: bool = False, **fields
) -> Contact:
    """Log the contact of a call: the call form with ``?call=``. The contact starts when the call
    rang, lasts as long as the exchange measured (unless the counsellor typed a duration), carries
    the caller's keyed hash (so the next pop finds it) and is linked to the call."""
    if not can_log_contacts(actor):
        raise PermissionDenied(_("Your role may not log or change contacts."))
    call = Call.objects.select_for_update().filter(call_id=call_id).first()
    if call is None:
        raise ValidationError(_("This call is not known (any more). Remove it and log the call by hand."))
    if call.contact_id:
        raise ValidationError(_("This call was logged already as %(ref)s.") % {"ref": call.contact.reference})
    fields["received_at"] = call.started_at
    if call.state == CallState.COMPLETED and not duration_typed and call.ended_at:
        fields["ended_at"] = call.ended_at
        fields["duration_seconds"] = _seconds(call.started_at, call.ended_at)
    elif fields.get("duration_seconds") is not None:
        fields["ended_at"] = call.started_at + dt.timedelta(seconds=fields["duration_seconds"])
    contact = intake_actions.log_contact(
        actor=actor,
        channel=channel,
        topics=topics,
        close=close,
        sender_hash=call.caller_hash,
        sender_hint=call.caller_hint,
        **fields,
    )
    call.contact = contact
    call.save(update_fields=["contact", "updated_at"])
    record(codes.CALL_LOGGED, actor=actor, obj=call, call_id=call.call_id, contact=contact.reference)
    live.contact_changed(contact)
    return contact


@transaction.atomic
def mark_called_back(*, actor, call: Call, outcome: str) -> list[Call]:
    """Record a call-back. ``reached`` or ``dismissed`` takes the caller's every waiting call off
    the list; ``no_answer`` counts an attempt and keeps them on it. Returns the calls touched."""
    if not can_log_contacts(actor):
        raise PermissionDenied(_("Your role may not call back."))
    if outcome not in telephony.CALLBACK_OUTCOMES:
        raise ValidationError({"outcome": _("Unknown outcome of the call-back.")})
    # Locked without joins: PostgreSQL cannot lock the nullable side of an outer join.
    waiting = Call.objects.filter(
        state__in=telephony.UNANSWERED, callback_done_at__isnull=True
    ).select_for_update()
    if call.caller_hash:
        calls = list(waiting.filter(caller_hash=call.caller_hash))
    else:
        calls = list(waiting.filter(pk=call.pk))
    if not calls:
        raise ValidationError(_("This call is no longer waiting for a call-back."))
    now = timezone.now()
    for each in calls:
        each.callback_attempts = min(each.callback_attempts + 1, 32000)
        if outcome != "no_answer":
            each.callback_done_at, each.callback_done_by = now, actor
        each.save(update_fields=["callback_attempts", "callback_done_at", "callback_done_by", "updated_at"])
    record(
        codes.CALL_CALLBACK,
        actor=actor,
        obj=calls[0],
        result=outcome,
        calls=[c.call_id for c in calls][:50],
    )
    live.calls_changed()
    return calls
