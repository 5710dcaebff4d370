"""Reads of the statistics: aggregates from the roll-up tables (models.py), never a scan of contacts.

``summary(date_from, date_to, **filters)`` returns the shape of the API::

    {"contacts": {"total", "by_channel": {code: n}}, "cases": {"total", "advisory", "referred"},
     "referred_by_category": {code: n},
     "prevention": {"events", "pupils", "parents", "primary_schools", "secondary_schools"}}

Dates are inclusive local days; either end may be open. Filters (each optional; an instance, a pk
or a stable code): ``channel``, ``category``, ``municipality``, ``reporter_type``. What each filter
means for each figure (docs/statistics.md):

- contacts: channel and reporter type as logged; category = contacts with that topic; municipality
  does not apply (a contact has no municipality — the dashboard says so);
- cases: category = cases in that category; municipality of the case; channel and reporter type of
  the case's *first* contact;
- prevention: period, municipality and category (as an event topic); channel and reporter type do
  not apply.

These are aggregates without personal data, so the reads are not audited; who may see which
figure is decided in permissions.py.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from smartsafe.portal.models import PublicReport
from smartsafe.prevention.queries import prevention_totals
from smartsafe.referrals.models import Referral
from smartsafe.taxonomy.models import Category, Channel, Municipality, ReporterType

from .models import (
    CaseCategoryDaily,
    CaseCategoryMonthly,
    CaseDaily,
    CaseMonthly,
    ContactDaily,
    ContactMonthly,
    ContactTopicDaily,
    ContactTopicMonthly,
    WorkloadDaily,
    WorkloadMonthly,
)
from .rollups import day_bounds, drain

PREVENTION_KEYS = ("events", "pupils", "parents", "primary_schools", "secondary_schools")


@dataclass(frozen=True)
class Filters:
    """Resolved filters: taxonomy instances or None."""

    channel: object = None
    category: object = None
    municipality: object = None
    reporter_type: object = None

    @classmethod
    def resolve(cls, **given) -> Filters:
        models = {
            "channel": Channel,
            "category": Category,
            "municipality": Municipality,
            "reporter_type": ReporterType,
        }
        unknown = set(given) - set(models)
        if unknown:
            raise TypeError(f"unknown statistics filters: {sorted(unknown)}")
        resolved = {}
        for name, value in given.items():
            if value in (None, ""):
                continue
            model = models[name]
            if isinstance(value, model):
                resolved[name] = value
            elif isinstance(value, int):
                resolved[name] = model.objects.filter(pk=value).first()
            else:
                resolved[name] = model.objects.filter(code=str(value)).first()
            if resolved[name] is None:
                raise model.DoesNotExist(f"no {name} {value!r}")
        return cls(**resolved)

    @property
    def any(self) -> bool:
        return any((self.channel, self.category, self.municipality, self.reporter_type))


NO_FILTERS = Filters()


def _total(field="count"):
    return Coalesce(Sum(field), Value(0), output_field=IntegerField())


def _period(qs, date_from, date_to):
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    return qs


def split_period(date_from, date_to):
    """``(months, edges)``: the whole months of the period, read from the monthly tables, as a
    (first, last) pair of month starts (None ends are open; ``months`` is None when no whole month
    falls inside), and the leftover (from, to) day ranges read from the daily tables."""
    first = date_from if (date_from is None or date_from.day == 1) else _next_month(date_from)
    last = date_to if (date_to is None or _next_month(date_to) - dt.timedelta(days=1) == date_to) else None
    if date_to is not None and last is None:
        last = date_to.replace(day=1) - dt.timedelta(days=1)  # end of the last whole month
    if first is not None and last is not None and first > last:
        return None, [(date_from, date_to)]
    edges = []
    if date_from is not None and date_from < first:
        edges.append((date_from, first - dt.timedelta(days=1)))
    if date_to is not None and last < date_to:
        edges.append((last + dt.timedelta(days=1), date_to))
    return (first, last.replace(day=1) if last else None), edges


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _sources(daily, monthly, date_from, date_to, *, monthly_ok=True) -> list:
    """Querysets whose rows, summed, cover exactly the period once (dirty days recounted first)."""
    drain()
    if not monthly_ok:
        return [_period(daily.objects.all(), date_from, date_to)]
    months, edges = split_period(date_from, date_to)
    out = [_period(daily.objects.all(), a, b) for a, b in edges]
    if months is not None:
        out.append(_period(monthly.objects.all(), *months))
    return out


def _narrow(qs, f: Filters, names):
    for name in names:
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    return qs.order_by()


def contact_rows(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> list:
    if f.category:
        tables = (ContactTopicDaily, ContactTopicMonthly)
    else:
        tables = (ContactDaily, ContactMonthly)
    return [
        _narrow(qs, f, ("category", "channel", "reporter_type"))
        for qs in _sources(*tables, date_from, date_to)
    ]


def case_rows(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> list:
    tables = (CaseCategoryDaily, CaseCategoryMonthly) if f.category else (CaseDaily, CaseMonthly)
    sources = _sources(*tables, date_from, date_to, monthly_ok=not f.municipality)
    return [_narrow(qs, f, ("category", "municipality", "channel", "reporter_type")) for qs in sources]


def referred_category_rows(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> list:
    sources = _sources(
        CaseCategoryDaily, CaseCategoryMonthly, date_from, date_to, monthly_ok=not f.municipality
    )
    return [
        _narrow(qs.filter(kind="referred"), f, ("category", "municipality", "channel", "reporter_type"))
        for qs in sources
    ]


def _grouped(sources, field: str) -> dict:
    out: dict = {}
    for qs in sources:
        for row in qs.values(field).annotate(n=_total()):
            out[row[field]] = out.get(row[field], 0) + row["n"]
    return {k: v for k, v in sorted(out.items(), key=lambda kv: (-kv[1], str(kv[0]))) if v}


def contacts_by_channel(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict[str, int]:
    return _grouped(contact_rows(date_from, date_to, f), "channel__code")


def case_totals(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict[str, int]:
    by_kind = _grouped(case_rows(date_from, date_to, f), "kind")
    advisory, referred = by_kind.get("advisory", 0), by_kind.get("referred", 0)
    return {"total": sum(by_kind.values()), "advisory": advisory, "referred": referred}


def referred_by_category(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict[str, int]:
    return _grouped(referred_category_rows(date_from, date_to, f), "category__code")


def prevention(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict[str, int]:
    """Prevention totals from the prevention app."""
    extra = {}
    if f.municipality:
        extra["municipality"] = f.municipality.pk
    if f.category:
        extra["topic"] = f.category.pk
    totals = prevention_totals(date_from, date_to, **extra)
    return {key: int(totals.get(key) or 0) for key in PREVENTION_KEYS}


def summary(date_from=None, date_to=None, **filters) -> dict:
    """The centre's headline figures for a period (the module docstring gives the shape)."""
    f = filters.pop("_resolved", None) or Filters.resolve(**filters)
    by_channel = contacts_by_channel(date_from, date_to, f)
    return {
        "contacts": {"total": sum(by_channel.values()), "by_channel": by_channel},
        "cases": case_totals(date_from, date_to, f),
        "referred_by_category": referred_by_category(date_from, date_to, f),
        "prevention": prevention(date_from, date_to, f),
    }


