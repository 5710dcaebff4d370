"""Staff pages of the prevention programme: parse → access → act → respond.

Reads go through ``queries`` (role checked there), writes through ``actions``. Whatever an action
refuses comes back next to the field with what was typed kept (400), a stale edit as 409, a role
that may not as 403. Every page works without JavaScript.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smartsafe.core.concurrency import StaleVersion

from . import actions, charts, importers, queries
from .forms import CancelForm, CoverageForm, EventFilterForm, EventForm, ImportForm, MergeForm, VenueForm
from .models import EventStatus, VenueKind, country_name, home_country
from .permissions import can_read_prevention, can_write_prevention

PAGE_SIZE = 50


def _require_writer(user) -> None:
    if not can_write_prevention(user):
        raise PermissionDenied(_("Only prevention coordinators and supervisors record prevention work."))


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- calendar and list ----------------------------------------------------------------------------


def _month(value: str | None) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (value or "").split("-", 1))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    return today.year, today.month


@login_required
@require_GET
def calendar_view(request):
    year, month = _month(request.GET.get("month"))
    grid = queries.month_grid(request.user, year, month)
    first = dt.date(year, month, 1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "prevention/calendar.html",
        {
            "grid": grid,
            "first": first,
            "previous": f"{previous:%Y-%m}",
            "next": f"{following:%Y-%m}",
            "today": timezone.localdate(),
            "can_read": can_read_prevention(request.user),
            "can_write": can_write_prevention(request.user),
        },
    )


@login_required
@require_GET
def event_list(request):
    queries.require_reader(request.user)
    form = EventFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    events = queries.event_list(request.user, **filters)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = queries.prevention_totals(status=filters.pop("status", EventStatus.HELD), **filters)
    return render(
        request,
        "prevention/event_list.html",
        {
            "form": form,
            "page": page,
            "events": page.object_list,
            "totals": totals,
            "home_country": home_country(),
            "can_write": can_write_prevention(request.user),
        },
    )


# --- events ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request):
    _require_writer(request.user)
    if request.method == "POST":
        form = EventForm(request.POST)
        if form.is_valid():
            try:
                event = actions.create_event(actor=request.user, **form.action_fields())
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Event recorded."))
                return redirect("prevention:event", pk=event.pk)
        return render(request, "prevention/event_form.html", {"form": form}, status=400)
    initial = {}
    if request.GET.get("venue", "").isdigit():
        initial["venue"] = int(request.GET["venue"])
    if request.GET.get("date"):
        initial["date"] = request.GET["date"][:10]
    return render(request, "prevention/event_form.html", {"form": EventForm(initial=initial)})


@login_required
@require_GET
def event_detail(request, pk: int):
    event = queries.access_event(request.user, pk)
    can_write = can_write_prevention(request.user)
    return render(
        request,
        "prevention/event_detail.html",
        {
            "event": event,
            "can_write": can_write,
            "cancel_form": CancelForm(initial={"version": event.version}) if can_write else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request, pk: int):
    event = queries.access_event(request.user, pk)
    _require_writer(request.user)
    if request.method == "POST":
        form = EventForm(request.POST, event=event)
        status = 400
        if form.is_valid():
            try:
                actions.update_event(
                    actor=request.user,
                    event=event,
                    expected_version=form.cleaned_data.get("version"),
                    **form.action_fields(),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            except StaleVersion as exc:
                form.add_error(None, str(exc))
                status = 409
            else:
                messages.success(request, _("Event saved."))
                return redirect("prevention:event", pk=event.pk)
        return render(request, "prevention/event_form.html", {"form": form, "event": event}, status=status)
    form = EventForm(initial=EventForm.initial_from(event), event=event)
    return render(request, "prevention/event_form.html", {"form": form, "event": event})


@login_required
@require_POST
def event_cancel(request, pk: int):
    event = queries.access_event(request.user, pk)
    _require_writer(request.user)
    form = CancelForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            actions.cancel_event(
                actor=request.user,
                event=event,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        except StaleVersion as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            messages.success(request, _("Event cancelled."))
            return redirect("prevention:event", pk=event.pk)
    return render(
        request,
        "prevention/event_detail.html",
        {"event": event, "can_write": True, "cancel_form": form},
        status=status,
    )


# --- venues ---------------------------------------------------------------------------------------


@login_required
@require_GET
def venue_list(request):
    queries.require_reader(request.user)
    q = request.GET.get("q", "")[:200]
    kind = request.GET.get("kind", "")
    kind = kind if kind in VenueKind.values else ""
    country = request.GET.get("country", "")[:2]
    country = country if country.isascii() and country.isalpha() else ""
    venues = queries.venue_list(request.user, q=q, kind=kind, country=country)
    page = Paginator(venues, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "prevention/venue_list.html",
        {
            "page": page,
            "venues": page.object_list,
            "q": q,
            "kind": kind,
            "country": country,
            "kinds": VenueKind.choices,
            "can_write": can_write_prevention(request.user),
        },
    )


@login_required
@require_GET
def venue_detail(request, pk: int):
    venue = queries.access_venue(request.user, pk)
    can_write = can_write_prevention(request.user)
    return render(
        request,
        "prevention/venue_detail.html",
        {
            "venue": venue,
            "events": queries.venue_events(venue),
            "totals": queries.prevention_totals(venue=venue),
            "can_write": can_write,
            "merge_form": MergeForm(venue=venue) if can_write else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def venue_form(request, pk: int | None = None):
    venue = queries.access_venue(request.user, pk) if pk is not None else None
    _require_writer(request.user)
    if request.method == "POST":
        form = VenueForm(request.POST)
        if form.is_valid():
            try:
                if venue is None:
                    venue = actions.create_venue(actor=request.user, **form.cleaned_data)
                else:
                    actions.update_venue(actor=request.user, venue=venue, **form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Venue saved."))
                return redirect("prevention:venue", pk=venue.pk)
        return render(request, "prevention/venue_form.html", {"form": form, "venue": venue}, status=400)
    form = VenueForm(initial=VenueForm.initial_from(venue)) if venue else VenueForm()
    return render(request, "prevention/venue_form.html", {"form": form, "venue": venue})


@login_required
@require_POST
def venue_merge(request, pk: int):
    venue = queries.access_venue(request.user, pk)
    _require_writer(request.user)
    form = MergeForm(request.POST, venue=venue)
    if form.is_valid():
        try:
            actions.merge_venues(actor=request.user, keep=venue, duplicate=form.cleaned_data["duplicate"])
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The duplicate was merged into this venue."))
            return redirect("prevention:venue", pk=venue.pk)
    return render(
        request,
        "prevention/venue_detail.html",
        {
            "venue": venue,
            "events": queries.venue_events(venue),
            "totals": queries.prevention_totals(venue=venue),
            "can_write": True,
            "merge_form": form,
        },
        status=400,
    )


# --- coverage -------------------------------------------------------------------------------------


@login_required
@require_GET
def coverage(request):
    queries.require_reader(request.user)
    form = CoverageForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    rows = queries.coverage_by_place(**filters)
    never = queries.schools_never_visited(**filters)
    totals = queries.prevention_totals(**filters)
    reached = [row for row in rows if row["schools"]]
    return render(
        request,
        "prevention/coverage.html",
        {
            "form": form,
            "rows": rows,
            "totals": totals,
            "chart": charts.ranked_bars(
                [(row["name"], row["primary"], row["secondary"]) for row in reached[: charts.MAX_BARS]],
                labels=(_("Primary schools"), _("Secondary schools")),
                title=_("Schools reached by municipality"),
            ),
            "never": Paginator(never, PAGE_SIZE).get_page(request.GET.get("page")),
            "country_name": country_name(filters.get("country", "")),
        },
    )


# --- import ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_events(request):
    _require_writer(request.user)
    report = None
    file_error = ""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = importers.import_file(upload.read(), upload.name or "", actor=request.user)
            except importers.ImportFileError as exc:
                file_error = str(exc)
        status = 200 if report is not None else 400
    else:
        form, status = ImportForm(), 200
    return render(
        request,
        "prevention/import.html",
        {"form": form, "report": report, "file_error": file_error, "columns": importers.COLUMNS},
        status=status,
    )


@login_required
@require_GET
def import_template(request, fmt: str):
    _require_writer(request.user)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    if fmt == "xlsx":
        content = importers.template_xlsx()
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        content, mime = importers.template_csv(), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = f'attachment; filename="prevention-events-template.{fmt}"'
    return response


def index(request):
    return redirect(reverse("prevention:calendar"))
