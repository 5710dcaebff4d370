"""The auditor's pages: browse and filter the log, open one event, verify the chain, export CSV.

Every page is itself audited (``audit.*`` codes), so the log also shows who read the log.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import codes
from .chain import GENESIS_HASH, compute_hash
from .export import csv_lines
from .filters import AuditEventFilter
from .log import record
from .queries import AUDIT_OBJECT_TYPE, access_event, audit_log, neighbours
from .verify import verify_chain

PAGE_SIZE = 50
EXPORT_CHUNK = 2000


@require_GET
@login_required
def event_list(request):
    events = audit_log(request.user)
    filterset = AuditEventFilter(request.GET or None, queryset=events)
    page = Paginator(_filtered(filterset), PAGE_SIZE).get_page(request.GET.get("page"))
    page_events = list(page.object_list)
    record(
        codes.AUDIT_BROWSE,
        actor=request.user,
        object_type=AUDIT_OBJECT_TYPE,
        filters=filterset.applied(),
        page=page.number,
        count=page.paginator.count,
    )
    return render(
        request,
        "audit/list.html",
        {"filter": filterset, "page": page, "events": page_events, "known_codes": sorted(codes.REGISTRY)},
    )


def _filtered(filterset: AuditEventFilter):
    # A filter that does not parse (a date like 2024-13-45) shows nothing rather than more than asked.
    if filterset.is_bound and not filterset.is_valid():
        return filterset.queryset.none()
    return filterset.qs


@require_GET
@login_required
def event_detail(request, sequence: int):
    event = access_event(request.user, sequence)
    previous, following = neighbours(event)
    expected_previous = previous.hash if previous else (GENESIS_HASH if event.sequence == 1 else None)
    return render(
        request,
        "audit/detail.html",
        {
            "event": event,
            "previous": previous,
            "following": following,
            # This event alone: does its content still match its seal, and does it link to the one before?
            "seal_ok": compute_hash(event.previous_hash, event) == event.hash,
            "link_ok": expected_previous == event.previous_hash if expected_previous else None,
            "description": codes.describe(event.action),
            "details_json": json.dumps(event.details, indent=2, ensure_ascii=False, sort_keys=True),
        },
    )


@require_POST
@login_required
def verify(request):
    audit_log(request.user)  # access check
    result = verify_chain()
    record(
        codes.AUDIT_VERIFY,
        actor=request.user,
        object_type=AUDIT_OBJECT_TYPE,
        outcome=codes.OUTCOME_OK if result.ok else codes.OUTCOME_FAILED,
        **result.as_details(),
    )
    return render(request, "audit/verify.html", {"result": result}, status=200)


@require_GET
@login_required
def export_csv(request):
    filterset = AuditEventFilter(request.GET or None, queryset=audit_log(request.user))
    if filterset.is_bound and not filterset.is_valid():
        return HttpResponseBadRequest(_("The filters are not valid; correct them on the audit page."))
    events = filterset.qs
    record(
        codes.AUDIT_EXPORT,
        actor=request.user,
        object_type=AUDIT_OBJECT_TYPE,
        filters=filterset.applied(),
        count=events.count(),
    )
    response = StreamingHttpResponse(
        csv_lines(events.iterator(chunk_size=EXPORT_CHUNK)), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
