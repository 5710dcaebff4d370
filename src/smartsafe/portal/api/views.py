"""``/api/v1/reports/``: the public report as JSON (or multipart with files), for apps and partners.

Anonymous by design: no authentication (so no session and no CSRF), rate-limited per client.
Every answer goes through the same forms as the web pages. A wrong secret and an unknown
reference get the same 404.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework import status as http
from rest_framework.decorators import action
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from smartsafe.api.parsers import JSONParser, MultiPartParser

from .. import actions, completeness, files, queries, ratelimit, submissions
from .. import answers as report_answers
from ..forms import AdditionForm, CategoryForm, DetailsForm, ReporterForm
from .serializers import (
    ReportAdditionReceiptSerializer,
    ReportAdditionSerializer,
    ReportCreateSerializer,
    ReportReceiptSerializer,
    ReportStatusSerializer,
)

LIST_FIELDS = {"platforms", "reported_to"}
LINE_FIELDS = {"urls", "people"}  # lists in the API, one per line in the web form
SECRET_HEADER = "X-Follow-Up-Secret"
_REFERENCE = OpenApiParameter("reference", str, OpenApiParameter.PATH, description="e.g. PB-7K3M-9QX2")
_SECRET = OpenApiParameter(SECRET_HEADER, str, OpenApiParameter.HEADER, required=True)
_NOT_FOUND = OpenApiResponse(description="No report with this reference and secret (the same for both).")


def _scalar(value):
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)  # a list or object where text belongs: refused by the field, never a crash


def _items(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(item) for item in value if item is not None]
    return [str(value)]


def form_data(payload) -> dict:
    """The API's JSON object (or multipart fields) as the report forms' data."""
    getlist = getattr(payload, "getlist", None)
    data = {}
    for key in payload.keys():
        if not isinstance(key, str):
            continue
        raw = getlist(key) if getlist else payload[key]
        if getlist and len(raw) == 1 and key not in LIST_FIELDS | LINE_FIELDS:
            raw = raw[0]
        if key in LIST_FIELDS:
            data[key] = _items(raw)
        elif key in LINE_FIELDS:
            data[key] = "\n".join(_items(raw))
        else:
            data[key] = _scalar(raw)
    if "reply" not in data:
        data["reply"] = "contact" if data.get("email") or data.get("phone") else "anonymous"
    return data


def _merge(errors: dict, form) -> None:
    for field, messages in form.errors.items():
        errors.setdefault("non_field_errors" if field == "__all__" else field, []).extend(messages)


def _throttle(request, scope: str) -> None:
    wait = ratelimit.hit(request, scope)
    if wait is not None:
        raise exceptions.Throttled(wait=wait, detail=ratelimit.wait_message(wait))


def _read_files(request, *, allowed: bool) -> list[tuple[str, bytes]]:
    uploads = request.FILES.getlist("files") if hasattr(request.FILES, "getlist") else []
    if uploads and not allowed:
        message = _(
            "Never send sexual pictures or videos of a child, not even to us: send only the web address."
        )
        raise exceptions.ValidationError({"files": [message]})
    named, errors, already = [], [], 0
    for upload in uploads:
        try:
            name, data = files.read(upload, already=already, count=len(named))
        except files.FileRefused as exc:
            errors.append(str(exc))
            continue
        named.append((name, data))
        already += len(data)
    if errors:
        raise exceptions.ValidationError({"files": errors})
    return named


class ReportViewSet(viewsets.ViewSet):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    # The platform's parsers: too-deep JSON is a 400, an oversized multipart body a 413.
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    lookup_field = "reference"
    lookup_value_regex = r"[^/]{1,64}"

    def _payload(self, request) -> dict:
        if not hasattr(request.data, "keys"):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        return form_data(request.data)

    def _not_found(self):
        return Response(
            {"detail": _("No report with this reference and secret.")}, status=http.HTTP_404_NOT_FOUND
        )

    def _report(self, request, reference):
        return queries.find_report(reference, request.headers.get(SECRET_HEADER, ""))

    @extend_schema(
        summary="File a report (anonymous)",
        request={"application/json": ReportCreateSerializer, "multipart/form-data": ReportCreateSerializer},
        responses={
            201: ReportReceiptSerializer,
            400: OpenApiResponse(description="Field errors."),
            429: OpenApiResponse(description="Too many reports from this client; see Retry-After."),
        },
        auth=[],
    )
    def create(self, request):
        data = self._payload(request)
        errors: dict = {}
        what = CategoryForm(data=data)
        category = what.cleaned_data["category"] if what.is_valid() else None
        _merge(errors, what)
        details = DetailsForm(data=data, category=category or completeness.OTHER)
        reporter = ReporterForm(data=data)
        _merge(errors, details)
        _merge(errors, reporter)
        if errors:
            raise exceptions.ValidationError(errors)
        named = _read_files(request, allowed=completeness.allows_files(category))
        _throttle(request, "report")
        if reporter.cleaned_data.get("website"):
            receipt = actions.fake_receipt()
        else:
            answers = report_answers.build(
                category=category,
                details=details.cleaned_data,
                reporter=reporter.cleaned_data,
                language=get_language() or "",
            )
            # Without files the report is accepted at once and registered by a worker a moment
            # later (portal/submissions.py); files go into the vault in this request.
            receive = actions.submit_report if named else submissions.accept
            receipt = receive(
                answers=answers,
                via="api",
                reporter_contact=reporter.cleaned_data.get("email")
                or reporter.cleaned_data.get("phone")
                or "",
                reporter_name=reporter.cleaned_data.get("name") or "",
                **({"named_files": named} if named else {}),
            )
        status_url = request.build_absolute_uri(
            reverse("report-status", kwargs={"reference": receipt.reference})
        )
        body = {"reference": receipt.reference, "follow_up_secret": receipt.secret, "status_url": status_url}
        return Response(body, status=http.HTTP_201_CREATED)

    @extend_schema(
        summary="A report's status",
        parameters=[_REFERENCE, _SECRET],
        responses={
            200: ReportStatusSerializer,
            404: _NOT_FOUND,
            429: OpenApiResponse(description="Too many checks."),
        },
        auth=[],
    )
    @action(detail=True, methods=["get"], url_path="status")
    def status(self, request, reference=None):
        _throttle(request, "check")
        report = self._report(request, reference)
        if report is None:
            accepted = submissions.pending(reference, request.headers.get(SECRET_HEADER, ""))
            if accepted is None:
                return self._not_found()
            # Accepted and about to be registered: to the reporter it is simply received.
            body = {
                "reference": accepted.reference,
                "status": queries.RECEIVED,
                "updated_at": accepted.received_at,
            }
            return Response(body)
        current = queries.public_status(report)
        body = {"reference": current.reference, "status": current.status, "updated_at": current.updated_at}
        if current.institutions:
            body["institutions"] = current.institutions
        return Response(body)

    @extend_schema(
        summary="Add information or files to a report",
        parameters=[_REFERENCE, _SECRET],
        request={
            "application/json": ReportAdditionSerializer,
            "multipart/form-data": ReportAdditionSerializer,
        },
        responses={
            201: ReportAdditionReceiptSerializer,
            400: OpenApiResponse(description="Field errors."),
            404: _NOT_FOUND,
            409: OpenApiResponse(description="The report is still being registered; see Retry-After."),
        },
        auth=[],
    )
    @action(detail=True, methods=["post"], url_path="additions")
    def additions(self, request, reference=None):
        _throttle(request, "check")
        report = self._report(request, reference)
        if report is None:
            if submissions.pending(reference, request.headers.get(SECRET_HEADER, "")) is not None:
                response = Response(
                    {
                        "detail": _(
                            "Your report is still being registered. Please try again in a few seconds."
                        )
                    },
                    status=http.HTTP_409_CONFLICT,
                )
                response["Retry-After"] = "5"
                return response
            return self._not_found()
        form = AdditionForm(data=self._payload(request))
        if not form.is_valid():
            raise exceptions.ValidationError(dict(form.errors))
        category = report.category.code if report.category else completeness.OTHER
        named = _read_files(request, allowed=completeness.allows_files(category))
        if not form.cleaned_data["text"].strip() and not named:
            raise exceptions.ValidationError({"text": [_("Write something or send a file.")]})
        addition = actions.add_information(
            report=report,
            text=form.cleaned_data["text"],
            named_files=named,
            urgent=form.cleaned_data["in_danger"],
            via="api",
        )
        return Response(
            {"reference": report.reference, "files": addition.file_count}, status=http.HTTP_201_CREATED
        )
