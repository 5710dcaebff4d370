"""The dashboard's tables: one builder per figure, shared by the page, the CSV/XLSX exports and the
annual report, so every chart's numbers are the same wherever they appear."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartsafe.directory.models import Institution
from smartsafe.taxonomy.models import Category, Channel

from . import charts, queries
from .charts import group
from .permissions import can_view_workload


@dataclass
class Table:
    id: str
    title: str
    columns: list[str]
    rows: list[list]
    chart: object = None
    note: str = ""
    numbers: list = field(default_factory=list)  # (label, value) pairs for big-number display
    # Columns (by position) only the CSV/XLSX exports carry: stable codes for other systems,
    # never shown on the page, where people read names.
    export_only: tuple[int, ...] = ()

    @property
    def screen_columns(self) -> list[str]:
        return [c for i, c in enumerate(self.columns) if i not in self.export_only]

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def body_html(self) -> SafeString:
        """The table body, built here rather than in the template: the month trend has a row per
        month since 2017 and template filters per cell cost more than all the queries."""
        lines = []
        for row in self.rows:
            head, *rest = [v for i, v in enumerate(row) if i not in self.export_only]
            cells = "".join(f'<td class="num">{escape(group(v))}</td>' for v in rest)
            lines.append(f'<tr><th scope="row">{escape(str(head))}</th>{cells}</tr>')
        return mark_safe("".join(lines))


TABLE_TITLES = {
    "contacts_by_channel_kind": gettext_lazy("Contacts by kind of channel"),
    "contacts_by_channel": gettext_lazy("Contacts by channel"),
    "cases": gettext_lazy("Advisory and referred cases"),
    "referred_by_category": gettext_lazy("Referred cases by category"),
    "prevention": gettext_lazy("Prevention"),
    "trend_year": gettext_lazy("Per year"),
    "trend_month": gettext_lazy("Per month"),
    "response_times": gettext_lazy("Referral response times per institution type"),
    "workload": gettext_lazy("Counsellor workload"),
    "complete_reports": gettext_lazy("Complete reports"),
}


def _names(model, codes) -> dict[str, str]:
    return {t.code: t.name for t in model.objects.filter(code__in=list(codes))}


def _pct(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


@dataclass
class Query:
    date_from: object = None
    date_to: object = None
    filters: queries.Filters = queries.NO_FILTERS
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    def months(self) -> list[dict]:
        """The month trend, computed once per page (the year trend is folded from it)."""
        if "months" not in self.memo:
            self.memo["months"] = queries.trends("month", self.date_from, self.date_to, self.filters)
        return self.memo["months"]


def contacts_by_channel_kind(q: Query) -> Table:
    labels = dict(Channel.Kind.choices)
    data = queries.contacts_by_channel_kind(q.date_from, q.date_to, q.filters)
    total = sum(data.values())
    items = [(str(labels.get(kind, kind)), n) for kind, n in data.items()]
    title = str(TABLE_TITLES["contacts_by_channel_kind"])
    return Table(
        "contacts_by_channel_kind",
        title,
        [_("Kind of channel"), _("Contacts"), _("Share")],
        [[label, n, _pct(n, total)] for label, n in items] + [[_("Total"), total, _pct(total, total)]],
        chart=charts.bars(title, items),
        note=_("Contacts carry no municipality: the municipality filter does not apply to them.")
        if q.filters.municipality
        else "",
        numbers=[(_("Contacts"), total)],
    )


def contacts_by_channel(q: Query) -> Table:
    data = queries.contacts_by_channel(q.date_from, q.date_to, q.filters)
    names = _names(Channel, data)
    items = [(names.get(code, code), n) for code, n in data.items()]
    title = str(TABLE_TITLES["contacts_by_channel"])
    return Table(
        "contacts_by_channel",
        title,
        [_("Channel"), _("Code"), _("Contacts")],
        [[names.get(code, code), code, n] for code, n in data.items()],
        chart=charts.bars(title, items),
        export_only=(1,),
    )


def cases(q: Query) -> Table:
    data = queries.case_totals(q.date_from, q.date_to, q.filters)
    items = [(_("Advisory"), data["advisory"]), (_("Referred"), data["referred"])]
    title = str(TABLE_TITLES["cases"])
    return Table(
        "cases",
        title,
        [_("Cases"), _("Number"), _("Share")],
        [[label, n, _pct(n, data["total"])] for label, n in items] + [[_("Total"), data["total"], "100%"]],
        chart=charts.pie(title, items, hole=0.55),
        numbers=[
            (_("Cases"), data["total"]),
            (_("Referred"), data["referred"]),
            (_("Advisory"), data["advisory"]),
        ],
    )


def referred_by_category(q: Query) -> Table:
    data = queries.referred_by_category(q.date_from, q.date_to, q.filters)
    names = _names(Category, data)
    total = sum(data.values())
    items = [(names.get(code, code), n) for code, n in data.items()]
    title = str(TABLE_TITLES["referred_by_category"])
    return Table(
        "referred_by_category",
        title,
        [_("Category"), _("Code"), _("Referred cases"), _("Share")],
        [[names.get(code, code), code, n, _pct(n, total)] for code, n in data.items()],
        chart=charts.pie(title, items),
        note=_("A case in two categories counts in each."),
        export_only=(1,),
    )


def prevention(q: Query) -> Table:
    data = queries.prevention(q.date_from, q.date_to, q.filters)
    labels = {
        "events": _("Presentations and other events"),
        "pupils": _("Pupils"),
        "parents": _("Parents"),
        "primary_schools": _("Primary schools"),
        "secondary_schools": _("Secondary schools"),
    }
    rows = [[labels[key], data[key]] for key in queries.PREVENTION_KEYS]
    return Table(
        "prevention",
        str(TABLE_TITLES["prevention"]),
        [_("Figure"), _("Number")],
        rows,
        numbers=[(label, n) for label, n in rows],
    )


def _trend(q: Query, by: str) -> Table:
    data = q.months() if by == "month" else queries.fold_years(q.months())
    fmt = "Y" if by == "year" else "Y-m"
    labels = [date_format(row["period"], fmt) for row in data]
    title = str(TABLE_TITLES[f"trend_{by}"])
    series = [
        (_("Contacts"), [row["contacts"] for row in data]),
        (_("Cases"), [row["cases"] for row in data]),
        (_("Referred"), [row["referred"] for row in data]),
    ]
    return Table(
        f"trend_{by}",
        title,
        [_("Period"), _("Contacts"), _("Cases"), _("Advisory"), _("Referred")],
        [
            [label, r["contacts"], r["cases"], r["advisory"], r["referred"]]
            for label, r in zip(labels, data, strict=True)
        ],
        chart=charts.columns(title, labels, series),
    )


def trend_year(q: Query) -> Table:
    return _trend(q, "year")


def trend_month(q: Query) -> Table:
    return _trend(q, "month")


def response_times(q: Query) -> Table:
    kinds = dict(Institution.Kind.choices)
    data = queries.response_times(q.date_from, q.date_to)
    title = str(TABLE_TITLES["response_times"])
    items = [(str(kinds.get(r["kind"], r["kind"])), r["median_hours_to_acknowledge"] or 0) for r in data]
    return Table(
        "response_times",
        title,
        [
            _("Institution type"),
            _("Sent"),
            _("Acknowledged"),
            _("Median hours to acknowledge"),
            _("Completed"),
            _("Median hours to complete"),
        ],
        [
            [
                str(kinds.get(r["kind"], r["kind"])),
                r["sent"],
                r["acknowledged"],
                r["median_hours_to_acknowledge"] if r["median_hours_to_acknowledge"] is not None else "—",
                r["completed"],
                r["median_hours_to_complete"] if r["median_hours_to_complete"] is not None else "—",
            ]
            for r in data
        ],
        chart=charts.bars(_("Median hours to acknowledge"), items),
        note=_("Referrals sent in the period; the filters other than the period do not apply."),
    )


def workload(q: Query) -> Table:
    data = queries.workload(q.date_from, q.date_to)
    title = str(TABLE_TITLES["workload"])
    return Table(
        "workload",
        title,
        [_("Person"), _("Contacts logged"), _("Cases owned (opened in the period)")],
        [[r["user"], r["contacts"], r["cases"]] for r in data],
        chart=charts.bars(_("Contacts logged"), [(r["user"], r["contacts"]) for r in data[:15]]),
        note=_("The filters other than the period do not apply."),
    )


def complete_reports(q: Query) -> Table:
    data = queries.complete_reports(q.date_from, q.date_to, q.filters)
    title = str(TABLE_TITLES["complete_reports"])
    incomplete = data["reports"] - data["complete"]
    return Table(
        "complete_reports",
        title,
        [_("Public reports"), _("Number"), _("Share")],
        [
            [
                _("Complete (nothing on the checklist missing)"),
                data["complete"],
                _pct(data["complete"], data["reports"]),
            ],
            [_("Incomplete"), incomplete, _pct(incomplete, data["reports"])],
            [_("Total"), data["reports"], "100%" if data["reports"] else "—"],
        ],
        chart=charts.pie(
            title, [(_("Complete"), data["complete"]), (_("Incomplete"), incomplete)], hole=0.55
        ),
    )


BUILDERS = {
    "contacts_by_channel_kind": contacts_by_channel_kind,
    "contacts_by_channel": contacts_by_channel,
    "cases": cases,
    "referred_by_category": referred_by_category,
    "prevention": prevention,
    "trend_year": trend_year,
    "trend_month": trend_month,
    "response_times": response_times,
    "workload": workload,
    "complete_reports": complete_reports,
}


def allowed_tables(user) -> list[str]:
    return [name for name in BUILDERS if name != "workload" or can_view_workload(user)]


def build(name: str, q: Query) -> Table:
    return BUILDERS[name](q)
