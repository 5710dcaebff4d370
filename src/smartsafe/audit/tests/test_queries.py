"""Per-object and per-actor trails, and the auditor's permission-checked accessors."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from smartsafe.audit.log import record
from smartsafe.audit.models import AuditEvent
from smartsafe.audit.queries import access_event, audit_log, events_for, events_for_actor, viewers_of
from smartsafe.audit.sealing import seal_pending

pytestmark = pytest.mark.django_db


def test_events_for_one_object_newest_first(counsellor, supervisor):
    first = record("case.view", actor=counsellor, object_type="cases.case", object_id=7)
    record("case.view", actor=counsellor, object_type="cases.case", object_id=70)
    record("contact.view", actor=counsellor, object_type="intake.contact", object_id=7)
    last = record("case.update", actor=supervisor, object_type="cases.case", object_id="7")
    assert list(events_for("cases.case", 7)) == [last, first]
    assert list(events_for("cases.case", "7")) == [last, first]


def test_events_for_accepts_a_model_or_instance(counsellor):
    event = record("user.update", actor=counsellor, obj=counsellor)
    assert list(events_for(counsellor, counsellor.pk)) == [event]
    assert list(events_for(type(counsellor), counsellor.pk)) == [event]


def test_events_for_actor(counsellor, supervisor):
    mine = [record("case.view", actor=counsellor, object_id=i) for i in range(3)]
    record("case.view", actor=supervisor)
    record("contact.receive")
    assert list(events_for_actor(counsellor)) == mine[::-1]


def test_viewers_of_counts_reads_per_person(counsellor, supervisor, auditor):
    for actor in (counsellor, supervisor, counsellor):
        record("case.view", actor=actor, object_type="cases.case", object_id=5)
    record("case.update", actor=auditor, object_type="cases.case", object_id=5)  # a write, not a read
    record("case.view", actor=auditor, object_type="cases.case", object_id=6)  # another case
    seal_pending()
    rows = list(viewers_of("cases.case", 5))
    assert [(row["actor_label"], row["times"]) for row in rows] == [
        (counsellor.username, 2),
        (supervisor.username, 1),
    ]
    assert rows[0]["last_at"] == AuditEvent.objects.get(sequence=3).occurred_at


def test_audit_log_is_for_auditors_and_administrators(counsellor, auditor, administrator):
    with pytest.raises(PermissionDenied):
        audit_log(counsellor)
    assert audit_log(auditor).model is AuditEvent
    assert audit_log(administrator).model is AuditEvent


def test_access_event_is_audited_and_404s_cleanly(auditor):
    event = record("case.view")
    seal_pending()
    event.refresh_from_db()
    assert access_event(auditor, event.sequence) == event
    seal_pending()
    read = AuditEvent.objects.get(sequence=2)
    assert (read.action, read.object_type, read.object_id) == ("audit.view", "audit.auditevent", "1")
    for missing in (99, "x", 10**30):
        with pytest.raises(Http404):
            access_event(auditor, missing)
