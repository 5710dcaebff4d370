"""Reads of the privacy app. Every page here is the data-protection officer's (``permissions``)."""

from __future__ import annotations

from smartsafe.cases.models import Case

from .models import LegalHold, RetentionRun, SubjectRequest


def case_by_reference(reference: str) -> Case | None:
    return Case.objects.filter(reference=(reference or "").strip()).first()


def active_holds():
    return LegalHold.objects.filter(lifted_at__isnull=True).select_related("case", "placed_by")


def hold(pk: int) -> LegalHold | None:
    return LegalHold.objects.filter(pk=pk).first()


def recent_runs(limit: int = 10) -> list[RetentionRun]:
    return list(RetentionRun.objects.select_related("actor")[:limit])


def subject_requests(limit: int = 50) -> list[SubjectRequest]:
    return list(SubjectRequest.objects.select_related("opened_by", "decided_by")[:limit])


def subject_request(pk: int) -> SubjectRequest | None:
    return SubjectRequest.objects.select_related("opened_by", "decided_by").filter(pk=pk).first()
