"""Every read of cases goes through here: the role's scope first, then the audit record.

Liaisons see only cases shared with their own institution (``CaseShare``); everyone else sees
cases only if their role reads casework. An object outside the scope is indistinguishable from a
missing one (404), so an institution cannot even learn that another's case exists.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.directory.permissions import liaison_institution_id

from .models import Artefact, Case, CaseNote, TimelineEntry
from .permissions import can_read_cases


def cases_visible_to(user):
    if can_read_cases(user):
        return Case.objects.all()
    institution_id = liaison_institution_id(user)
    if institution_id is not None:
        return Case.objects.filter(shares__institution_id=institution_id).distinct()
    return Case.objects.none()


def case_list(user):
    return (
        cases_visible_to(user)
        .select_related("owner", "assigned_to", "municipality", "child_age_band")
        .prefetch_related("categories")
    )


def access_case(user, pk_or_reference, *, audit: bool = True) -> Case:
    """One case (by id or reference) if ``user`` may see it; the read is audited (``case.view``).

    ``audit=False`` when the case is fetched for a write: the write's own event says what was done,
    so the read is not logged twice. It locks nothing; actions lock what they change.
    """
    queryset = cases_visible_to(user).select_related(
        "owner",
        "assigned_to",
        "municipality",
        "child_age_band",
        "child_sex",
        "closure_requested_by",
        "closed_by",
    )
    key = str(pk_or_reference).strip()
    try:
        case = queryset.get(pk=int(key)) if key.isdigit() else queryset.get(reference=key.upper())
    except (Case.DoesNotExist, ValueError, OverflowError):
        raise Http404("No such case.") from None
    if audit:
        record(codes.CASE_VIEW, actor=user, obj=case)
    return case


def case_detail_parts(case: Case) -> dict:
    """Everything the case page shows besides the case row, in a fixed number of queries."""
    return {
        "contacts": case.contacts.select_related("channel", "reporter_type").order_by("received_at"),
        "notes": case_notes(case),
        "artefacts": case.artefacts.select_related("platform"),
        "timeline": case_timeline(case),
        "linked_cases": linked_cases(case),
        "categories": case.categories.all(),
        "platforms": case.platforms.all(),
    }


def linked_cases(case: Case):
    # One query with OR rather than a UNION: SQLite refuses the ORDER BY (Meta.ordering) inside a UNION.
    return Case.objects.filter(Q(links_in__from_case=case) | Q(links_out__to_case=case)).distinct()


def record_list_read(user, *, filters: dict, count: int) -> None:
    record(codes.CASE_LIST, actor=user, object_type="cases.case", filters=filters, count=count)


def case_notes(case: Case):
    """The case's notes with their authors (the caller has read the case through ``access_case``)."""
    return CaseNote.objects.filter(case=case).select_related("author")


def case_timeline(case: Case):
    """The case's timeline with who did each thing (the caller has read the case)."""
    return TimelineEntry.objects.filter(case=case).select_related("actor")


def artefacts_also_in(user, artefacts) -> list[tuple[str, str]]:
    """``(normalized value, case reference)`` of the same artefacts reported in other cases that
    ``user`` may see, by reference."""
    return list(
        Artefact.objects.filter(
            normalized__in={a.normalized for a in artefacts}, case__in=cases_visible_to(user)
        )
        .exclude(case_id__in={a.case_id for a in artefacts})
        .order_by("case__reference")
        .values_list("normalized", "case__reference")
    )
