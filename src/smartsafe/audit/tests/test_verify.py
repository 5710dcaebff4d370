"""Tampering with the database directly (raw SQL, bypassing the model) is found and named."""

import pytest
from django.core.management import CommandError, call_command

from smartsafe.audit import verify
from smartsafe.audit.chain import GENESIS_HASH, compute_hash
from smartsafe.audit.log import record
from smartsafe.audit.models import AuditEvent
from smartsafe.audit.verify import VerificationResult, parse_anchor, verify_chain

from .helpers import insert_raw, make_events, sql

pytestmark = pytest.mark.django_db


def run_verify(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", *args, stdout=out)
    return out.getvalue()


def broken(*args) -> str:
    with pytest.raises(CommandError) as caught:
        run_verify(*args)
    assert caught.value.returncode == 1  # what manage.py exits with
    return str(caught.value)


def test_clean_chain_passes():
    make_events(30)
    output = run_verify("--chunk-size", "4")
    assert "audit chain intact: 30 events" in output
    head = AuditEvent.objects.get(sequence=30)
    assert f"#30:{head.hash}" in output


def test_empty_log_is_intact():
    assert "audit chain intact: 0 events" in run_verify()


def test_raw_update_of_a_field_is_named():
    make_events(10)
    assert sql("UPDATE {events} SET object_label = %s WHERE sequence = %s", ["changed", 4]) == 1
    message = broken()
    assert "event #4" in message and "altered" in message
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence, result.count) == (verify.ALTERED, 4, 3)


def test_raw_update_of_details_json_is_named():
    make_events(5)
    event = AuditEvent.objects.get(sequence=2)
    sql("UPDATE {events} SET details = %s WHERE id = %s", ['{"n": 99}', event.pk])
    assert verify_chain().problem.sequence == 2


def test_raw_update_of_the_actor_is_named():
    make_events(5)
    sql("UPDATE {events} SET actor_label = %s WHERE sequence = %s", ["someone-else", 5])
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.ALTERED, 5)


def test_raw_delete_is_a_gap_named_by_its_sequence():
    make_events(10)
    assert sql("DELETE FROM {events} WHERE sequence = %s", [6]) == 1
    message = broken()
    assert "event #6" in message and "missing" in message
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.MISSING, 6)


def test_deleting_the_first_event_is_found():
    make_events(3)
    sql("DELETE FROM {events} WHERE sequence = 1")
    assert verify_chain().problem.sequence == 1


def test_deleting_the_last_events_is_found_through_the_head():
    make_events(10)
    sql("DELETE FROM {events} WHERE sequence >= %s", [9])
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.MISSING, 9)
    assert "event #9" in broken()


def test_resealed_edit_breaks_the_next_link():
    """Someone who edits an event and recomputes its hash still breaks the link from the next one."""
    make_events(6)
    event = AuditEvent.objects.get(sequence=3)
    event.object_label = "changed"
    new_hash = compute_hash(event.previous_hash, event)
    sql("UPDATE {events} SET object_label = %s, hash = %s WHERE id = %s", ["changed", new_hash, event.pk])
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.LINK, 4)
    assert "event #4" in broken()


def test_forged_insert_with_a_made_up_hash_is_named():
    events = make_events(4)
    last = events[-1]
    insert_raw(
        sequence=5,
        occurred_at=last.occurred_at,
        actor_label="intruder",
        action="case.view",
        object_type="",
        object_id="",
        object_label="",
        outcome="ok",
        ip="",
        user_agent="",
        request_id="",
        via="",
        details="{}",
        previous_hash=last.hash,
        hash="f" * 64,
    )
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.ALTERED, 5)
    assert "event #5" in broken()


def test_forged_insert_with_a_correct_seal_lies_beyond_the_head():
    """A well-forged append (right link, right hash) still did not move the head in its transaction."""
    events = make_events(4)
    last = events[-1]
    forged = AuditEvent(
        sequence=5,
        occurred_at=last.occurred_at,
        actor_label="intruder",
        action="case.view",
        details={},
        previous_hash=last.hash,
    )
    forged.hash = compute_hash(forged.previous_hash, forged)
    insert_raw(
        sequence=5,
        occurred_at=last.occurred_at,
        actor_label="intruder",
        action="case.view",
        object_type="",
        object_id="",
        object_label="",
        outcome="ok",
        ip="",
        user_agent="",
        request_id="",
        via="",
        details="{}",
        previous_hash=last.hash,
        hash=forged.hash,
    )
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.BEYOND_HEAD, 5)
    assert result.count == 5  # the forged row itself is well sealed; only the head gives it away
    assert "event #5" in broken()


def test_head_mismatch_is_named():
    make_events(5)
    sql("UPDATE {head} SET hash = %s", ["a" * 64])
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.HEAD, 5)
    assert "head" in broken()


def test_missing_head_with_events_is_found():
    make_events(2)
    sql("DELETE FROM {head}")
    assert verify_chain().problem.kind == verify.BEYOND_HEAD


def test_anchor_catches_a_rewritten_chain():
    """Rewriting the whole log consistently defeats the chain alone, but not a hash noted elsewhere."""
    make_events(3)
    anchor = AuditEvent.objects.get(sequence=2)
    run_verify("--anchor", f"#2:{anchor.hash}")
    # Rewrite every row and the head from scratch with a different history.
    sql("DELETE FROM {events}")
    sql("DELETE FROM {head}")
    record("auth.login")
    record("auth.login")
    assert verify_chain().ok  # consistent on its own…
    assert not verify_chain(anchors=[(2, anchor.hash)]).ok  # …but not with the anchor
    assert "event #2" in broken("--anchor", f"2:{anchor.hash}")


@pytest.mark.parametrize("text", ["", "12", "x:" + "a" * 64, "3:" + "z" * 64, "3:abc"])
def test_bad_anchor_is_a_usage_error(text):
    with pytest.raises(ValueError):
        parse_anchor(text)
    assert "not an anchor" in broken("--anchor", text)


def test_events_appended_during_the_walk_are_walked_too():
    """The head is read after the walk; what was appended meanwhile is verified, not reported."""
    make_events(5)
    result = VerificationResult()
    verify._walk(result, chunk_size=2, upto=3)  # a walk that "ended" before events 4 and 5 appeared
    assert result.count == 3
    verify._check_head(result, chunk_size=2)
    assert result.ok and result.count == 5 and result.last_sequence == 5


def test_first_event_links_to_genesis():
    make_events(2)
    sql("UPDATE {events} SET previous_hash = %s WHERE sequence = 1", ["b" * 64])
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.LINK, 1)
    assert result.problem.expected == GENESIS_HASH


def test_nightly_task_logs_the_result(caplog):
    from smartsafe.audit.tasks import verify_audit_chain

    make_events(3)
    assert verify_audit_chain.enqueue().return_value == {"ok": True, "count": 3, "last_sequence": 3}
    sql("DELETE FROM {events} WHERE sequence = 2")
    with caplog.at_level("ERROR", logger="smartsafe.audit"):
        outcome = verify_audit_chain.enqueue().return_value
    assert outcome["problem"] == {"kind": "missing", "sequence": 2}
    assert "AUDIT CHAIN BROKEN at event #2 (missing)" in caplog.text
