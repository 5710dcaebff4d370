"""record(): sequences, links and seals across many events; what it refuses; append-only guards."""

import datetime as dt
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy

from smartsafe.audit.chain import GENESIS_HASH, compute_hash
from smartsafe.audit.log import record
from smartsafe.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from smartsafe.audit.sealing import seal_pending
from smartsafe.audit.verify import verify_chain
from smartsafe.core import request_context

from .helpers import make_events

pytestmark = pytest.mark.django_db


def test_chain_across_many_events(counsellor):
    make_events(250, actor=counsellor)
    events = list(AuditEvent.objects.order_by("sequence"))
    assert [e.sequence for e in events] == list(range(1, 251))
    assert events[0].previous_hash == GENESIS_HASH
    for before, after in zip(events, events[1:], strict=False):
        assert after.previous_hash == before.hash
    for event in events:
        assert compute_hash(event.previous_hash, event) == event.hash
    head = AuditChainHead.objects.get()
    assert (head.sequence, head.hash) == (250, events[-1].hash)
    result = verify_chain(chunk_size=7)  # many small chunks: the streaming path
    assert result.ok and result.count == 250


def test_records_actor_object_and_request_context(counsellor):
    context = request_context.RequestContext(ip="192.0.2.7", user_agent="UA/1", request_id="req-1", via="web")
    with request_context.bind(context):
        event = record("case.view", actor=counsellor, obj=counsellor, reason="test")
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id == counsellor.pk and event.actor_label == counsellor.username
    assert (event.object_type, event.object_id) == ("accounts.user", str(counsellor.pk))
    assert (event.ip, event.user_agent, event.request_id, event.via) == ("192.0.2.7", "UA/1", "req-1", "web")
    assert event.details == {"reason": "test"}


def test_anonymous_actor_is_recorded_as_system(client):
    from django.contrib.auth.models import AnonymousUser

    event = record("contact.receive", actor=AnonymousUser(), object_type="intake.contact", object_id=1)
    assert event.actor_id is None and event.actor_label == ""


def test_details_survive_the_database_round_trip_and_still_verify():
    """Values that JSON or PostgreSQL's jsonb would change are normalised before sealing."""
    record(
        "case.update",
        when=dt.datetime(2025, 3, 1, 12, 30, tzinfo=dt.UTC),
        day=dt.date(2025, 3, 1),
        id=uuid.UUID("12345678-1234-5678-1234-567812345678"),
        amount=decimal.Decimal("1.50"),
        label=gettext_lazy("Case opened"),
        pair=(1, 2),
        keyed={1: "one"},
        huge=1e20,
        small=1.5e-7,
        nan=float("nan"),
        nul="a\x00b",
        cyrillic="Дете",
    )
    seal_pending()
    stored = AuditEvent.objects.get()
    assert stored.details["huge"] == 10**20
    assert stored.details["pair"] == [1, 2] and stored.details["keyed"] == {"1": "one"}
    assert stored.details["nul"] == "a\ufffdb" and stored.details["cyrillic"] == "Дете"
    assert compute_hash(stored.previous_hash, stored) == stored.hash
    assert verify_chain().ok


@pytest.mark.parametrize("code", ["", "Case.View", "case", "case view", "case.", "x" * 60 + ".view"])
def test_record_refuses_malformed_codes(code):
    with pytest.raises(ValueError):
        record(code)
    assert not AuditEvent.objects.exists()


def test_rolled_back_write_leaves_no_event():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        record("case.create", object_type="cases.case", object_id=1)
        raise RuntimeError
    assert not AuditEvent.objects.exists()
    record("case.create")
    assert seal_pending() == 1
    assert AuditEvent.objects.get().sequence == 1  # nothing of the rolled-back event remains
    assert verify_chain().ok


def test_events_cannot_be_changed_or_deleted_through_the_model():
    event = make_events(2)[0]
    event.action = "case.update"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="case.update")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create(
            [AuditEvent(sequence=99, occurred_at=event.occurred_at, hash="f" * 64)]
        )
    assert AuditEvent.objects.get(pk=event.pk).action == "case.view"
    assert AuditEvent.objects.count() == 2
    assert verify_chain().ok
