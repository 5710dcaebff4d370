"""The 19833 phone line: call events from the exchange, screen pops, the call-back list.

The exchange (Asterisk, or any other; docs/telephony.md) reports three events per call, keyed by its
own call id: ``ringing``, ``answered`` (by an extension or a user) and ``hung_up``. They may come
twice (a retry) or in the wrong order (two exchange processes racing); ``record_event`` folds each
one into the call's state so that the result is the same whatever the order:

=============  ====================  =================================================================
state          event                 result
=============  ====================  =================================================================
(none)         ringing               ringing
(none)         answered              answered (the ringing was lost); screen pop
(none)         hung_up               missed, or abandoned when the caller hung up
ringing        answered              answered; screen pop to the counsellor who answered
ringing        hung_up               missed, or abandoned when the caller hung up while queued
answered       answered (other user) transferred: answered by the new user; screen pop to them
answered       hung_up               completed, with the talk time
missed/aband.  answered with ``at``  completed, when ``at`` is not after the end (a late answer)
any            the same event again  nothing changes (idempotent)
=============  ====================  =================================================================

The caller's number is never stored: ``caller_identity`` turns it into a keyed hash (HMAC-SHA256
with ``SMARTSAFE_PSEUDONYM_KEY`` of the normalised E.164 number, so ``064 123 4567`` and
``+381641234567`` are the same caller) and its last three digits. Contacts logged for a call carry
the same hash, which is how the screen pop finds the caller's earlier contacts.

A call answered here becomes a contact when the counsellor saves the call form the pop opened
(``log_call``); nothing is written to intake before a person has said what the call was about.
Missed and abandoned calls wait on the call-back list until someone marks them called back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from smartsafe.accounts.roles import CASEWORK_ROLES
from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases.artefacts import ArtefactError, normalize_phone
from smartsafe.intake import actions as intake_actions
from smartsafe.intake.models import Contact
from smartsafe.intake.permissions import can_log_contacts, can_read_contacts

from . import live
from .models import Call, CallState

EVENTS = ("ringing", "answered", "hung_up")
#: Why a call that was never answered ended. ``caller_hangup``: the caller gave up while the call
#: rang or waited in the queue (abandoned); everything else means nobody took it (missed).
HANGUP_REASONS = ("caller_hangup", "no_answer", "busy", "failed", "rejected", "")
CALL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@\-]{0,127}$")
# What exchanges send for a withheld number.
WITHHELD = frozenset({"", "anonymous", "unknown", "restricted", "private", "withheld", "unavailable"})
HINT_DIGITS = 3
EARLIER_SHOWN = 5
OVER = (CallState.COMPLETED, CallState.MISSED, CallState.ABANDONED)
UNANSWERED = (CallState.MISSED, CallState.ABANDONED)


# --- the caller, pseudonymised ----------------------------------------------------------------


def caller_identity(raw: str) -> tuple[str, str]:
    """``(keyed hash, "…567")`` of a caller's number; ``("", "")`` for a withheld one.

    Accepts what exchanges send: ``+381641234567``, ``0641234567``, ``00381…``, ``tel:…`` and
    ``sip:+381…@host``. Anything else is refused with a ValidationError on ``from``.
    """
    text = (raw or "").strip().strip("<>\"' ").strip()
    if text.lower() in WITHHELD:
        return "", ""
    lowered = text.lower()
    for scheme in ("sip:", "sips:", "tel:"):
        if lowered.startswith(scheme):
            text = text[len(scheme) :].split("@", 1)[0].split(";", 1)[0]
            break
    try:
        normalised = normalize_phone(text)  # "phone:+381641234567"
    except ArtefactError:
        raise ValidationError(
            {
                "from": _(
                    "Give the caller's number (digits, optionally with +), or leave it empty when withheld."
                )
            }
        ) from None
    key = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    digest = hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
    return digest, "…" + normalised[-HINT_DIGITS:]


# --- events -------------------------------------------------------------------------------------


def _answerer(*, extension: str, username: str):
    """The counsellor who answered: by user name when the exchange knows it, else by extension.

    An extension shared by several people (a desk phone) names nobody: no pop rather than a pop
    on the wrong screen. Only active people who work with contacts can answer.
    """
    people = get_user_model().objects.filter(is_active=True, role__in=CASEWORK_ROLES)
    if username:
        found = people.filter(username=username).first()
        if found is not None:
            return found
    if extension:
        matches = list(people.filter(phone_extension=extension)[:2])
        if len(matches) == 1:
            return matches[0]
    return None


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
    if not isinstance(call_id, str) or not CALL_ID.match(call_id):
        raise ValidationError({"call_id": _("Give the exchange's call id: letters, digits and . _ : @ -.")})
    if event not in EVENTS:
        raise ValidationError({"event": _("The event must be ringing, answered or hung_up.")})
    if reason not in HANGUP_REASONS:
        raise ValidationError({"reason": _("Unknown hang-up reason.")})
    explicit_time = at is not None
    at = at or timezone.now()
    if timezone.is_naive(at):
        raise ValidationError({"at": _("Give the time with its time zone.")})
    caller_hash, caller_hint = caller_identity(caller)

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
        user = _answerer(extension=extension, username=username)
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
        elif call.state in UNANSWERED and explicit_time and call.ended_at and at <= call.ended_at:
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
        earlier = earlier_contacts(call, call.answered_by) if pop else []
        if pop:
            details["shown"] = [c.reference for c in earlier]  # what the pop showed, to whom
        record(code, actor=actor, obj=call, **details)
        if pop:
            live.screen_pop(call.answered_by_id, screen_pop_payload(call, earlier))
        if call.state in UNANSWERED:
            live.calls_changed()
    return call, True


# --- the screen pop -----------------------------------------------------------------------------


def call_form_url(call: Call) -> str:
    return reverse("intake:new") + "?" + urlencode({"channel": "phone", "call": call.call_id})


def earlier_contacts(call: Call, user, limit: int = EARLIER_SHOWN) -> list[Contact]:
    """The caller's earlier contacts that ``user`` may read, newest first (``limit`` of them)."""
    if not call.caller_hash or user is None or not can_read_contacts(user):
        return []
    from smartsafe.intake.queries import contacts_visible_to

    return list(
        contacts_visible_to(user)
        .filter(sender_hash=call.caller_hash)
        .exclude(calls=call)
        .select_related("case")
        .order_by("-received_at", "-pk")[:limit]
    )


