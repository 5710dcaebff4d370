"""Reads of the prevention programme: permission-checked accessors for the pages, and plain
aggregate functions for statistics.

For the statistics app
----------------------
``prevention_totals(date_from=None, date_to=None, **filters)`` returns, for held events in the
period (dates inclusive; either end open)::

    {"events": n, "pupils": n, "parents": n, "teachers": n, "professionals": n, "other": n,
     "audience": n, "primary_schools": n, "secondary_schools": n, "countries": n, "municipalities": n}

in **one** aggregate query. ``prevention_breakdown(by, date_from, date_to, **filters)`` returns the
same figures per ``municipality``, ``district``, ``country``, ``year``, ``month``, ``kind`` or
``venue_kind`` (one grouped query). Schools are *distinct* venues of kind ``primary_school`` /
``secondary_school``: a school visited five times counts once.

``filters`` (each optional; a single value or a list): ``kind``, ``status`` (default ``"held"``;
``None`` for every status), ``venue_kind``, ``country`` (ISO code), ``municipality`` (instance, pk
or code), ``district`` (as stored on the municipality), ``topic`` (category instance, pk or code),
``partner`` (organisation instance, pk or slug), ``venue`` (instance or pk), ``q`` (words; folded,
so any script and case finds). Unknown filter names raise ``TypeError``.

Statistics are aggregates without personal data; these reads are not audited.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth, TruncYear
from django.http import Http404
from django.utils.translation import gettext as _

from smartsafe.core.text import fold
from smartsafe.directory.models import Organisation
from smartsafe.taxonomy.models import Category, Municipality
from smartsafe.taxonomy.translation import pick

from .models import SCHOOL_KINDS, Event, EventStatus, Venue, VenueKind
from .permissions import can_read_calendar, can_read_prevention

FILTER_NAMES = frozenset(
    {"kind", "status", "venue_kind", "country", "municipality", "district", "topic", "partner", "venue", "q"}
)
_UNSET = object()


# --- access -----------------------------------------------------------------------------------------


def require_reader(user) -> None:
    if not can_read_prevention(user):
        raise PermissionDenied(_("Your role does not read the prevention programme."))


def require_calendar(user) -> None:
    if not can_read_calendar(user):
        raise PermissionDenied(_("Your role does not read the prevention calendar."))


def access_event(user, pk) -> Event:
    require_reader(user)
    try:
        return (
            Event.objects.select_related("venue__municipality", "municipality", "created_by")
            .prefetch_related("presenters", "partners", "topics")
            .get(pk=int(pk))
        )
    except (Event.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def access_venue(user, pk) -> Venue:
    require_reader(user)
    try:
        return Venue.objects.select_related("municipality").get(pk=int(pk))
    except (Venue.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


# --- filtering --------------------------------------------------------------------------------------


def _many(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple, set, frozenset, QuerySet)):
        return [v for v in value if v not in (None, "")]
    return [value]


def _by_key(values, *, code_field: str) -> Q:
    """Instances, primary keys or stable codes → one ``Q`` on the related object."""
    pks, keys = [], []
    for value in values:
        if hasattr(value, "pk"):
            pks.append(value.pk)
        elif isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            pks.append(int(value))
        else:
            keys.append(str(value))
    return Q(pk__in=pks) | Q(**{f"{code_field}__in": keys})


def _as_date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def filter_events(queryset, date_from=None, date_to=None, *, status=_UNSET, **filters):
    """``queryset`` narrowed by period and filters (see the module docstring). M2M filters use
    subqueries, so the result has no duplicate rows and sums stay right."""
    unknown = set(filters) - FILTER_NAMES
    if unknown:
        raise TypeError(f"unknown prevention filters: {sorted(unknown)}")
    date_from, date_to = _as_date(date_from), _as_date(date_to)
    if date_from:
        queryset = queryset.filter(date__gte=date_from)
    if date_to:
        queryset = queryset.filter(date__lte=date_to)
    if status is not _UNSET and _many(status):
        queryset = queryset.filter(status__in=_many(status))
    for name, lookup in (("kind", "kind__in"), ("venue_kind", "venue__kind__in")):
        if _many(filters.get(name)):
            queryset = queryset.filter(**{lookup: [str(v) for v in _many(filters[name])]})
    if _many(filters.get("country")):
        queryset = queryset.filter(country__in=[str(v).upper() for v in _many(filters["country"])])
    if _many(filters.get("district")):
        queryset = queryset.filter(municipality__district__in=[str(v) for v in _many(filters["district"])])
    if _many(filters.get("municipality")):
        wanted = Municipality.objects.filter(_by_key(_many(filters["municipality"]), code_field="code"))
        queryset = queryset.filter(municipality__in=wanted)
    if _many(filters.get("venue")):
        queryset = queryset.filter(venue__in=[getattr(v, "pk", v) for v in _many(filters["venue"])])
    if _many(filters.get("topic")):
        topics = Category.objects.filter(_by_key(_many(filters["topic"]), code_field="code"))
        through = Event.topics.through.objects.filter(event=OuterRef("pk"), category__in=topics)
        queryset = queryset.filter(Exists(through))
    if _many(filters.get("partner")):
        partners = Organisation.objects.filter(_by_key(_many(filters["partner"]), code_field="slug"))
        through = Event.partners.through.objects.filter(event=OuterRef("pk"), organisation__in=partners)
        queryset = queryset.filter(Exists(through))
    words = fold(str(filters.get("q") or "")).replace("\x00", "").split()[:10]
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


# --- statistics -------------------------------------------------------------------------------------


def _sum(field):
    return Coalesce(Sum(field), Value(0), output_field=IntegerField())


def _figures() -> dict:
    return {
        "events": Count("pk", distinct=True),
        "pupils": _sum("pupils"),
        "parents": _sum("parents"),
        "teachers": _sum("teachers"),
        "professionals": _sum("professionals"),
        "other": _sum("other_attendees"),
        "primary_schools": Count("venue", distinct=True, filter=Q(venue__kind=VenueKind.PRIMARY_SCHOOL)),
        "secondary_schools": Count("venue", distinct=True, filter=Q(venue__kind=VenueKind.SECONDARY_SCHOOL)),
        "countries": Count("country", distinct=True),
        "municipalities": Count("municipality", distinct=True),
    }


def _with_audience(row: dict) -> dict:
    row["audience"] = row["pupils"] + row["parents"] + row["teachers"] + row["professionals"] + row["other"]
    return row


def prevention_totals(date_from=None, date_to=None, *, status=EventStatus.HELD, **filters) -> dict:
    """The prevention figures for the period, in one aggregate query (see the module docstring)."""
    events = filter_events(Event.objects.all(), date_from, date_to, status=status, **filters)
    return _with_audience(events.aggregate(**_figures()))


BREAKDOWNS = {
    "municipality": ("municipality", "municipality__code", "municipality__name_sr", "municipality__name_en"),
    "district": ("municipality__district", "municipality__district_en"),
    "country": ("country",),
    "year": ("period",),
    "month": ("period",),
    "kind": ("kind",),
    "venue_kind": ("venue__kind",),
}


def prevention_breakdown(
    by: str, date_from=None, date_to=None, *, status=EventStatus.HELD, **filters
) -> list[dict]:
    """The figures of ``prevention_totals`` per group, one grouped query, ordered by group.

    Rows carry the group's columns (e.g. ``municipality``, ``municipality__code``… for
    ``by="municipality"``; ``period`` — the first day — for ``year`` and ``month``) and the figures.
    Events without a municipality (abroad, online) form a group with ``municipality=None``.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"prevention_breakdown: by must be one of {sorted(BREAKDOWNS)}")
    events = filter_events(Event.objects.all(), date_from, date_to, status=status, **filters)
    if by in ("year", "month"):
        events = events.annotate(period=(TruncYear if by == "year" else TruncMonth)("date"))
    columns = BREAKDOWNS[by]
    rows = events.order_by().values(*columns).annotate(**_figures()).order_by(*columns)
    return [_with_audience(dict(row)) for row in rows]


