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

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases.actions import link_cases_automatically
from smartsafe.cases.models import CaseLink
from smartsafe.core import request_context
from smartsafe.intake.actions import mark_urgent

from . import crypto, hashing, hashlists, matching, scanning, storage
from .models import (
    CustodyAction,
    CustodyEvent,
    DuplicateMatch,
    EvidenceFile,
    EvidenceKind,
    HashAlgorithm,
    KnownContentMatch,
    KnownHash,
    KnownHashList,
    ReceivedVia,
    ScanStatus,
    VideoFrameHash,
)
from .permissions import (
    can_add_evidence,
    can_delete_evidence,
    can_export_evidence,
    can_manage_hash_lists,
    can_read_evidence,
)
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
        codes.EVIDENCE_REJECT,
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
    frames = hashing.video_frames(validated.data) if validated.kind == EvidenceKind.VIDEO else []
    if validated.kind == EvidenceKind.VIDEO:
        pdq = hashing.Pdq(None, None, _("%(count)s key frames hashed") % {"count": len(frames)})
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
                sha1=digests.sha1,
                pdq_hash=pdq.hash,
                pdq_quality=pdq.quality,
                pdq_note=pdq.note,
                pdq_dihedral=pdq.dihedral_text,
                storage_name=name,
                wrapped_key=sealed.wrapped_key,
                key_id=sealed.key_id,
                nonce=sealed.nonce,
                received_via=via,
                received_by=actor if getattr(actor, "is_authenticated", False) else None,
                scan_status=scan.status,
                scan_signature=scan.signature,
            )
            VideoFrameHash.objects.bulk_create(
                VideoFrameHash(
                    file=file,
                    at_seconds=frame.at_seconds,
                    pdq_hash=frame.pdq.hash,
                    pdq_quality=frame.pdq.quality,
                    pdq_dihedral=frame.pdq.dihedral_text,
                )
                for frame in frames
            )
            _custody(file, CustodyAction.RECEIVED, actor, via=via, sha256=file.sha256, size=file.size)
            if scan.status != ScanStatus.NOT_SCANNED:
                _custody(file, CustodyAction.SCANNED, actor, status=scan.status, finding=scan.signature)
            record(
                codes.EVIDENCE_RECEIVE,
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
            # Known content is flagged before anyone sees the file (a digest look-up and the
            # list index); the comparison with the rest of the vault runs in the worker.
            flag_known_content(file, actor=actor)
            transaction.on_commit(lambda: _queue_matching(file.pk))
    except BaseException:
        # Nothing refers to the ciphertext any more; its key died with the rolled-back row.
        storage.delete(name)
        raise
    return file


def _queue_matching(pk: int) -> None:
    # Imported here: tasks.py imports this module at load time, as its tasks run these actions.
    from .tasks import match_file_task

    try:
        match_file_task.enqueue(pk)
    except Exception:  # noqa: BLE001 - the periodic job compares every file not yet compared
        log.exception("evidence E-%s: matching not queued; the periodic job will do it", pk)


def _bytes_received(*, contact, case) -> int:
    if contact is None:
        return 0  # staff adding files to a case directly are not bound by the per-report limit
    total = EvidenceFile.objects.filter(contact=contact, deleted_at__isnull=True).aggregate(total=Sum("size"))
    return total["total"] or 0


def match_file(file: EvidenceFile, *, actor=None) -> list[DuplicateMatch]:
    """Compare ``file`` with the vault: record every new duplicate pair, link the cases, check the
    hash lists again. Safe to run twice and from several workers at once.

    Each pair is kept once, the newer file first, whichever of the two files is compared first
    (of two files stored at the same time, the one compared second sees the other).
    """
    found = matching.duplicates_of(file)
    matches = []
    for pk, (method, distance, variant) in sorted(found.items()):
        newer, earlier = (file.pk, pk) if file.pk > pk else (pk, file.pk)
        with transaction.atomic():
            match, created = DuplicateMatch.objects.get_or_create(
                file_id=newer,
                earlier_id=earlier,
                defaults={"method": method, "distance": distance, "variant": variant},
            )
            if created:
                details = {"method": method, "distance": distance, "variant": hashing.DIHEDRAL[variant]}
                _custody(match.file, CustodyAction.LINKED, actor, other=earlier, **details)
                _custody(match.earlier, CustodyAction.LINKED, actor, other=newer, **details)
                matches.append(match)
    if found:
        link_duplicate_cases(file, actor=actor)
    flag_known_content(file, actor=actor)
    EvidenceFile.objects.filter(pk=file.pk).update(matched_at=timezone.now())
    return matches


def flag_known_content(file: EvidenceFile, *, actor=None) -> list[KnownContentMatch]:
    """Record each hash list in force that holds ``file``; flag the file and mark its contact urgent."""
    new = []
    for found in matching.known_content_of(file):
        with transaction.atomic():
            hash_list = KnownHashList.objects.get(pk=found.hash_list_id)
            match, created = KnownContentMatch.objects.get_or_create(
                file=file,
                hash_list=hash_list,
                defaults={
                    "list_name": hash_list.name,
                    "method": found.method,
                    "value": found.value,
                    "distance": found.distance,
                    "variant": found.variant,
                },
            )
            if not created:
                continue
            details = {
                "hash_list": hash_list.name,
                "method": found.method,
                "distance": found.distance,
                "variant": hashing.DIHEDRAL[found.variant],
            }
            _custody(file, CustodyAction.KNOWN, actor, **details)
            record(codes.EVIDENCE_KNOWN_CONTENT, actor=actor, obj=file, sha256=file.sha256, **details)
            new.append(match)
    if new:
        EvidenceFile.objects.filter(pk=file.pk).update(known_content=True)
        file.known_content = True
        if file.contact_id:
            names = ", ".join(m.list_name for m in new)
            mark_urgent(file.contact, reason=f"evidence E-{file.pk} matches hash list {names}", actor=actor)
    return new


def link_duplicate_cases(file: EvidenceFile, *, actor=None) -> list:
    """Link the case of ``file`` with the cases of every file it matches; returns newly linked cases.

    Safe to call again (already linked cases are skipped). Called on arrival, and by
    ``link_contact_duplicates`` / the periodic task for files whose contact got a case later.
    """
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
    if not download and file.known_content:
        raise FileUnavailable(
            _("This file matches a list of known abuse material and is never shown in the browser.")
        )
    data = _plaintext(file, actor=actor)
    action, code = (
        (CustodyAction.DOWNLOADED, codes.EVIDENCE_DOWNLOAD)
        if download
        else (CustodyAction.VIEWED, codes.EVIDENCE_VIEW)
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
        record(codes.EVIDENCE_VIEW, actor=actor, obj=file, outcome="failed", problem=type(exc).__name__)
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
    record(codes.EVIDENCE_DELETE, actor=actor, obj=file, reason=reason, sha256=file.sha256)
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
                    "sha1": file.sha1,
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
            codes.EVIDENCE_EXPORT,
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
        codes.EVIDENCE_REKEY,
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
        record(codes.EVIDENCE_SCAN, actor=actor, obj=file, status=result.status, finding=result.signature)
    return result.status


# --- hash lists ----------------------------------------------------------------------------


def _require_list_manager(actor) -> None:
    # ``actor`` None is the command line (manage.py hashlist), run by the operators.
    if actor is not None and not can_manage_hash_lists(actor):
        raise PermissionDenied(_("Only a supervisor may manage hash lists."))


def import_hash_list(
    *,
    actor,
    name: str,
    data: bytes | str,
    source: str,
    algorithm: str = hashlists.AUTO,
    list_date=None,
    description: str = "",
    replace: bool = False,
) -> KnownHashList:
    """Import a partner's list (or replace the entries of one with the same name).

    Raises HashListInvalid (every bad line by number; nothing imported) or ValidationError.
    """
    _require_list_manager(actor)
    name, source = (name or "").strip(), (source or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the list a name.")})
    if not source:
        raise ValidationError({"source": _("Say where the list comes from.")})
    if replace and algorithm == hashlists.AUTO:
        # A replacement holds what the list held.
        algorithm = (
            KnownHashList.objects.filter(name=name).values_list("algorithm", flat=True).first()
            or hashlists.AUTO
        )
    parsed = hashlists.parse(data, algorithm)
    now = timezone.now()
    with transaction.atomic():
        existing = KnownHashList.objects.select_for_update().filter(name=name).first()
        if existing is not None and not replace:
            raise ValidationError(
                {"name": _("A list with this name exists: replace it, or choose another name.")}
            )
        if existing is not None and existing.algorithm != parsed.algorithm:
            raise ValidationError(
                {
                    "name": _("This list holds %(kind)s hashes; a replacement must too.")
                    % {"kind": existing.get_algorithm_display()}
                }
            )
        hash_list = existing or KnownHashList(name=name, algorithm=parsed.algorithm)
        before = hash_list.entry_count if existing else None
        hash_list.source, hash_list.list_date, hash_list.description = source[:200], list_date, description
        hash_list.status, hash_list.entry_count, hash_list.changed_at = (
            KnownHashList.Status.ACTIVE,
            len(parsed.hashes),
            now,
        )
        hash_list.imported_at, hash_list.imported_by = now, actor
        hash_list.withdrawn_at, hash_list.withdrawn_by, hash_list.withdrawal_reason = None, None, ""
        hash_list.save()
        if existing is not None:
            KnownHash.objects.filter(hash_list=hash_list).delete()
        KnownHash.objects.bulk_create(
            (
                KnownHash(hash_list=hash_list, algorithm=parsed.algorithm, value=value, quality=quality)
                for value, quality in parsed.hashes.items()
            ),
            batch_size=5000,
        )
        record(
            codes.EVIDENCE_HASHLIST_IMPORT,
            actor=actor,
            obj=hash_list,
            algorithm=parsed.algorithm,
            hashes=len(parsed.hashes),
            replaced=before,
            source=hash_list.source,
            list_date=list_date.isoformat() if list_date else None,
        )
    return hash_list


@transaction.atomic
def withdraw_hash_list(*, actor, hash_list: KnownHashList, reason: str) -> KnownHashList:
    """Stop matching against a list: its hashes are removed; the record and its matches stay."""
    _require_list_manager(actor)
    reason = _require_reason(reason)
    hash_list = KnownHashList.objects.select_for_update().get(pk=hash_list.pk)
    if not hash_list.is_active:
        raise ValidationError(_("This list was already withdrawn."))
    KnownHash.objects.filter(hash_list=hash_list).delete()
    hash_list.status, hash_list.changed_at = KnownHashList.Status.WITHDRAWN, timezone.now()
    hash_list.withdrawn_at, hash_list.withdrawn_by, hash_list.withdrawal_reason = (
        hash_list.changed_at,
        actor,
        reason,
    )
    hash_list.save()
    record(
        codes.EVIDENCE_HASHLIST_WITHDRAW,
        actor=actor,
        obj=hash_list,
        reason=reason,
        hashes=hash_list.entry_count,
    )
    return hash_list


@transaction.atomic
def confirm_file(*, actor, file: EvidenceFile, reason: str) -> EvidenceFile:
    """A supervisor confirms a file as abuse material: its hashes join the centre's shared list."""
    _require_list_manager(actor)
    if actor is None:
        raise PermissionDenied(_("A person confirms a file."))
    reason = _require_reason(reason)
    file = EvidenceFile.objects.select_for_update().get(pk=file.pk)
    if file.confirmed_at:
        raise ValidationError(_("This file was already confirmed."))
    file.confirmed_at, file.confirmed_by = timezone.now(), actor
    file.save(update_fields=["confirmed_at", "confirmed_by"])
    _custody(file, CustodyAction.CONFIRMED, actor, reason)
    record(codes.EVIDENCE_CONFIRM, actor=actor, obj=file, reason=reason, sha256=file.sha256)
    return file


def export_confirmed_hashes(*, actor, algorithm: str, recipient: str = "") -> str:
    """The hashes of the files the centre confirmed, for partners, in ``hashlists``' formats.

    Hashes only: no picture, name or case leaves with them.
    """
    _require_list_manager(actor)
    if algorithm not in HashAlgorithm.values:
        raise ValidationError(_("Unknown kind of hash: %(kind)s.") % {"kind": algorithm})
    confirmed = EvidenceFile.objects.filter(confirmed_at__isnull=False).order_by("confirmed_at", "pk")
    if algorithm == HashAlgorithm.PDQ:
        rows = list(
            confirmed.filter(pdq_hash__isnull=False)
            .exclude(pdq_quality__lt=hashing.PDQ_MIN_QUALITY)
            .values_list("pdq_hash", "pdq_quality")
        )
    else:
        rows = [
            (value, None) for value in confirmed.exclude(**{algorithm: ""}).values_list(algorithm, flat=True)
        ]
    rows = list(dict.fromkeys(rows))
    record(
        codes.EVIDENCE_HASHLIST_EXPORT,
        actor=actor,
        object_type="evidence.evidencefile",
        algorithm=algorithm,
        hashes=len(rows),
        recipient=recipient,
    )
    return hashlists.write(algorithm, rows)


@transaction.atomic
def shred_for_retention(*, file: EvidenceFile, policy: str = "evidence") -> EvidenceFile:
    """Crypto-shred a file whose retention period is over (the privacy app's scheduled job).

    As ``delete_file`` does, but by the system rather than a supervisor: the wrapped key and nonce
    are forgotten, the stored bytes removed after commit; the record, its hashes and its custody
    log stay (statistics and the chain of custody do not change). Files of cases under a legal
    hold never reach here (the job leaves them out).
    """
    file = EvidenceFile.objects.select_for_update().get(pk=file.pk)
    if file.is_deleted:
        return file
    reason = f"retention period over ({policy})"
    name = file.storage_name
    file.wrapped_key, file.nonce = b"", b""
    file.deleted_at, file.deleted_by, file.deletion_reason = timezone.now(), None, reason
    file.save(update_fields=["wrapped_key", "nonce", "deleted_at", "deleted_by", "deletion_reason"])
    _custody(file, CustodyAction.DELETED, None, reason)
    record(codes.EVIDENCE_DELETE, actor=None, obj=file, reason=reason, sha256=file.sha256)
    transaction.on_commit(lambda: storage.delete(name))
    return file