def earlier_count(call: Call, user) -> int:
    if not call.caller_hash or user is None or not can_read_contacts(user):
        return 0
    from smartsafe.intake.queries import contacts_visible_to

    return contacts_visible_to(user).filter(sender_hash=call.caller_hash).exclude(calls=call).count()


def _excerpt(text: str, length: int = 140) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= length else line[:length].rsplit(" ", 1)[0] + "…"


def screen_pop_payload(call: Call, earlier: list[Contact]) -> dict:
    """What the answering counsellor's browser gets: where the call form is and who is calling.

    Sent only to that person's own connections (group ``user-<id>``).
    """
    return {
        "call_id": call.call_id,
        "url": call_form_url(call),
        "caller_hint": call.caller_hint,
        "withheld": not call.caller_hash,
        "earlier_count": earlier_count(call, call.answered_by),
        "earlier": [
            {
                "reference": c.reference,
                "url": reverse("intake:detail", args=[c.pk]),
                "received_at": c.received_at.isoformat(),
                "summary": _excerpt(c.display_subject or c.summary),
                "urgent": c.urgent,
                "case": c.case.reference if c.case_id else None,
            }
            for c in earlier
        ],
    }


# --- the call form ------------------------------------------------------------------------------


def call_for_form(user, call_id: str) -> Call | None:
    """The call a call form was opened for, if ``user`` may log it; None otherwise (the form then
    works as a call logged by hand)."""
    if not call_id or not can_log_contacts(user) or not CALL_ID.match(call_id):
        return None
    return Call.objects.select_related("contact", "answered_by").filter(call_id=call_id).first()


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


# --- the call-back list -------------------------------------------------------------------------


def callback_queue():
    """Missed and abandoned calls nobody has called back yet, newest first."""
    return (
        Call.objects.filter(state__in=UNANSWERED, callback_done_at__isnull=True)
        .select_related("contact")
        .order_by("-started_at", "-pk")
    )


def callback_rows(limit: int = 300) -> list[dict]:
    """The call-back list, one row per caller: their calls, the latest first, and how many times
    they tried. Withheld numbers cannot be called back; each is its own row, to be dismissed."""
    rows: dict[str, dict] = {}
    for call in callback_queue()[:limit]:
        key = call.caller_hash or f"call:{call.pk}"
        row = rows.get(key)
        if row is None:
            row = rows[key] = {"call": call, "calls": [], "attempts": 0, "callback_attempts": 0}
        row["calls"].append(call)
        row["attempts"] += 1
        row["callback_attempts"] = max(row["callback_attempts"], call.callback_attempts)
    return list(rows.values())


CALLBACK_OUTCOMES = ("reached", "no_answer", "dismissed")


@transaction.atomic
def mark_called_back(*, actor, call: Call, outcome: str) -> list[Call]:
    """Record a call-back. ``reached`` or ``dismissed`` takes the caller's every waiting call off
    the list; ``no_answer`` counts an attempt and keeps them on it. Returns the calls touched."""
    if not can_log_contacts(actor):
        raise PermissionDenied(_("Your role may not call back."))
    if outcome not in CALLBACK_OUTCOMES:
        raise ValidationError({"outcome": _("Unknown outcome of the call-back.")})
    # Locked without joins: PostgreSQL cannot lock the nullable side of an outer join.
    waiting = Call.objects.filter(state__in=UNANSWERED, callback_done_at__isnull=True).select_for_update()
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
