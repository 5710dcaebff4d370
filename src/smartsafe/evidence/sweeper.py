"""Removing ciphertext that no file record refers to.

The vault writes a file's ciphertext before the transaction that creates its record commits
(actions.receive_file). When that transaction is rolled back — the caller's transaction failed,
the process died — the ciphertext stays in storage with nobody pointing at it. Its key lived only
in the rolled-back row, so it can never be opened; the sweeper removes it.

A stored name counts as an orphan when no ``EvidenceFile`` row names it and it is older than the
grace period: a file being stored right now has its ciphertext written a moment before its row
commits, and the grace period (``SMARTSAFE_EVIDENCE_ORPHAN_GRACE_HOURS``, 24 by default) is
far longer than any transaction. The ciphertext of a deleted file is removed when its deletion
commits; should that removal have failed, its row still names it and the sweeper leaves it
alone (its key is already gone).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from smartsafe.audit import codes
from smartsafe.audit.log import record

from .models import EvidenceFile
from .storage import PREFIX

log = logging.getLogger("smartsafe.evidence")
_BATCH = 1000


def grace_period() -> dt.timedelta:
    return dt.timedelta(hours=float(getattr(settings, "SMARTSAFE_EVIDENCE_ORPHAN_GRACE_HOURS", 24)))


@dataclass
class SweepResult:
    dry_run: bool
    checked: int = 0
    orphans: list[str] = field(default_factory=list)  # removed, or that would be (dry run)
    too_recent: int = 0  # unreferenced, but within the grace period

    def summary(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "checked": self.checked,
            "orphans": len(self.orphans),
            "too_recent": self.too_recent,
        }


def stored_names():
    """Every name under ``evidence/`` in the default storage (two levels: ``evidence/xx/<name>``)."""
    try:
        folders, _files = default_storage.listdir(PREFIX)
    except FileNotFoundError:
        return
    for folder in sorted(folders):
        _sub, files = default_storage.listdir(f"{PREFIX}/{folder}")
        for name in sorted(files):
            yield f"{PREFIX}/{folder}/{name}"


def _unreferenced(names: list[str]) -> list[str]:
    known = set(EvidenceFile.objects.filter(storage_name__in=names).values_list("storage_name", flat=True))
    return [name for name in names if name not in known]


def sweep(*, dry_run: bool, grace: dt.timedelta | None = None, now=None) -> SweepResult:
    """Find (and unless ``dry_run`` remove) unreferenced ciphertext older than ``grace``."""
    grace = grace_period() if grace is None else grace
    cutoff = (now or timezone.now()) - grace
    result = SweepResult(dry_run=dry_run)
    batch: list[str] = []

    def settle(names: list[str]) -> None:
        for name in _unreferenced(names):
            try:
                modified = default_storage.get_modified_time(name)
            except FileNotFoundError:
                continue
            if modified > cutoff:
                result.too_recent += 1
                continue
            # Asked again right before removing: a row may have committed since the batch query.
            if EvidenceFile.objects.filter(storage_name=name).exists():
                continue
            if not dry_run:
                default_storage.delete(name)
            result.orphans.append(name)

    for name in stored_names():
        result.checked += 1
        batch.append(name)
        if len(batch) >= _BATCH:
            settle(batch)
            batch = []
    if batch:
        settle(batch)
    if result.orphans and not dry_run:
        log.warning("removed %s orphaned evidence ciphertexts", len(result.orphans))
        record(
            codes.EVIDENCE_SWEEP,
            object_type="evidence.evidencefile",
            removed=len(result.orphans),
            checked=result.checked,
            grace_hours=grace.total_seconds() / 3600,
        )
    return result