# --- pages --------------------------------------------------------------------------------------------


def event_list(user, date_from=None, date_to=None, **filters):
    """Events for the list page, newest first; ``status`` unfiltered unless given."""
    require_reader(user)
    status = filters.pop("status", None)
    events = filter_events(Event.objects.all(), date_from, date_to, status=status, **filters)
    return (
        events.select_related("venue", "municipality")
        .prefetch_related("topics")
        .order_by("-date", "-start_time", "-pk")
    )


def month_grid(user, year: int, month: int) -> dict:
    """The calendar of ``year``-``month``: weeks (Monday first) of days, each with its events; one query."""
    require_calendar(user)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    by_day = defaultdict(list)
    events = (
        Event.objects.filter(date__gte=first, date__lte=last)
        .select_related("venue", "municipality")
        .order_by("date", "start_time", "pk")
    )
    for event in events:
        by_day[event.date].append(event)
    return {
        "weeks": [
            [{"date": d, "in_month": d.month == month, "events": by_day.get(d, [])} for d in w] for w in weeks
        ],
        "count": sum(len(v) for d, v in by_day.items() if d.month == month),
    }


def venue_list(user, *, q: str = "", kind: str = "", municipality=None, country: str = ""):
    require_reader(user)
    venues = Venue.objects.select_related("municipality").annotate(
        held=Count("events", filter=Q(events__status=EventStatus.HELD)),
    )
    if kind:
        venues = venues.filter(kind=kind)
    if municipality:
        venues = venues.filter(municipality=municipality)
    if country:
        venues = venues.filter(country=country.upper())
    for word in fold(q or "").replace("\x00", "").split()[:10]:
        venues = venues.filter(search_text__contains=word)
    return venues.order_by("name", "pk")


