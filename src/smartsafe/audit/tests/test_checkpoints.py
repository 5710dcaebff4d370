"""Signed checkpoints outside the database catch a consistent rewrite by themselves; pruning cuts
only at a checkpoint and the chain still verifies from there."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from smartsafe.audit import checkpoints, prune, verify
from smartsafe.audit.chain import GENESIS_HASH, compute_hash
from smartsafe.audit.models import AuditChainHead, AuditEvent
from smartsafe.audit.verify import verify_chain

from .helpers import make_events, sql

pytestmark = pytest.mark.django_db


def rewrite_everything(label: str) -> None:
    """What someone with database access and the code can do: re-seal every event and the head."""
    previous = GENESIS_HASH
    for event in AuditEvent.objects.order_by("sequence"):
        event.object_label = label
        digest = compute_hash(previous, event)
        sql(
            "UPDATE {events} SET object_label = %s, previous_hash = %s, hash = %s WHERE id = %s",
            [label, previous, digest, event.pk],
        )
        previous = digest
    sql("UPDATE {head} SET hash = %s", [previous])


def test_a_checkpoint_is_the_signed_head_in_a_file():
    events = make_events(5)
    checkpoint = checkpoints.write()
    assert (checkpoint.sequence, checkpoint.hash) == (5, events[-1].hash)
    body = json.loads(checkpoint.path.read_text())
    assert body["sequence"] == 5 and body["hash"] == events[-1].hash and len(body["signature"]) == 64
    assert [c.valid for c in checkpoints.read_all()] == [True]
    assert verify_chain().ok


def test_a_consistent_rewrite_is_found_through_the_checkpoint_alone():
    make_events(6)
    checkpoints.write()
    rewrite_everything("rewritten")
    result = verify_chain()  # no anchor given by hand
    assert (result.problem.kind, result.problem.sequence) == (verify.CHECKPOINT, 6)
    assert "signed checkpoint" in result.problem.describe()


def test_a_log_cut_short_below_a_checkpoint_is_found():
    make_events(6)
    checkpoints.write()
    sql("DELETE FROM {events} WHERE sequence > 3")
    sql("UPDATE {head} SET sequence = 3, hash = (SELECT hash FROM {events} WHERE sequence = 3)")
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.CHECKPOINT, 6)


def test_an_edited_checkpoint_file_is_named(settings):
    make_events(2)
    path = checkpoints.write().path
    body = json.loads(path.read_text())
    body["hash"] = "a" * 64
    path.write_text(json.dumps(body))
    result = verify_chain()
    assert result.problem.kind == verify.CHECKPOINT and not checkpoints.read_all()[0].valid


def test_a_checkpoint_signed_with_another_key_is_not_trusted(settings):
    make_events(2)
    settings.SMARTSAFE_AUDIT_CHECKPOINT_KEY = "another installation's key"
    checkpoints.write()
    settings.SMARTSAFE_AUDIT_CHECKPOINT_KEY = ""
    assert verify_chain().problem.kind == verify.CHECKPOINT


def test_the_command_writes_one(capsys):
    make_events(3)
    out = StringIO()
    call_command("audit_checkpoint", stdout=out)
    assert "checkpoint #3:" in out.getvalue()


def _age_events(days: int) -> None:
    sql("UPDATE {events} SET occurred_at = %s", [timezone.now() - dt.timedelta(days=days)])


def test_pruning_cuts_at_the_newest_checkpoint_before_the_cutoff_and_still_verifies():
    make_events(10)
    first = checkpoints.write()  # #10
    _age_events(400)
    # Ageing changed a sealed field: re-seal consistently (as if they had been written then).
    rewrite_everything("")
    for path in checkpoints.folder().glob("*.json"):
        path.unlink()
    first = checkpoints.write()
    make_events(4)  # #11-#14, today
    checkpoints.write()
    assert prune.plan(timezone.now() - dt.timedelta(days=365)).through_sequence == first.sequence == 10
    done = prune.prune(timezone.now() - dt.timedelta(days=365))
    assert (done.through_sequence, done.events) == (10, 10)
    assert list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)) == [
        11,
        12,
        13,
        14,
    ]
    head = AuditChainHead.objects.get()
    assert (head.pruned_through, head.pruned_hash) == (10, first.hash)
    result = verify_chain()
    assert result.ok, result.problem and result.problem.describe()
    assert result.count == 4


def test_nothing_is_pruned_without_a_checkpoint_and_a_forged_start_is_found():
    make_events(5)
    _age_events(400)
    assert prune.plan(timezone.now()).through_sequence == 0
    # Someone deletes the first events and moves the start by hand: no checkpoint vouches for it.
    sql("DELETE FROM {events} WHERE sequence <= 2")
    start = AuditEvent.objects.get(sequence=3).previous_hash
    sql("UPDATE {head} SET pruned_through = 2, pruned_hash = %s", [start])
    result = verify_chain()
    assert (result.problem.kind, result.problem.sequence) == (verify.PRUNED_START, 2)


def test_prune_command_dry_run_changes_nothing():
    make_events(3)
    checkpoints.write()
    out = StringIO()
    call_command("prune_audit", "--older-than-days", "30", "--dry-run", stdout=out)
    assert "Nothing to prune" in out.getvalue()  # the checkpoint's event is from today
    assert AuditEvent.objects.count() == 3
