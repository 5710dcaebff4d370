"""Every write to the vault. Each writes its custody event and audit event in one transaction.

Reading a file's content is an action too (``open_file``): it needs a reason, and the reading is
recorded in the chain of custody and the audit log before the bytes are returned.
"""

from __future__ import annotations

import io
import json
import logging
import zipfile

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit.log import record
from smartsafe.core import request_context

from . import crypto, hashing, scanning, storage
from .models import (
    CustodyAction,
    CustodyEvent,
    DuplicateMatch,
    EvidenceFile,
    EvidenceKind,
    ReceivedVia,
    ScanStatus,
)
from .permissions import can_add_evidence, can_delete_evidence, can_export_evidence, can_read_evidence
from .validation import EvidenceRejected, check_report_total, sanitise_name, validate_upload

log = logging.getLogger("smartsafe.evidence")


class FileUnavailable(Exception):
    """The file's content cannot be given out: deleted, quarantined, altered or its key is missing."""


def _custody(file: EvidenceFile, action: str, actor=None, reason: str = "", **details) -> CustodyEvent:
    return CustodyEvent.objects.create(
        file=file,
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        ip=request_context.current().ip,
        details=details,
    )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why you need this file; the reason is kept in its custody log.")}
        )
    return reason[:1000]


def _refuse(exc: EvidenceRejected, *, actor, filename: str, size: int, via: str, **details) -> None:
    record(
        "evidence.reject",
        actor=actor,
        object_type="evidence.evidencefile",
        object_label=filename[:200],
        outcome="failed",
        reason=exc.code,
        size=size,
        via=via,
        **details,
    )


def refuse_oversized(*, actor, filename: str, size: int, via: str) -> None:
    """Refuse (and audit) a file known to be too large before its bytes are read."""
    exc = EvidenceRejected(
        _("“%(name)s” is larger than %(limit)s MB, the most one file may be.")
        % {"name": sanitise_name(filename), "limit": settings.SMARTSAFE_EVIDENCE_MAX_FILE_MB},
        "too_large",
    )
    _refuse(exc, actor=actor, filename=sanitise_name(filename), size=size, via=via)
    raise exc


def receive_file(
    *, data: bytes, filename: str, contact=None, case=None, via: str, actor=None
) -> EvidenceFile:
    """Validate, hash, scan, encrypt and store one file that arrived on ``contact`` or ``case``.

    Raises EvidenceRejected (with a message for the sender) for a file the vault does not take;
    the refusal is audited. Files on one contact together stay within the per-report limit.
    """
    if contact is None and case is None:
        raise ValueError("A file arrives on a contact or a case.")
    if via not in ReceivedVia.values:
        raise ValueError(f"Unknown channel for evidence: {via!r}")
    if via == ReceivedVia.STAFF and not can_add_evidence(actor):
        raise PermissionDenied(_("Your role may not add evidence."))
    size = len(data) if isinstance(data, bytes | bytearray | memoryview) else 0
    where = {"contact": contact.pk if contact else None, "case": case.reference if case else None}
    try:
        validated = validate_upload(filename, data)
        check_report_total(_bytes_received(contact=contact, case=case) + validated.size)
    except EvidenceRejected as exc:
        _refuse(exc, actor=actor, filename=sanitise_name(filename), size=size, via=via, **where)
        raise
    scan = scanning.scan(validated.data)
    if scan.status == ScanStatus.INFECTED:
        exc = EvidenceRejected(
            _("“%(name)s” contains malware (%(signature)s) and was refused.")
            % {"name": validated.name, "signature": scan.signature},
            "infected",
        )
        _refuse(
            exc, actor=actor, filename=validated.name, size=size, via=via, signature=scan.signature, **where
        )
        raise exc
    digests = hashing.digests(validated.data)
    pdq = hashing.pdq(validated.data) if validated.kind == EvidenceKind.IMAGE else hashing.Pdq(None, None)
    name = storage.new_name()
    sealed = crypto.seal(validated.data, context=name)
    storage.put(name, sealed.ciphertext)
    try:
        with transaction.atomic():
            file = EvidenceFile.objects.create(
                case=case,
                contact=contact,
                filename=validated.name,
                content_type=validated.content_type,
                kind=validated.kind,
                size=validated.size,
                sha256=digests.sha256,
                md5=digests.md5,
                pdq_hash=pdq.hash,
                pdq_quality=pdq.quality,
                pdq_note=pdq.note,
                storage_name=name,
                wrapped_key=sealed.wrapped_key,
                key_id=sealed.key_id,
                nonce=sealed.nonce,
                received_via=via,
                received_by=actor if getattr(actor, "is_authenticated", False) else None,
                scan_status=scan.status,
                scan_signature=scan.signature,
            )
            _custody(file, CustodyAction.RECEIVED, actor, via=via, sha256=file.sha256, size=file.size)
            if scan.status != ScanStatus.NOT_SCANNED:
                _custody(file, CustodyAction.SCANNED, actor, status=scan.status, finding=scan.signature)
            record(
                "evidence.receive",
                actor=actor,
                obj=file,
                via=via,
                kind=file.kind,
                size=file.size,
                sha256=file.sha256,
                scan=scan.status,
                members=len(validated.members),
                **where,
            )
            _match_duplicates(file, actor)
    except BaseException:
        # Nothing refers to the ciphertext any more; its key died with the rolled-back row.
        storage.delete(name)
        raise
    return file


