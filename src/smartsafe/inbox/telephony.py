"""The 19833 phone line: call events from the exchange, screen pops, the call-back list.

The exchange (Asterisk, or any other; docs/telephony.md) reports three events per call, keyed by its
own call id: ``ringing``, ``answered`` (by an extension or a user) and ``hung_up``. They may come
twice (a retry) or in the wrong order (two exchange processes racing); ``record_event``
(inbox/actions/telephony.py, with every other write of the phone line) folds each one into the
call's state so that the result is the same whatever the order:

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

import hashlib
import hmac
import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from smartsafe.accounts.roles import CASEWORK_ROLES
from smartsafe.cases.artefacts import ArtefactError, normalize_phone
from smartsafe.intake.models import Contact
from smartsafe.intake.permissions import can_log_contacts, can_read_contacts
from smartsafe.intake.queries import contacts_visible_to

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


def answerer(*, extension: str, username: str):
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


def call_form_url(call: Call) -> str:
    return reverse("intake:new") + "?" + urlencode({"channel": "phone", "call": call.call_id})


def earlier_contacts(call: Call, user, limit: int = EARLIER_SHOWN) -> list[Contact]:
    """The caller's earlier contacts that ``user`` may read, newest first (``limit`` of them)."""
    if not call.caller_hash or user is None or not can_read_contacts(user):
        return []
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


def waiting_call(pk: str) -> Call | None:
    """The call a call-back button names (an id from the form), or None."""
    return Call.objects.filter(pk=int(pk)).first() if pk.isdigit() and len(pk) < 18 else None
