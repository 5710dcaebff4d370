"""Reads of the audit log: the auditor's permission-checked accessors, and per-object trails.

``events_for`` and ``events_for_actor`` return plain querysets and check nothing: the page that
embeds a trail (a case's "who looked at this" panel, a user's profile) already decided that its
viewer may see the object, and decides whether to show the trail at all.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Max, QuerySet
from django.http import Http404

from . import codes
from .log import record
from .models import AuditEvent
from .permissions import can_browse_audit
from .sealing import seal_pending

AUDIT_OBJECT_TYPE = "audit.auditevent"
# Newest first: events not sealed yet (no sequence) are the newest of all.
NEWEST_FIRST = (F("sequence").desc(nulls_first=True), "-pk")


def _object_type(object_type) -> str:
    """``"cases.case"``, a model class or an instance → the ``object_type`` that ``record`` writes."""
    meta = getattr(object_type, "_meta", None)
    return meta.label_lower if meta is not None else str(object_type)


def events_for(object_type, object_id) -> QuerySet[AuditEvent]:
    """Every event about one object, newest first (reads and writes)."""
    return AuditEvent.objects.filter(
        object_type=_object_type(object_type), object_id=str(object_id)
    ).order_by(*NEWEST_FIRST)


def events_for_actor(user) -> QuerySet[AuditEvent]:
    """Everything one user did, newest first."""
    return AuditEvent.objects.filter(actor_id=user.pk).order_by(*NEWEST_FIRST)


def viewers_of(object_type, object_id):
    """Who opened an object (``*.view`` events): one row per person with a count and the last time.

    Rows are dicts ``{"actor_id", "actor_label", "times", "last_at"}``, most recent first.
    """
    return (
        events_for(object_type, object_id)
        .filter(action__endswith=".view")
        .order_by()
        .values("actor_id", "actor_label")
        .annotate(times=Count("id"), last_at=Max("occurred_at"))
        .order_by("-last_at")
    )


def audit_log(user):
    """All events, newest first, if ``user`` may browse the log; PermissionDenied otherwise.

    The auditor browses the chain by sequence number, so whatever is still pending is sealed first.
    """
    if not can_browse_audit(user):
        raise PermissionDenied
    seal_pending()
    return AuditEvent.objects.order_by(*NEWEST_FIRST)


def access_event(user, sequence) -> AuditEvent:
    """One event by its sequence number; the read is audited."""
    try:
        event = audit_log(user).get(sequence=int(sequence))
    except (AuditEvent.DoesNotExist, ValueError, OverflowError):
        raise Http404("No such audit event.") from None
    record(
        codes.AUDIT_VIEW,
        actor=user,
        object_type=AUDIT_OBJECT_TYPE,
        object_id=event.sequence,
        event_action=event.action,
    )
    return event


def neighbours(event: AuditEvent) -> tuple[AuditEvent | None, AuditEvent | None]:
    """The events just before and after ``event`` in the chain (None at either end or over a gap)."""
    around = {
        e.sequence: e
        for e in AuditEvent.objects.filter(sequence__in=(event.sequence - 1, event.sequence + 1))
    }
    return around.get(event.sequence - 1), around.get(event.sequence + 1)