def _bytes_received(*, contact, case) -> int:
    if contact is None:
        return 0  # staff adding files to a case directly are not bound by the per-report limit
    total = EvidenceFile.objects.filter(contact=contact, deleted_at__isnull=True).aggregate(total=Sum("size"))
    return total["total"] or 0


def _match_duplicates(file: EvidenceFile, actor) -> list[DuplicateMatch]:
    """Record every earlier file with the same bytes or a near-identical picture, then link cases.

    PDQ distances are computed here rather than in SQL (no portable bit count): one pass over the
    stored 64-digit hashes, fast for hundreds of thousands of pictures.
    """
    found: dict[int, tuple[str, int]] = {
        pk: (DuplicateMatch.Method.SHA256, 0)
        for pk in EvidenceFile.objects.filter(sha256=file.sha256)
        .exclude(pk=file.pk)
        .values_list("pk", flat=True)
    }
    if file.pdq_hash and (file.pdq_quality or 0) >= hashing.PDQ_MIN_QUALITY:
        candidates = (
            EvidenceFile.objects.filter(pdq_quality__gte=hashing.PDQ_MIN_QUALITY, pdq_hash__isnull=False)
            .exclude(pk=file.pk)
            .values_list("pk", "pdq_hash")
        )
        for pk, other_hash in candidates.iterator(chunk_size=2000):
            if pk in found:
                continue
            distance = hashing.pdq_distance(file.pdq_hash, other_hash)
            if distance <= hashing.PDQ_MATCH_DISTANCE:
                found[pk] = (DuplicateMatch.Method.PDQ, distance)
    matches = []
    for pk, (method, distance) in sorted(found.items()):
        match = DuplicateMatch.objects.create(file=file, earlier_id=pk, method=method, distance=distance)
        _custody(file, CustodyAction.LINKED, actor, other=pk, method=method, distance=distance)
        _custody(match.earlier, CustodyAction.LINKED, actor, other=file.pk, method=method, distance=distance)
        matches.append(match)
    if matches:
        link_duplicate_cases(file, actor=actor)
    return matches


