"""Reads of the public portal: a report by its codes, its public status, completeness for staff.

The public status says only received / being handled / forwarded / closed — never who handles
it, what was decided or anything from the case. A wrong secret and an unknown reference are
indistinguishable (same answer, same work).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases.models import Case
from smartsafe.intake.facts import ArtefactFact, ContactFacts
from smartsafe.referrals import queries as referral_queries
from smartsafe.taxonomy import cache as taxonomy_cache
from smartsafe.taxonomy.models import AgeBand, Municipality, Platform

from . import completeness, tokens
from .models import PublicReport, ReportDraft

RECEIVED, IN_PROGRESS, FORWARDED, CLOSED = "received", "being_handled", "forwarded", "closed"
STATUSES = {
    RECEIVED: _("Received"),
    IN_PROGRESS: _("Being handled"),
    FORWARDED: _("Forwarded to an institution"),
    CLOSED: _("Closed"),
}
EXPLANATIONS = {
    RECEIVED: _("We have your report. A counsellor will read it soon."),
    IN_PROGRESS: _("A counsellor is working on your report."),
    FORWARDED: _("We passed your report to an institution that can act, such as the police."),
    CLOSED: _("We have finished working on this report. You can still add information, or call us."),
}


def live_draft(token) -> ReportDraft | None:
    """The unexpired draft with ``token`` (a session's), or None. Expired ones are purged on a
    schedule (``tasks.purge_expired_drafts``); until then they are simply not found."""
    if not isinstance(token, str) or not token:
        return None
    cutoff = timezone.now() - dt.timedelta(hours=settings.SMARTSAFE_PORTAL_DRAFT_HOURS)
    return ReportDraft.objects.filter(token=token, updated_at__gte=cutoff).first()


def find_report(reference, secret) -> PublicReport | None:
    """The report with this reference and secret, or None — the same for any kind of mismatch."""
    canonical = tokens.normalize_reference(reference)
    report = (
        PublicReport.objects.select_related("contact__case", "category").filter(reference=canonical).first()
        if canonical
        else None
    )
    if not tokens.secret_matches(secret, report.secret_hash if report else None):
        return None
    return report


def _case_of(report: PublicReport):
    if report.contact.case_id:
        return report.contact.case
    for addition in report.additions.select_related("contact__case"):
        if addition.contact.case_id:
            return addition.contact.case
    return None


def _from_referrals(case) -> str | None:
    """``smartsafe.referrals.queries.public_status(case)``: it knows which referrals count as sent."""
    value = referral_queries.public_status(case)
    return value if value in STATUSES else None


def _institutions(case) -> list[str]:
    """Named only where the centre chose so (``SMARTSAFE_PUBLIC_STATUS_NAMES_INSTITUTION``)."""
    return list(referral_queries.public_institutions(case)) if case is not None else []


@dataclass
class PublicStatus:
    reference: str
    status: str
    updated_at: dt.datetime
    institutions: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(STATUSES[self.status])

    @property
    def explanation(self) -> str:
        return str(EXPLANATIONS[self.status])


def public_status(report: PublicReport, *, audit: bool = True) -> PublicStatus:
    contact = report.contact
    case = _case_of(report)
    moments = [report.updated_at, contact.updated_at]
    if case is not None:
        moments.append(case.updated_at)
        if case.state == "closed":
            status = CLOSED
        elif (
            case.kind == "referred"
            or case.state == "awaiting_institution"
            or _from_referrals(case) == FORWARDED
        ):
            status = FORWARDED
        else:
            status = IN_PROGRESS  # a counsellor opened a case: someone is on it
    elif contact.state == "closed":
        status = CLOSED
    elif contact.state in ("triaged", "linked"):
        status = IN_PROGRESS
    else:
        status = RECEIVED
    if audit:
        record(codes.PORTAL_STATUS, obj=report, status=status)
    institutions = _institutions(case) if status == FORWARDED else []
    return PublicStatus(
        reference=report.reference, status=status, updated_at=max(moments), institutions=institutions
    )


# --- for staff pages ------------------------------------------------------------------------------


@dataclass
class StaffCompleteness:
    """What the staff include ``portal/_completeness.html`` shows for one public report."""

    report: PublicReport
    score: int
    missing: list[str] = field(default_factory=list)
    artefacts: list = field(default_factory=list)
    additions: list = field(default_factory=list)

    @property
    def checklist(self) -> list[tuple[str, bool]]:
        category = self.report.category.code if self.report.category else completeness.OTHER
        gaps = set(self.report.missing or [])
        return [(completeness.ITEMS[item], item not in gaps) for item in completeness.checklist(category)]


def _report_for_contact(contact) -> PublicReport | None:
    report = PublicReport.objects.filter(contact=contact).select_related("category").first()
    if report is None:
        report = PublicReport.objects.filter(additions__contact=contact).select_related("category").first()
    return report


def staff_completeness(report: PublicReport) -> StaffCompleteness:
    return StaffCompleteness(
        report=report,
        score=report.completeness,
        missing=completeness.labels(report.missing),
        artefacts=list(report.artefacts.select_related("platform")),
        additions=list(report.additions.select_related("contact")),
    )


def completeness_for_contact(contact) -> tuple[int | None, list[str]]:
    """``(score, missing labels)`` of the public report ``contact`` came from (its first contact
    or an addition); ``(None, [])`` for a contact that did not come through the portal.

    The caller has already checked that the user may read ``contact`` (intake.queries)."""
    report = _report_for_contact(contact)
    if report is None:
        return None, []
    return report.completeness, completeness.labels(report.missing)


def staff_completeness_for(obj) -> list[StaffCompleteness]:
    """Panels for a contact or a case (every public report among the case's contacts)."""
    if isinstance(obj, Case):
        reports = PublicReport.objects.filter(contact__case=obj).select_related("category")
        extra = PublicReport.objects.filter(additions__contact__case=obj).select_related("category")
        found = {report.pk: report for report in list(reports) + list(extra)}
        return [staff_completeness(report) for report in found.values()]
    report = _report_for_contact(obj) if obj is not None else None
    return [staff_completeness(report)] if report else []


def case_facts(contact):
    """What the public report behind ``contact`` (its first contact or an addition) holds for the
    case opened from it: age band, municipality, platforms and the online artefacts, or None for
    a contact that did not come through the portal. Registered in ``apps.ready`` (intake/facts.py)."""
    report = _report_for_contact(contact)
    if report is None:
        return None
    answers = report.answers or {}
    platforms = [taxonomy_cache.by_code(Platform, code) for code in answers.get("platforms") or []]
    return ContactFacts(
        age_band=taxonomy_cache.by_code(AgeBand, answers.get("age_band") or ""),
        municipality=taxonomy_cache.by_code(Municipality, answers.get("municipality") or ""),
        platforms=[p for p in platforms if p is not None],
        artefacts=[
            ArtefactFact(kind=a.kind, value=a.value, normalized=a.normalized, platform=a.platform)
            for a in report.artefacts.select_related("platform")
        ],
    )


def report_by_reference(reference: str) -> PublicReport | None:
    """A report by its canonical reference: for a browser that already proved it holds the secret."""
    return (
        PublicReport.objects.select_related("contact__case", "category").filter(reference=reference).first()
    )
