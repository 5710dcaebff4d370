"""``record()``: the one way anything is written to the audit log.

Call it inside the same transaction as the write it describes, so a rolled-back action leaves no
event and a committed one always has its event. Reads are recorded with the same call. The event
is written pending and sealed into the hash chain once the transaction commits (sealing.py), so
recording never makes one person's request wait for another's.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from smartsafe.core import request_context

from .codes import OUTCOME_DENIED, WRITE_REFUSED, is_valid_code
from .models import AuditEvent
from .sealing import request_seal


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    outcome: str = "ok",
    **details,
) -> AuditEvent:
    """Append one event to the log (sealed into the chain after commit) and return it.

    ``action`` is a dotted code such as ``case.view`` or ``contact.create`` (see docs/audit.md).
    ``obj`` fills the object fields from a model instance; ``details`` must be JSON-serialisable and
    must not contain the sensitive content itself (say *what* was read, not its text).
    """
    if not is_valid_code(action):
        # A programming error, caught by the caller's tests; never a user's input.
        raise ValueError(f"Not an audit event code: {action!r} (see smartsafe.audit.codes).")
    details = _sealable(details)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)
    context = request_context.current()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        # Truncated to whole microseconds in UTC so the sealed value survives any database.
        occurred_at=timezone.now().astimezone(dt.UTC),
        actor=actor,
        actor_label=(actor.get_username() if actor else "")[:150],
        action=action,
        object_type=object_type[:64],
        object_id=str(object_id)[:64],
        object_label=object_label[:200],
        outcome=outcome[:16],
        ip=context.ip,
        user_agent=context.user_agent,
        request_id=context.request_id,
        via=context.via,
        details=details,
    )
    event.actor_id = actor.pk if actor else None
    event.save()
    request_seal()
    return event


def _sealable(details: dict) -> dict:
    """``details`` exactly as it will read back from the database, so the sealed hash still matches.

    The hash is computed from what the database returns when the event is sealed, and ``verify``
    recomputes it the same way; storing the round-tripped form keeps what was recorded equal to
    what is sealed. A JSON round trip turns dates, UUIDs, decimals and lazy strings into text,
    tuples into lists and keys into strings. Two things differ between engines and are fixed here:
    PostgreSQL's jsonb reads a large float such as ``1e20`` back as an integer, and rejects NUL
    characters and NaN/Infinity.
    """
    return _normalise(json.loads(json.dumps(details, cls=DjangoJSONEncoder)))


def _normalise(value):
    if isinstance(value, dict):
        return {_normalise(key): _normalise(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalise(item) for item in value]
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) >= 1e16:
            return int(value)
    return value


def record_refusal(*, actor, reason: str, obj=None, **details) -> AuditEvent:
    """Audit a write that was refused. Call it *outside* the refused action's transaction (which
    rolled back), at the boundary that answered the person: a view or the API's error handler."""
    return record(WRITE_REFUSED, actor=actor, obj=obj, outcome=OUTCOME_DENIED, reason=reason, **details)