def link_duplicate_cases(file: EvidenceFile, *, actor=None) -> list:
    """Link the case of ``file`` with the cases of every file it matches; returns newly linked cases.

    Safe to call again (already linked cases are skipped). Called on arrival, and by
    ``link_contact_duplicates`` / the periodic task for files whose contact got a case later.
    """
    from smartsafe.cases.actions import link_cases_automatically
    from smartsafe.cases.models import CaseLink

    case = file.resolved_case
    if case is None:
        return []
    linked = []
    pairs = [(m.earlier, m) for m in file.matches.select_related("earlier__case", "earlier__contact__case")]
    pairs += [(m.file, m) for m in file.later_matches.select_related("file__case", "file__contact__case")]
    for other_file, match in pairs:
        other = other_file.resolved_case
        if other is None or other.pk == case.pk:
            continue
        detail = (
            f"evidence E-{match.file_id} ~ E-{match.earlier_id} ({match.method}, distance {match.distance})"
        )
        with transaction.atomic():
            if link_cases_automatically(
                case=case, other=other, reason=CaseLink.Reason.SAME_EVIDENCE, detail=detail, actor=actor
            ):
                linked.append(other)
    return linked


def link_contact_duplicates(contact, *, actor=None) -> list:
    """After ``contact`` was linked to a case: link that case with the cases its files match."""
    linked = []
    for file in EvidenceFile.objects.filter(contact=contact).select_related("contact__case"):
        linked += link_duplicate_cases(file, actor=actor)
    return linked


def open_file(*, actor, file: EvidenceFile, reason: str, download: bool = True) -> bytes:
    """The plaintext of ``file`` for ``actor``; the opening (and its reason) is in custody and audit."""
    if not can_read_evidence(actor):
        raise PermissionDenied(_("Your role may not open evidence."))
    reason = _require_reason(reason)
    data = _plaintext(file, actor=actor)
    action, code = (
        (CustodyAction.DOWNLOADED, "evidence.download")
        if download
        else (CustodyAction.VIEWED, "evidence.view")
    )
    with transaction.atomic():
        _custody(file, action, actor, reason)
        record(code, actor=actor, obj=file, reason=reason, sha256=file.sha256)
    return data


def _plaintext(file: EvidenceFile, *, actor) -> bytes:
    if file.is_deleted:
        raise FileUnavailable(_("This file was deleted; only its record and hashes remain."))
    if file.scan_status == ScanStatus.INFECTED:
        raise FileUnavailable(
            _("This file is quarantined: the virus scanner found %(signature)s.")
            % {"signature": file.scan_signature}
        )
    try:
        ciphertext = storage.get(file.storage_name)
        data = crypto.open_sealed(
            ciphertext,
            nonce=bytes(file.nonce),
            wrapped_key=bytes(file.wrapped_key),
            key_id=file.key_id,
            context=file.storage_name,
        )
    except (crypto.DecryptionFailed, crypto.UnknownKey, OSError) as exc:
        log.error("evidence E-%s cannot be opened: %s", file.pk, exc)
        record("evidence.view", actor=actor, obj=file, outcome="failed", problem=type(exc).__name__)
        raise FileUnavailable(
            _(
                "This file cannot be opened: its stored copy failed the integrity check or its key is "
                "missing. The administrators have been told."
            )
        ) from None
    if hashing.digests(data).sha256 != file.sha256:
        raise FileUnavailable(_("This file cannot be opened: its content no longer matches its SHA-256."))
    return data


@transaction.atomic
def delete_file(*, actor, file: EvidenceFile, reason: str) -> EvidenceFile:
    """Purge a file's content and key; its record, hashes and custody log stay (supervisors only)."""
    if not can_delete_evidence(actor):
        raise PermissionDenied(_("Only a supervisor may delete evidence."))
    reason = _require_reason(reason)
    file = EvidenceFile.objects.select_for_update().get(pk=file.pk)
    if file.is_deleted:
        raise ValidationError(_("This file was already deleted."))
    name = file.storage_name
    # Forgetting the wrapped key makes the ciphertext unreadable at once (crypto-shredding);
    # removing the stored bytes after commit is housekeeping.
    file.wrapped_key, file.nonce = b"", b""
    file.deleted_at, file.deleted_by, file.deletion_reason = timezone.now(), actor, reason
    file.save(update_fields=["wrapped_key", "nonce", "deleted_at", "deleted_by", "deletion_reason"])
    _custody(file, CustodyAction.DELETED, actor, reason)
    record("evidence.delete", actor=actor, obj=file, reason=reason, sha256=file.sha256)
    transaction.on_commit(lambda: storage.delete(name))
    return file