def venue_events(venue: Venue):
    return venue.events.select_related("municipality").order_by("-date", "-pk")


# --- coverage -----------------------------------------------------------------------------------------


def _held_school_events(date_from, date_to, country=None):
    events = Event.objects.filter(status=EventStatus.HELD, venue__kind__in=SCHOOL_KINDS)
    return filter_events(events, date_from, date_to, country=country)


def schools_never_visited(date_from=None, date_to=None, *, country=None):
    """Active schools in the register without a held event in the period (all time by default)."""
    visited = _held_school_events(date_from, date_to).filter(venue=OuterRef("pk"))
    venues = Venue.objects.filter(kind__in=SCHOOL_KINDS, active=True).exclude(Exists(visited))
    if country:
        venues = venues.filter(country=str(country).upper())
    return venues.select_related("municipality").order_by("country", "municipality__name_sr", "town", "name")


def coverage_by_place(date_from=None, date_to=None, *, country=None) -> list[dict]:
    """Per place (municipality, or town abroad): schools reached by level, schools in the register,
    held events and pupils; ranked by schools reached, then events. Two grouped queries."""
    place = ("country", "municipality", "municipality__name_sr", "municipality__name_en", "town")
    held = filter_events(Event.objects.filter(status=EventStatus.HELD), date_from, date_to, country=country)
    reached = {
        _place_key(row): row
        for row in held.order_by()
        .values(*place)
        .annotate(
            events=Count("pk", distinct=True),
            pupils=_sum("pupils"),
            primary=Count("venue", distinct=True, filter=Q(venue__kind=VenueKind.PRIMARY_SCHOOL)),
            secondary=Count("venue", distinct=True, filter=Q(venue__kind=VenueKind.SECONDARY_SCHOOL)),
        )
    }
    register = Venue.objects.filter(kind__in=SCHOOL_KINDS, active=True)
    if country:
        register = register.filter(country=str(country).upper())
    registered = {
        _place_key(row): row
        for row in register.order_by()
        .values(*place)
        .annotate(
            primary_total=Count("pk", filter=Q(kind=VenueKind.PRIMARY_SCHOOL)),
            secondary_total=Count("pk", filter=Q(kind=VenueKind.SECONDARY_SCHOOL)),
        )
    }
    rows = []
    for key in set(reached) | set(registered):
        base = reached.get(key) or registered.get(key)
        r = reached.get(key, {})
        g = registered.get(key, {})
        name = (
            pick(sr=base["municipality__name_sr"], en=base["municipality__name_en"])
            if base["municipality"]
            else ""
        )
        rows.append(
            {
                "country": base["country"],
                "municipality": base["municipality"],
                "name": name or base["town"] or _("(no place)"),
                "events": r.get("events", 0),
                "pupils": r.get("pupils", 0),
                "primary": r.get("primary", 0),
                "secondary": r.get("secondary", 0),
                "schools": r.get("primary", 0) + r.get("secondary", 0),
                "primary_total": g.get("primary_total", 0),
                "secondary_total": g.get("secondary_total", 0),
                "schools_total": g.get("primary_total", 0) + g.get("secondary_total", 0),
            }
        )
    rows.sort(key=lambda row: (-row["schools"], -row["events"], row["country"], fold(row["name"])))
    return rows


def _place_key(row: dict) -> tuple:
    if row["municipality"]:
        return (row["country"], row["municipality"], "")
    return (row["country"], None, fold(row["town"] or ""))
