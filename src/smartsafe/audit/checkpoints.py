"""Signed checkpoints of the audit chain, kept where the database cannot reach them.

A hash chain on its own cannot expose someone who can write the database and rewrites *every*
event and the head consistently. A checkpoint is the chain's head — sequence and hash — at one
moment, signed with a key that lives outside the database (``SMARTSAFE_AUDIT_CHECKPOINT_KEY``,
like the evidence master key) and written as a small JSON file into a folder outside the
database (``SMARTSAFE_AUDIT_CHECKPOINT_DIR``; in production a mount of another machine or a
write-once store), and optionally e-mailed to the data-protection officer. ``verify_chain``
checks every checkpoint it finds by itself: each must still be in the chain with the same hash.
A rewrite older than the newest checkpoint is found without anyone noting anything down.

Checkpoints also make pruning safe: old events may be deleted only up to a checkpoint, and the
chain then verifies from that checkpoint on (``prune.py``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone

from .models import AuditChainHead
from .sealing import seal_pending

log = logging.getLogger("smartsafe.audit")

PREFIX = "checkpoint-"


@dataclass(frozen=True)
class Checkpoint:
    sequence: int
    hash: str
    written_at: str
    path: Path | None = None
    valid: bool = True  # False: the file's signature does not match (edited or forged)


def _key() -> bytes:
    configured = getattr(settings, "SMARTSAFE_AUDIT_CHECKPOINT_KEY", "")
    if configured:
        return configured.encode()
    # Derived from the secret key, which also lives outside the database.
    return hmac.new(settings.SECRET_KEY.encode(), b"smartsafe audit checkpoint", hashlib.sha256).digest()


def _signature(sequence: int, digest: str, written_at: str) -> str:
    message = f"{sequence}:{digest}:{written_at}".encode()
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def folder() -> Path:
    return Path(settings.SMARTSAFE_AUDIT_CHECKPOINT_DIR)


def write() -> Checkpoint | None:
    """Seal what is pending and write a checkpoint of the head; None while the log is empty."""
    seal_pending()
    head = AuditChainHead.objects.filter(singleton=1).first()
    if head is None or head.sequence == 0:
        return None
    written_at = timezone.now().isoformat(timespec="seconds")
    body = {
        "sequence": head.sequence,
        "hash": head.hash,
        "written_at": written_at,
        "signature": _signature(head.sequence, head.hash, written_at),
    }
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"{PREFIX}{head.sequence:012d}.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(body, indent=2) + "\n")
    temporary.replace(path)  # never a half-written checkpoint
    recipient = getattr(settings, "SMARTSAFE_AUDIT_CHECKPOINT_EMAIL", "")
    if recipient:
        send_mail(
            f"Audit checkpoint #{head.sequence}",
            "Keep this message: it lets a later check prove the audit log was not rewritten.\n\n"
            + json.dumps(body, indent=2),
            None,
            [recipient],
            fail_silently=True,  # the file is the checkpoint; the e-mail is a second copy
        )
    log.info("audit checkpoint #%s:%s written to %s", head.sequence, head.hash, path)
    return Checkpoint(head.sequence, head.hash, written_at, path)


def read_all() -> list[Checkpoint]:
    """Every checkpoint in the folder, oldest first; unreadable or badly signed ones marked invalid."""
    found = []
    if not folder().is_dir():
        return found
    for path in sorted(folder().glob(f"{PREFIX}*.json")):
        try:
            body = json.loads(path.read_text())
            sequence, digest, written_at = int(body["sequence"]), str(body["hash"]), str(body["written_at"])
            valid = hmac.compare_digest(str(body["signature"]), _signature(sequence, digest, written_at))
        except (OSError, ValueError, KeyError, TypeError):
            found.append(Checkpoint(0, "", "", path, valid=False))
            continue
        found.append(Checkpoint(sequence, digest, written_at, path, valid=valid))
    return sorted(found, key=lambda c: c.sequence)
