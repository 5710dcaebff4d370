"""Sealing pending audit events into the hash chain, in short transactions of their own.

``record()`` writes an event *pending* in the caller's transaction and asks for a seal once that
transaction commits. A seal locks the chain head, gives every pending event the next sequence and
its hashes, moves the head and commits — a few milliseconds, whatever the caller's request did
before. The seal runs in one background thread per process (the *sealer*), woken by each commit,
so a request never waits for it and a busy process seals many requests' events in one go. Every
reader that needs the chain whole (``verify``, the auditor's pages) seals first, and a scheduled
seal catches events whose process died between commit and seal, so an event is never left
pending for longer than the schedule's interval. ``SMARTSAFE_AUDIT_SEAL_IN_BACKGROUND = False``
(the test settings) seals right after the commit in the committing thread instead.

The order of the chain is the order in which events are sealed (commit order, roughly), not the
order of their ids: an event whose transaction commits late is sealed late.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
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


class _Sealer:
    """The background thread of one process that seals soon after every commit."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()  # commits from now on wake the next round
            try:
                seal_pending()
            except Exception:
                # The events are committed and stay pending; the next round or the scheduled seal
                # takes them. Never let the thread die.
                log.warning("could not seal audit events now; will retry", exc_info=True)
            finally:
                connection.close()  # back to the pool between rounds


_sealer = _Sealer()


def _seal_after_commit() -> None:
    if getattr(settings, "SMARTSAFE_AUDIT_SEAL_IN_BACKGROUND", True):
        _sealer.wake()
        return
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
