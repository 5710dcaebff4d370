"""Sealing pending audit events into the hash chain, in short transactions of their own.

``record()`` writes an event *pending* in the caller's transaction and asks for a seal once that
transaction commits. A seal locks the chain head, gives every pending event the next sequence and
its hashes, moves the head and commits — a few milliseconds, whatever the caller's request did
before. Under load most requests find the head busy with another seal that will pick their event
up as well, and skip (``SKIP LOCKED``) instead of queueing behind it; the scheduled seal, and every
reader that needs the chain whole (``verify``, the auditor's pages), wait for the lock instead, so
an event is never left pending for longer than the schedule's interval.

The order of the chain is the order in which events are sealed (commit order, roughly), not the
order of their ids: an event whose transaction commits late is sealed late.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, connection, models, transaction

from .chain import GENESIS_HASH, compute_hash
from .models import AuditChainHead, AuditEvent

log = logging.getLogger("smartsafe.audit")

# Events sealed by one transaction; a larger backlog takes several (each holds the head briefly).
BATCH = 2000
_SEALED = ("sequence", "previous_hash", "hash")


def seal_pending(*, wait: bool = True, batch: int = BATCH) -> int:
    """Seal every pending event that has committed; return how many were sealed.

    ``wait=False`` gives up at once when another seal holds the head (PostgreSQL): that seal, or
    the next one, takes the events committed by then.
    """
    sealed = 0
    while True:
        with transaction.atomic():
            head = _locked_head(wait=wait)
            if head is None:
                return sealed
            pending = list(AuditEvent.objects.filter(sequence__isnull=True).order_by("pk")[:batch])
            if not pending:
                return sealed
            sequence, previous = head.sequence, head.hash or GENESIS_HASH
            for event in pending:
                sequence += 1
                event.sequence, event.previous_hash = sequence, previous
                event.hash = previous = compute_hash(previous, event)
            # The append-only manager refuses updates on purpose; this is the one sanctioned write.
            models.QuerySet(AuditEvent).bulk_update(pending, _SEALED, batch_size=500)
            AuditChainHead.objects.filter(pk=head.pk).update(sequence=sequence, hash=previous)
        sealed += len(pending)
        if len(pending) < batch:
            return sealed


def _locked_head(*, wait: bool) -> AuditChainHead | None:
    heads = AuditChainHead.objects.select_for_update(skip_locked=not wait).filter(singleton=1)
    head = heads.first()
    if head is None and not AuditChainHead.objects.filter(singleton=1).exists():
        # The very first seal of an installation creates the head (racing seals settle it here).
        AuditChainHead.objects.get_or_create(singleton=1)
        head = AuditChainHead.objects.select_for_update().filter(singleton=1).first()
    return head


def _seal_after_commit() -> None:
    try:
        seal_pending(wait=False)
    except DatabaseError:
        # The event itself is committed and stays pending; the scheduled seal takes it.
        log.warning("could not seal audit events now; the scheduled seal will", exc_info=True)


def request_seal() -> None:
    """Seal after the current transaction commits (at once outside one); once per transaction.

    A callback registered inside a savepoint that rolls back is dropped by Django with it, so the
    check looks at the callbacks actually pending rather than remembering a flag.
    """
    if connection.in_atomic_block and any(
        func is _seal_after_commit for _sids, func, _robust in connection.run_on_commit
    ):
        return
    transaction.on_commit(_seal_after_commit)
