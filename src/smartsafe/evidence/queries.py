"""Every read of the vault's records. The scope is decided here; content is read only by actions.

Listing files (names, sizes, hashes) is part of reading the case or contact page, whose read is
already audited; opening a file is an action with its own reason, custody entry and audit event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import Http404

from .models import CustodyEvent, DuplicateMatch, EvidenceFile, KnownContentMatch, KnownHashList, ScanStatus
from .permissions import can_add_evidence, can_manage_hash_lists, can_read_evidence


def files_visible_to(user):
    """Files ``user`` may see. Liaisons: none here (shared evidence travels in referral packets)."""
    if not can_read_evidence(user):
        return EvidenceFile.objects.none()
    return EvidenceFile.objects.all()


def access_file(user, pk) -> EvidenceFile:
    """One file's record if ``user`` may see it; missing and forbidden look alike (404)."""
    try:
        return (
            files_visible_to(user)
            .select_related("case", "contact", "contact__case", "received_by", "deleted_by")
            .get(pk=int(pk))
        )
    except (EvidenceFile.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such file.") from None


def custody_log(file: EvidenceFile):
    return CustodyEvent.objects.filter(file=file).select_related("actor")


@dataclass
class PanelRow:
    """What the evidence panel shows for one file; never its content."""

    file: EvidenceFile
    seen_before: list[str] = field(default_factory=list)  # references of other cases with the same file
    known_lists: list[str] = field(default_factory=list)  # hash lists of known content it matched

    @property
    def sha256_short(self) -> str:
        return self.file.sha256[:12]


def panel_rows(user, *, case=None, contact=None) -> list[PanelRow]:
    """The files of a case (its own and its contacts') or of one contact, in three queries."""
    scope = files_visible_to(user).select_related("case", "contact__case", "received_by")
    if case is not None:
        files = list(scope.for_case(case))
    elif contact is not None:
        files = list(scope.filter(contact=contact))
    else:
        return []
    rows = {f.pk: PanelRow(f) for f in files}
    if not rows:
        return []
    own_case = case.pk if case is not None else (contact.case_id if contact is not None else None)
    related = ("file__case", "file__contact__case", "earlier__case", "earlier__contact__case")
    matches = DuplicateMatch.objects.filter(file__in=rows).select_related(*related)
    later = DuplicateMatch.objects.filter(earlier__in=rows).select_related(*related)
    flagged = [pk for pk, row in rows.items() if row.file.known_content]
    for known in KnownContentMatch.objects.filter(file__in=flagged).order_by("pk") if flagged else []:
        if known.list_name not in rows[known.file_id].known_lists:
            rows[known.file_id].known_lists.append(known.list_name)
    pairs = [(m.file, m.earlier) for m in matches] + [(m.earlier, m.file) for m in later]
    for mine, other in pairs:
        other_case = other.resolved_case
        if other_case is None or other_case.pk == own_case:
            continue
        seen = rows[mine.pk].seen_before
        if other_case.reference not in seen:
            seen.append(other_case.reference)
    return list(rows.values())


def panel_context(user, *, case=None, contact=None) -> dict:
    """Context for ``{% include "evidence/_panel.html" with files=evidence_files %}`` on a page."""
    from django.urls import reverse

    upload_url = ""
    if can_add_evidence(user):
        if case is not None:
            upload_url = reverse("evidence:upload_case", args=[case.reference])
        elif contact is not None:
            upload_url = reverse("evidence:upload_contact", args=[contact.pk])
    return {"evidence_files": panel_rows(user, case=case, contact=contact), "evidence_upload_url": upload_url}


def known_matches(file: EvidenceFile):
    """Why a file is flagged as known content: the lists it matched, how and how closely."""
    return KnownContentMatch.objects.filter(file=file).select_related("hash_list")


def require_list_manager(user) -> None:
    """Hash-list pages exist only for those who manage lists; for everyone else they are 404."""
    if not can_manage_hash_lists(user):
        raise Http404("No such page.")


def hash_lists(user):
    require_list_manager(user)
    return KnownHashList.objects.select_related("imported_by", "withdrawn_by")


def access_hash_list(user, pk) -> KnownHashList:
    try:
        return hash_lists(user).get(pk=int(pk))
    except (KnownHashList.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such list.") from None


def confirmed_files(user):
    require_list_manager(user)
    return EvidenceFile.objects.filter(confirmed_at__isnull=False)


def files_of_case(case, ids) -> list[EvidenceFile]:
    """The files ``ids`` of ``case`` (attached to it or to its contacts), by id: what a referral's
    delivery exports. No audit here: the export that follows is the audited reading."""
    return list(EvidenceFile.objects.for_case(case).filter(pk__in=ids).order_by("pk"))


def file_to_match(pk: int) -> EvidenceFile | None:
    """A file the matching task was queued for (gone when its transaction rolled back)."""
    return EvidenceFile.objects.select_related("case", "contact__case").filter(pk=pk).first()


def files_never_matched():
    return EvidenceFile.objects.filter(matched_at__isnull=True).select_related("case", "contact__case")


def files_with_duplicates():
    file_ids = set(DuplicateMatch.objects.values_list("file_id", flat=True))
    return EvidenceFile.objects.filter(pk__in=file_ids).select_related("case", "contact__case")


def files_to_rescan():
    """Stored files that were never scanned, or whose scan failed (the scanner was down)."""
    return EvidenceFile.objects.filter(
        scan_status__in=[ScanStatus.ERROR, ScanStatus.NOT_SCANNED], deleted_at=None
    )
