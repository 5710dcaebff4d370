"""Statistics pages: parse → check access → read → respond. Nothing here writes."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import exports, public, queries, returns, tables
from .forms import PublicYearForm, StatsFilterForm
from .permissions import can_produce_reports, can_view_dashboard
from .report_pdf import annual_report_pdf

FORMATS = ("csv", "xlsx")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("Your role has no access to these statistics."))


@login_required
@require_GET
def dashboard(request):
    _require(can_view_dashboard(request.user))
    form = StatsFilterForm(request.GET or None)
    query = form.query() if request.GET else tables.Query()
    built = [tables.build(name, query) for name in tables.allowed_tables(request.user)]
    by_id = {t.id: t for t in built}
    return render(
        request,
        "stats/dashboard.html",
        {
            "form": form,
            "tables": built,
            "t": by_id,
            "querystring": request.GET.urlencode(),
            "can_report": can_produce_reports(request.user),
            "this_year": timezone.localdate().year,
        },
    )


@login_required
@require_GET
def export(request, name: str, fmt: str):
    _require(can_view_dashboard(request.user))
    if fmt not in FORMATS or name not in tables.allowed_tables(request.user):
        raise Http404
    form = StatsFilterForm(request.GET or None)
    table = tables.build(name, form.query() if request.GET else tables.Query())
    return exports.respond(fmt, table.title, table.columns, table.rows, f"smartsafe-{name}")


def _year(value: str) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 2000 <= year <= 2100:
        raise Http404
    return year


@login_required
@require_GET
def annual_report(request, year: str):
    _require(can_produce_reports(request.user))
    year = _year(year)
    response = HttpResponse(annual_report_pdf(year), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="smartsafe-annual-report-{year}.pdf"'
    return response


@login_required
@require_GET
def chi_return(request, year: str, fmt: str):
    _require(can_produce_reports(request.user))
    if fmt not in FORMATS:
        raise Http404
    title, columns, rows = returns.chi_annual(_year(year))
    return exports.respond(fmt, title, columns, rows, f"chi-annual-{year}")


@login_required
@require_GET
def insafe_return(request, year: str, quarter: str, fmt: str):
    _require(can_produce_reports(request.user))
    if fmt not in FORMATS or quarter not in ("1", "2", "3", "4"):
        raise Http404
    title, columns, rows = returns.insafe_quarterly(_year(year), int(quarter))
    return exports.respond(fmt, title, columns, rows, f"insafe-{year}-q{quarter}")


@require_GET
def public_page(request):
    """Open to everyone: yearly aggregates with small cells suppressed (public.py)."""
    years = queries.years_with_data()
    form = PublicYearForm(request.GET or None)
    year = form.cleaned_data.get("year") if form.is_valid() else None
    if year not in years:
        year = None
    return render(
        request,
        "stats/public.html",
        {"years": years, "year": year, "figures": public.figures(year), "threshold": public.THRESHOLD},
    )
