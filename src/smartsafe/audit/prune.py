"""Deleting old audit events without losing the chain's proof.

Audit events are kept for as long as the retention policy says (docs/audit.md); after that they
may go. Deleting the oldest events of a hash chain would look exactly like tampering, so pruning
only ever cuts at a signed checkpoint (``checkpoints.py``): the events up to and including the
checkpoint's sequence are deleted, and the chain head remembers where the log now starts — that
checkpoint's sequence and hash. ``verify_chain`` then walks from there, and accepts the start only
because a valid checkpoint with that very sequence and hash exists outside the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models, transaction

from . import checkpoints
from .models import AuditChainHead, AuditEvent


@dataclass(frozen=True)
class PrunePlan:
    through_sequence: int  # 0: nothing can be pruned
    through_hash: str
    events: int


def plan(older_than: dt.datetime) -> PrunePlan:
    """What pruning events that occurred before ``older_than`` would delete (nothing is written)."""
    head = AuditChainHead.objects.filter(singleton=1).first()
    already = head.pruned_through if head else 0
    # The newest valid checkpoint whose event is older than the cut-off and still in the log.
    for checkpoint in reversed(checkpoints.read_all()):
        if not checkpoint.valid or checkpoint.sequence <= already:
            continue
        event = AuditEvent.objects.filter(sequence=checkpoint.sequence).only("occurred_at", "hash").first()
        if event is None or event.hash != checkpoint.hash or event.occurred_at >= older_than:
            continue
        count = AuditEvent.objects.filter(sequence__gt=already, sequence__lte=checkpoint.sequence).count()
        return PrunePlan(checkpoint.sequence, checkpoint.hash, count)
    return PrunePlan(0, "", 0)


def prune(older_than: dt.datetime) -> PrunePlan:
    """Delete the events the plan names and move the log's start; returns what was done."""
    chosen = plan(older_than)
    if not chosen.through_sequence:
        return chosen
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(singleton=1)
        # The append-only manager refuses deletes on purpose; this is the one sanctioned delete.
        models.QuerySet(AuditEvent).filter(sequence__lte=chosen.through_sequence).delete()
        AuditChainHead.objects.filter(pk=head.pk).update(
            pruned_through=chosen.through_sequence, pruned_hash=chosen.through_hash
        )
    return chosen
