"""``record()``: the one way anything is written to the audit log.

Call it inside the same transaction as the write it describes, so a rolled-back action leaves no
event and a committed one always has its event. Reads are recorded with the same call.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from smartsafe.core import request_context

from .chain import GENESIS_HASH, compute_hash
from .models import AuditChainHead, AuditEvent


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
    """Append one event to the chain and return it.

    ``action`` is a dotted code such as ``case.view`` or ``contact.create`` (see docs/audit.md).
    ``obj`` fills the object fields from a model instance; ``details`` must be JSON-serialisable and
    must not contain the sensitive content itself (say *what* was read, not its text).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        object_label = object_label or str(obj)
    context = request_context.current()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(singleton=1)
        event = AuditEvent(
            sequence=head.sequence + 1,
            # Truncated to whole microseconds in UTC so the sealed value survives any database.
            occurred_at=timezone.now().astimezone(dt.timezone.utc),
            actor=actor,
            actor_label=(actor.get_username() if actor else "")[:150],
            action=action,
            object_type=object_type[:64],
            object_id=str(object_id)[:64],
            object_label=object_label[:200],
            outcome=outcome,
            ip=context.ip,
            user_agent=context.user_agent,
            request_id=context.request_id,
            via=context.via,
            details=details,
            previous_hash=head.hash or GENESIS_HASH,
        )
        event.actor_id = actor.pk if actor else None
        event.hash = compute_hash(event.previous_hash, event)
        event.save()
        AuditChainHead.objects.filter(singleton=1).update(sequence=event.sequence, hash=event.hash)
    return event
