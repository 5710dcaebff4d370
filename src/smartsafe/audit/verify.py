"""Walk the audit chain and report the first event that is missing, altered or forged.

What is checked, in sequence order (streamed, so the log may hold millions of events):

1. sequences are contiguous from 1 — a deleted row is a gap;
2. each event's ``previous_hash`` is the hash of the event before it (genesis for #1) — an event
   replaced or re-sealed by hand breaks the link of the next one;
3. each event's ``hash`` is SHA-256 over its previous hash and its own sealed fields — any edit of
   a sealed field breaks it;
4. the chain head (updated in the same transaction as every append) names the last event — rows
   deleted from the end, or appended without going through ``record()``, show here;
5. optionally, an *anchor* (a sequence and hash written down outside the database earlier) is
   still in the chain — the only defence against someone who rewrites the whole chain.

Appends may continue while the walk runs: the head is read after the walk, and events appended in
the meantime are walked too, so a busy system still verifies as intact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from . import checkpoints
from .chain import GENESIS_HASH, compute_hash
from .models import AuditChainHead, AuditEvent
from .sealing import seal_pending

CHUNK_SIZE = 2000

# Problem kinds (stable codes; the command prints them, the UI translates them).
MISSING = "missing"
LINK = "link"
ALTERED = "altered"
HEAD = "head"
BEYOND_HEAD = "beyond_head"
ANCHOR = "anchor"
CHECKPOINT = "checkpoint"
PRUNED_START = "pruned_start"


@dataclass(frozen=True)
class Problem:
    kind: str
    sequence: int
    expected: str = ""
    found: str = ""

    def describe(self) -> str:
        """One sentence for a person: what is wrong with which event."""
        values = {"sequence": self.sequence, "expected": self.expected, "found": self.found}
        if self.kind == MISSING:
            return _("event #%(sequence)s is missing (the next event in the log is %(found)s)") % values
        if self.kind == LINK:
            return (
                _(
                    "event #%(sequence)s does not link to the event before it: its previous hash is "
                    "%(found)s, the event before it has hash %(expected)s (it was replaced or re-sealed)"
                )
                % values
            )
        if self.kind == ALTERED:
            return (
                _(
                    "event #%(sequence)s was altered: its content hashes to %(expected)s, "
                    "but it is sealed with %(found)s"
                )
                % values
            )
        if self.kind == HEAD:
            return _("the chain head says %(expected)s, but the last event is %(found)s") % values
        if self.kind == BEYOND_HEAD:
            return (
                _(
                    "event #%(sequence)s lies beyond the chain head (%(expected)s): "
                    "it was not appended by the system"
                )
                % values
            )
        if self.kind == CHECKPOINT:
            return (
                _(
                    "event #%(sequence)s does not match the signed checkpoint: expected %(expected)s, "
                    "found %(found)s (the log was rewritten or cut short)"
                )
                % values
            )
        if self.kind == PRUNED_START:
            return (
                _(
                    "the log claims to start after event #%(sequence)s, but no signed checkpoint "
                    "vouches for that start (events were deleted)"
                )
                % values
            )
        if self.kind == ANCHOR:
            return (
                _("event #%(sequence)s does not match the anchor: expected %(expected)s, found %(found)s")
                % values
            )
        return f"{self.kind} #{self.sequence}"


@dataclass
class VerificationResult:
    count: int = 0
    last_sequence: int = 0
    last_hash: str = GENESIS_HASH
    head_sequence: int | None = None
    head_hash: str = ""
    problem: Problem | None = None
    started_at: dt.datetime = field(default_factory=timezone.now)
    finished_at: dt.datetime | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def duration(self) -> dt.timedelta:
        return (self.finished_at or timezone.now()) - self.started_at

    def as_details(self) -> dict:
        """A JSON-able summary, for the ``audit.verify`` event."""
        summary = {"ok": self.ok, "count": self.count, "last_sequence": self.last_sequence}
        if self.problem:
            summary["problem"] = {"kind": self.problem.kind, "sequence": self.problem.sequence}
        return summary


def verify_chain(
    *, chunk_size: int = CHUNK_SIZE, anchors: Iterable[tuple[int, str]] = ()
) -> VerificationResult:
    """Check the whole chain; stop at the first problem. Holds no lock while it walks.

    Events still pending are sealed first (a seal is the only write), so everything committed
    before the walk began is checked. ``anchors``: ``(sequence, hash)`` pairs noted down earlier
    (see ``parse_anchor``).
    """
    seal_pending()
    result = VerificationResult()
    signed = checkpoints.read_all()
    _start_after_pruning(result, signed)
    if result.ok:
        _walk(result, chunk_size=chunk_size)
    if result.ok:
        _check_head(result, chunk_size=chunk_size)
    for sequence, digest in anchors:
        if not result.ok:
            break
        _check_anchor(result, sequence, digest)
    for checkpoint in signed:
        if not result.ok:
            break
        _check_checkpoint(result, checkpoint)
    result.finished_at = timezone.now()
    return result


def _start_after_pruning(result: VerificationResult, signed) -> None:
    """A pruned log starts after a checkpoint; only a valid checkpoint may vouch for that start."""
    head = AuditChainHead.objects.filter(singleton=1).first()
    if head is None or not head.pruned_through:
        return
    if not any(c.valid and (c.sequence, c.hash) == (head.pruned_through, head.pruned_hash) for c in signed):
        result.problem = Problem(PRUNED_START, head.pruned_through)
        return
    result.last_sequence, result.last_hash = head.pruned_through, head.pruned_hash


def _check_checkpoint(result: VerificationResult, checkpoint) -> None:
    if not checkpoint.valid:
        result.problem = Problem(
            CHECKPOINT,
            checkpoint.sequence,
            expected=_("a checkpoint signed with this installation's key"),
            found=str(checkpoint.path.name if checkpoint.path else ""),
        )
        return
    head = AuditChainHead.objects.filter(singleton=1).first()
    if head and checkpoint.sequence <= head.pruned_through:
        return  # pruned away since; the start itself was checked against its checkpoint
    found = AuditEvent.objects.filter(sequence=checkpoint.sequence).values_list("hash", flat=True).first()
    if found != checkpoint.hash:
        result.problem = Problem(
            CHECKPOINT, checkpoint.sequence, expected=checkpoint.hash, found=found or _("no such event")
        )


def _walk(result: VerificationResult, *, chunk_size: int, upto: int | None = None) -> None:
    """Continue the walk after ``result.last_sequence`` (up to ``upto``), updating ``result``."""
    events = AuditEvent.objects.filter(sequence__gt=result.last_sequence).order_by("sequence")
    if upto is not None:
        events = events.filter(sequence__lte=upto)
    for event in events.iterator(chunk_size=chunk_size):
        expected_sequence = result.last_sequence + 1
        if event.sequence != expected_sequence:
            result.problem = Problem(MISSING, expected_sequence, found=f"#{event.sequence}")
            return
        if event.previous_hash != result.last_hash:
            result.problem = Problem(
                LINK, event.sequence, expected=result.last_hash, found=event.previous_hash
            )
            return
        sealed = compute_hash(event.previous_hash, event)
        if sealed != event.hash:
            result.problem = Problem(ALTERED, event.sequence, expected=sealed, found=event.hash)
            return
        result.count += 1
        result.last_sequence = event.sequence
        result.last_hash = event.hash


def _check_head(result: VerificationResult, *, chunk_size: int) -> None:
    head = AuditChainHead.objects.filter(singleton=1).first()
    head_sequence, head_hash = (head.sequence, head.hash) if head else (0, GENESIS_HASH)
    result.head_sequence, result.head_hash = head_sequence, head_hash
    if head_sequence > result.last_sequence:
        # Appended while we walked (the head and its event commit together), or deleted from the end.
        _walk(result, chunk_size=chunk_size, upto=head_sequence)
        if not result.ok:
            return
        if result.last_sequence < head_sequence:
            result.problem = Problem(
                MISSING, result.last_sequence + 1, found=_("nothing (the log ends early)")
            )
            return
    elif head_sequence < result.last_sequence:
        # A legitimate append moves the head in the same transaction, so a committed event can
        # never lie beyond it: this one was written around ``record()``.
        beyond = AuditEvent.objects.filter(sequence__gt=head_sequence).order_by("sequence").first()
        result.problem = Problem(
            BEYOND_HEAD, beyond.sequence if beyond else head_sequence + 1, expected=f"#{head_sequence}"
        )
        return
    if head_hash != result.last_hash:
        result.problem = Problem(
            HEAD,
            result.last_sequence,
            expected=f"#{head_sequence} {head_hash}",
            found=f"#{result.last_sequence} {result.last_hash}",
        )


def _check_anchor(result: VerificationResult, sequence: int, expected_hash: str) -> None:
    found = AuditEvent.objects.filter(sequence=sequence).values_list("hash", flat=True).first()
    if found != expected_hash.strip().lower():
        result.problem = Problem(ANCHOR, sequence, expected=expected_hash, found=found or _("no such event"))


def parse_anchor(text: str) -> tuple[int, str]:
    """``"1234:ab12…"`` → ``(1234, "ab12…")``; ValueError if it is not of that form."""
    sequence, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not sequence.strip().lstrip("#").isdigit() or len(digest) != 64:
        raise ValueError(text)
    int(digest, 16)
    return int(sequence.strip().lstrip("#")), digest