def export_files(*, actor, files, reason: str, recipient: str = "") -> bytes:
    """A zip of the files' content with a manifest of their hashes, for handing over (e.g. to police)."""
    if not can_export_evidence(actor):
        raise PermissionDenied(_("Your role may not export evidence."))
    reason = _require_reason(reason)
    files = [f for f in files if not f.is_deleted and f.scan_status != ScanStatus.INFECTED]
    if not files:
        raise ValidationError(_("There are no files to export."))
    buffer, manifest = io.BytesIO(), []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            entry = f"E-{file.pk}-{file.filename}"
            archive.writestr(entry, _plaintext(file, actor=actor))
            manifest.append(
                {
                    "file": entry,
                    "id": file.pk,
                    "filename": file.filename,
                    "content_type": file.content_type,
                    "size": file.size,
                    "sha256": file.sha256,
                    "md5": file.md5,
                    "pdq": file.pdq_hash,
                    "received_at": file.received_at.isoformat(),
                    "received_via": file.received_via,
                }
            )
        archive.writestr(
            "manifest.json",
            json.dumps(
                {
                    "exported_at": timezone.now().isoformat(),
                    "exported_by": actor.get_username(),
                    "recipient": recipient,
                    "files": manifest,
                },
                ensure_ascii=False,
                indent=2,
            ),
        )
    with transaction.atomic():
        for file in files:
            _custody(file, CustodyAction.EXPORTED, actor, reason, recipient=recipient)
        record(
            "evidence.export",
            actor=actor,
            object_type="evidence.evidencefile",
            object_id=",".join(str(f.pk) for f in files)[:64],
            reason=reason,
            recipient=recipient,
            files=[f.pk for f in files],
        )
    return buffer.getvalue()


def rotate_key(new: crypto.MasterKey, *, actor=None) -> int:
    """Re-wrap every stored file's key under ``new``; content is not touched. Returns files changed.

    One transaction per file, so an interrupted run can simply be started again: files already
    under ``new`` are skipped. The old keys must still be configured (current or previous).
    """
    ring = crypto.keyring()
    changed, old_ids = 0, set()
    pending = (
        EvidenceFile.objects.filter(deleted_at__isnull=True)
        .exclude(key_id=new.id)
        .values_list("pk", flat=True)
    )
    for pk in list(pending):
        with transaction.atomic():
            file = EvidenceFile.objects.select_for_update().get(pk=pk)
            if file.key_id == new.id or file.is_deleted:
                continue
            old = ring.get(file.key_id)
            if old is None:
                raise crypto.UnknownKey(
                    f"E-{file.pk} is wrapped by key {file.key_id}, which is not configured."
                )
            file.wrapped_key = crypto.rewrap(
                bytes(file.wrapped_key), old=old, new=new, context=file.storage_name
            )
            file.key_id = new.id
            file.save(update_fields=["wrapped_key", "key_id"])
            _custody(file, CustodyAction.REKEYED, actor, old_key=old.id, new_key=new.id)
            old_ids.add(old.id)
            changed += 1
    record(
        "evidence.rekey",
        actor=actor,
        object_type="evidence.evidencefile",
        files=changed,
        old_keys=sorted(old_ids),
        new_key=new.id,
    )
    return changed


def rescan_file(file: EvidenceFile, *, actor=None) -> str:
    """Scan a stored file again (it arrived while the scanner was down); returns the new status."""
    data = _plaintext(file, actor=actor)
    result = scanning.scan(data)
    with transaction.atomic():
        EvidenceFile.objects.filter(pk=file.pk).update(
            scan_status=result.status, scan_signature=result.signature
        )
        file.scan_status, file.scan_signature = result.status, result.signature
        _custody(file, CustodyAction.SCANNED, actor, status=result.status, finding=result.signature)
        record("evidence.scan", actor=actor, obj=file, status=result.status, finding=result.signature)
    return result.status
