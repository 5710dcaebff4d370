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
from django.db.models.functions import Coalesce, TruncMonth, TruncYear

from .models import CaseCategoryDaily, CaseDaily, ContactDaily, ContactTopicDaily, WorkloadDaily
from .rollups import day_bounds

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
        from smartsafe.taxonomy.models import Category, Channel, Municipality, ReporterType

        models = {"channel": Channel, "category": Category, "municipality": Municipality, "reporter_type": ReporterType}
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


def contact_rows(date_from=None, date_to=None, f: Filters = NO_FILTERS):
    qs = ContactTopicDaily.objects.filter(category=f.category) if f.category else ContactDaily.objects.all()
    qs = _period(qs, date_from, date_to)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.reporter_type:
        qs = qs.filter(reporter_type=f.reporter_type)
    return qs.order_by()


def case_rows(date_from=None, date_to=None, f: Filters = NO_FILTERS):
    qs = CaseCategoryDaily.objects.filter(category=f.category) if f.category else CaseDaily.objects.all()
    qs = _period(qs, date_from, date_to)
    for name in ("municipality", "channel", "reporter_type"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    return qs.order_by()


def referred_category_rows(date_from=None, date_to=None, f: Filters = NO_FILTERS):
    qs = _period(CaseCategoryDaily.objects.filter(kind="referred"), date_from, date_to)
    for name in ("category", "municipality", "channel", "reporter_type"):
        if getattr(f, name):
            qs = qs.filter(**{name: getattr(f, name)})
    return qs.order_by()


def contacts_by_channel(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict[str, int]:
    rows = contact_rows(date_from, date_to, f).values("channel__code").annotate(n=_total()).order_by("-n", "channel__code")
    return {row["channel__code"]: row["n"] for row in rows if row["n"]}


def case_totals(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict[str, int]:
    totals = case_rows(date_from, date_to, f).aggregate(
        total=_total(),
        advisory=Coalesce(Sum("count", filter=Q(kind="advisory")), Value(0), output_field=IntegerField()),
        referred=Coalesce(Sum("count", filter=Q(kind="referred")), Value(0), output_field=IntegerField()),
    )
    return {"total": totals["total"], "advisory": totals["advisory"], "referred": totals["referred"]}


def referred_by_category(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict[str, int]:
    rows = (
        referred_category_rows(date_from, date_to, f)
        .values("category__code")
        .annotate(n=_total())
        .order_by("-n", "category__code")
    )
    return {row["category__code"]: row["n"] for row in rows if row["n"]}


def prevention(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict[str, int]:
    """Prevention totals from the prevention app (zeros where it is not installed)."""
    try:
        from smartsafe.prevention.queries import prevention_totals
    except ImportError:  # pragma: no cover - the app ships with the project
        return dict.fromkeys(PREVENTION_KEYS, 0)
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
    """Contacts per kind of channel (web, e-mail, phone, social…): the four bars of the seed slide."""
    rows = contact_rows(date_from, date_to, f).values("channel__kind").annotate(n=_total()).order_by("-n")
    return {row["channel__kind"]: row["n"] for row in rows if row["n"]}


def trends(by: str, date_from=None, date_to=None, f: Filters = NO_FILTERS) -> list[dict]:
    """Contacts and cases (advisory, referred) per month or year, oldest first."""
    trunc = {"month": TruncMonth, "year": TruncYear}[by]
    periods: dict[dt.date, dict] = {}

    def slot(day):
        return periods.setdefault(day, {"period": day, "contacts": 0, "cases": 0, "advisory": 0, "referred": 0})

    for row in contact_rows(date_from, date_to, f).annotate(p=trunc("day")).values("p").annotate(n=_total()):
        slot(row["p"])["contacts"] = row["n"]
    case_q = case_rows(date_from, date_to, f).annotate(p=trunc("day")).values("p", "kind").annotate(n=_total())
    for row in case_q:
        target = slot(row["p"])
        target["cases"] += row["n"]
        if row["kind"] in ("advisory", "referred"):
            target[row["kind"]] += row["n"]
    return [periods[key] for key in sorted(periods)]


def response_times(date_from=None, date_to=None) -> list[dict]:
    """Per institution type, for referrals sent in the period: how many, and the median hours from
    sending to acknowledgement and to completion (None where none has happened)."""
    from smartsafe.referrals.models import Referral

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


def workload(date_from=None, date_to=None) -> list[dict]:
    """Per person: contacts they logged and cases they own, opened in the period; busiest first."""
    rows = _period(WorkloadDaily.objects.all(), date_from, date_to).order_by()
    people: dict[int, dict] = {}
    for row in rows.values("user_id", "user__username", "source").annotate(n=_total()):
        person = people.setdefault(
            row["user_id"], {"user": row["user__username"], "contacts": 0, "cases": 0}
        )
        person[row["source"]] = row["n"]
    return sorted(people.values(), key=lambda p: (-p["contacts"] - p["cases"], p["user"]))


# A report counts as complete when the portal scored it 100 %: nothing on the checklist missing.
COMPLETE_SCORE = 100


def complete_reports(date_from=None, date_to=None, f: Filters = NO_FILTERS) -> dict:
    """Public reports filed in the period and how many were complete (portal completeness score)."""
    try:
        from smartsafe.portal.models import PublicReport
    except ImportError:  # pragma: no cover
        return {"reports": 0, "complete": 0, "share": None}
    qs = PublicReport.objects.all()
    if date_from:
        qs = qs.filter(created_at__gte=day_bounds(date_from)[0])
    if date_to:
        qs = qs.filter(created_at__lt=day_bounds(date_to)[1])
    if f.category:
        qs = qs.filter(category=f.category)
    totals = qs.aggregate(reports=Count("pk"), complete=Count("pk", filter=Q(completeness__gte=COMPLETE_SCORE)))
    share = round(100 * totals["complete"] / totals["reports"], 1) if totals["reports"] else None
    return {**totals, "share": share}


def years_with_data() -> list[int]:
    """Years that have contacts, newest first (the public page offers only these)."""
    first = ContactDaily.objects.order_by("day").values_list("day", flat=True).first()
    last = ContactDaily.objects.order_by("-day").values_list("day", flat=True).first()
    if not first:
        return []
    return list(range(last.year, first.year - 1, -1))
