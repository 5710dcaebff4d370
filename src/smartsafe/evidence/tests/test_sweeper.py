"""Ciphertext left by rolled-back transactions is found and removed; nothing referenced is touched."""

import datetime as dt
import io
import os
import time

import pytest
from django.core.management import call_command
from django.db import transaction

from smartsafe.audit.models import AuditEvent
from smartsafe.evidence import actions, storage, sweeper
from smartsafe.evidence.models import EvidenceFile
from smartsafe.testing import make_contact

pytestmark = pytest.mark.django_db


class RolledBack(Exception):
    pass


def _orphan(contact) -> str:
    """Store a file inside a transaction that then fails: its ciphertext stays behind."""
    with pytest.raises(RolledBack), transaction.atomic():
        file = actions.receive_file(data=b"the chat", filename="chat.txt", contact=contact, via="web")
        name = file.storage_name
        raise RolledBack
    assert not EvidenceFile.objects.filter(storage_name=name).exists()
    return name


def _age(vault, name: str, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(vault / name, (then, then))


def test_orphans_are_swept_after_the_grace_period_and_dry_run_touches_nothing(counsellor, vault):
    contact = make_contact(counsellor)
    kept = actions.receive_file(data=b"kept", filename="kept.txt", contact=contact, via="web")
    old, young = _orphan(contact), _orphan(contact)
    _age(vault, old, 30)
    _age(vault, kept.storage_name, 30)  # old but referenced
    out = io.StringIO()
    call_command("sweep_evidence_orphans", "--dry-run", stdout=out)
    assert f"would remove {old}" in out.getvalue() and young not in out.getvalue()
    assert "3 stored, 1 orphaned (dry run: nothing removed), 1 unreferenced but within the grace period" in (
        out.getvalue()
    )
    assert (vault / old).exists() and not AuditEvent.objects.filter(action="evidence.sweep").exists()
    result = sweeper.sweep(dry_run=False)
    assert result.orphans == [old] and result.too_recent == 1
    assert not (vault / old).exists() and (vault / young).exists()
    assert storage.get(kept.storage_name)  # still there, still opens
    assert actions.open_file(actor=counsellor, file=kept, reason="check") == b"kept"
    assert AuditEvent.objects.get(action="evidence.sweep").details["removed"] == 1
    # A shorter grace period (command line) takes the young one too.
    call_command("sweep_evidence_orphans", "--grace-hours", "0", stdout=out)
    assert not (vault / young).exists() and (vault / kept.storage_name).exists()


def test_the_scheduled_task_sweeps(counsellor, vault, settings):
    from smartsafe.evidence.tasks import sweep_orphans

    settings.SMARTSAFE_EVIDENCE_ORPHAN_GRACE_HOURS = 1
    name = _orphan(make_contact(counsellor))
    _age(vault, name, 2)
    assert sweep_orphans.call() == {"dry_run": False, "checked": 1, "orphans": 1, "too_recent": 0}
    assert not (vault / name).exists()
    assert any(
        entry["task"] == "smartsafe.evidence.tasks.sweep_orphans" for entry in settings.SMARTSAFE_SCHEDULE
    )


def test_an_empty_vault_sweeps_nothing():
    assert sweeper.sweep(dry_run=False, grace=dt.timedelta(0)).summary()["checked"] == 0