# --- breakdowns for the dashboard -------------------------------------------------------------------


def contacts_by_channel_kind(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict[str, int]:
    """Contacts per kind of channel (web, e-mail, phone, social…): the four bars of the seed slide.
    Folded from the per-channel counts (the channel table is small), so no second scan."""
    kinds = dict(Channel.objects.values_list("code", "kind"))
    out: dict[str, int] = {}
    for code, n in contacts_by_channel(date_from, date_to, f).items():
        out[kinds.get(code, "other")] = out.get(kinds.get(code, "other"), 0) + n
    return dict(sorted(out.items(), key=lambda kv: (-kv[1], kv[0])))


def trends(by: str, date_from=None, date_to=None, f: Filters = NO_FILTERS) -> list[dict]:
    """Contacts and cases (advisory, referred) per month or year, oldest first. Years are folded
    from the months (one pass over the tables)."""
    if by == "year":
        return fold_years(trends("month", date_from, date_to, f))
    trunc = TruncMonth
    periods: dict[dt.date, dict] = {}

    def slot(day):
        return periods.setdefault(
            day, {"period": day, "contacts": 0, "cases": 0, "advisory": 0, "referred": 0}
        )

    for qs in contact_rows(date_from, date_to, f):
        for row in qs.annotate(p=trunc("day")).values("p").annotate(n=_total()):
            slot(row["p"])["contacts"] += row["n"]
    for qs in case_rows(date_from, date_to, f):
        for row in qs.annotate(p=trunc("day")).values("p", "kind").annotate(n=_total()):
            target = slot(row["p"])
            target["cases"] += row["n"]
            if row["kind"] in ("advisory", "referred"):
                target[row["kind"]] += row["n"]
    return [periods[key] for key in sorted(periods)]


def response_times(date_from=None, date_to=None) -> list[dict]:
    """Per institution type, for referrals sent in the period: how many, and the median hours from
    sending to acknowledgement and to completion (None where none has happened)."""
    qs = Referral.objects.filter(sent_at__isnull=False)
    if date_from:
        qs = qs.filter(sent_at__gte=day_bounds(date_from)[0])
    if date_to:
        qs = qs.filter(sent_at__lt=day_bounds(date_to)[1])
    groups: dict[str, dict] = {}
    for kind, sent, acked, completed in qs.values_list(
        "institution__kind", "sent_at", "acknowledged_at", "completed_at"
    ).order_by():
        group = groups.setdefault(kind, {"sent": 0, "ack": [], "done": []})
        group["sent"] += 1
        if acked:
            group["ack"].append((acked - sent).total_seconds() / 3600)
        if completed:
            group["done"].append((completed - sent).total_seconds() / 3600)

    def median(values):
        return round(statistics.median(values), 1) if values else None

    return [
        {
            "kind": kind,
            "sent": g["sent"],
            "acknowledged": len(g["ack"]),
            "completed": len(g["done"]),
            "median_hours_to_acknowledge": median(g["ack"]),
            "median_hours_to_complete": median(g["done"]),
        }
        for kind, g in sorted(groups.items())
    ]


def fold_years(months: list[dict]) -> list[dict]:
    """The month trend summed per year."""
    years: dict[dt.date, dict] = {}
    for row in months:
        start = row["period"].replace(month=1)
        target = years.setdefault(
            start, {"period": start, "contacts": 0, "cases": 0, "advisory": 0, "referred": 0}
        )
        for key in ("contacts", "cases", "advisory", "referred"):
            target[key] += row[key]
    return [years[key] for key in sorted(years)]


def workload(date_from=None, date_to=None) -> list[dict]:
    """Per person (by the name people know them by): contacts they logged and cases they own,
    opened in the period; busiest first."""
    people: dict[int, dict] = {}
    for qs in _sources(WorkloadDaily, WorkloadMonthly, date_from, date_to):
        fields = ("user_id", "user__username", "user__display_name", "user__first_name", "user__last_name")
        for row in qs.order_by().values(*fields, "source").annotate(n=_total()):
            full_name = f"{row['user__first_name']} {row['user__last_name']}".strip()
            name = row["user__display_name"] or full_name or row["user__username"]
            person = people.setdefault(row["user_id"], {"user": name, "contacts": 0, "cases": 0})
            person[row["source"]] += row["n"]
    return sorted(people.values(), key=lambda p: (-p["contacts"] - p["cases"], p["user"]))


# A report counts as complete when the portal scored it 100 %: nothing on the checklist missing.
COMPLETE_SCORE = 100


def complete_reports(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict:
    """Public reports filed in the period and how many were complete (portal completeness score)."""
    qs = PublicReport.objects.all()
    if date_from:
        qs = qs.filter(created_at__gte=day_bounds(date_from)[0])
    if date_to:
        qs = qs.filter(created_at__lt=day_bounds(date_to)[1])
    if f.category:
        qs = qs.filter(category=f.category)
    totals = qs.aggregate(
        reports=Count("pk"), complete=Count("pk", filter=Q(completeness__gte=COMPLETE_SCORE))
    )
    share = round(100 * totals["complete"] / totals["reports"], 1) if totals["reports"] else None
    return {**totals, "share": share}


def years_with_data() -> list[int]:
    """Years that have contacts, newest first (the public page offers only these)."""
    drain()
    first = ContactMonthly.objects.order_by("day").values_list("day", flat=True).first()
    last = ContactMonthly.objects.order_by("-day").values_list("day", flat=True).first()
    if not first:
        return []
    return list(range(last.year, first.year - 1, -1))
