"""Reads of the directory: routing helpers for referrals and the staff search.

``institutions_for`` and ``search_organisations`` are plain data queries for other apps (the
referral routing calls them for a case's municipality); ``browse`` is the permission-checked entry
point the pages use. Directory data is not personal data, so reads are not audited.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from smartsafe.core.text import fold
from smartsafe.taxonomy.models import Municipality

from .models import Institution, Organisation, area_key
from .permissions import can_browse_directory

MAX_TERM = 200


def _term(text) -> str:
    # PostgreSQL refuses NUL characters in a query; other apps may pass raw text.
    return fold(str(text or "")).replace("\x00", "")[:MAX_TERM]


def _place_key(place) -> str:
    return area_key(str(place or "")).replace("\x00", "")[:MAX_TERM]


def _municipality(value) -> Municipality | None:
    if value is None or isinstance(value, Municipality):
        return value
    return Municipality.objects.filter(code=str(value)).first()


def institutions_for(kind: str | None = None, municipality=None, *, country: str | None = None) -> QuerySet:
    """Active institutions (of ``kind``) that can take a case from ``municipality``, nearest first.

    ``municipality`` is a :class:`Municipality` or its code. Without it every active institution of
    the kind is returned. With it: the municipality's own institutions, the regional ones whose
    districts/regions or listed municipalities cover it, and the national ones of its country —
    in that order (``.nearness`` 0, 1, 2), then by name. Platforms (no country) always qualify.
    """
    queryset = Institution.objects.filter(active=True).select_related("municipality", "parent")
    if kind:
        queryset = queryset.filter(kind=kind)
    place = _municipality(municipality)
    if municipality is not None and place is None:
        # An unknown code must not silently widen to "everywhere but national".
        return queryset.filter(level=Institution.Level.NATIONAL).annotate(nearness=Value(2, IntegerField()))
    if place is None:
        if country:
            queryset = queryset.filter(Q(country=country.upper()) | Q(country=""))
        return queryset.annotate(nearness=Value(2, IntegerField())).order_by("kind", "name_en")

    # A subquery rather than a join: a join would repeat rows and give one institution two nearnesses.
    covering = Institution.covered_municipalities.through.objects.filter(municipality=place).values(
        "institution_id"
    )
    own = Q(municipality=place) | Q(pk__in=covering)
    area_match = Q(pk__in=[])
    for name in (place.district, place.region):
        key = area_key(name)
        if key:
            area_match |= Q(areas_key__contains=f"|{key}|")
    national = Q(level=Institution.Level.NATIONAL) & (Q(country=place.country) | Q(country=""))
    queryset = queryset.filter(own | area_match | national)
    return queryset.annotate(
        nearness=Case(
            When(Q(level=Institution.Level.MUNICIPALITY) & own, then=Value(0)),
            When(own | area_match, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("nearness", "kind", "name_en")


def search_institutions(
    *, text: str = "", kind: str | None = None, place: str = "", active_only: bool = True
) -> QuerySet:
    """Institutions matching the filters given. A ``place`` that names a municipality lists who can
    take a case from there, nearest first (see :func:`institutions_for`); another place text
    matches the institutions' seats and covered districts or regions."""
    key = _place_key(place)
    municipality = _municipality_named(key) if key else None
    if municipality is not None:
        queryset = institutions_for(kind or None, municipality)
    else:
        queryset = Institution.objects.select_related("municipality").order_by("kind", "name_en")
        if kind:
            queryset = queryset.filter(kind=kind)
        if key:
            names = _names(key)
            queryset = queryset.filter(
                Q(areas_key__contains=f"|{key}|")
                | Q(municipality__name_sr__in=names)
                | Q(covered_municipalities__name_sr__in=names)
            ).distinct()
    if active_only:
        queryset = queryset.filter(active=True)
    term = _term(text)
    if term:
        queryset = queryset.filter(_all_words("search_text", term))
    return queryset


def search_organisations(
    *,
    text: str = "",
    strategy=None,
    approach: str | None = None,
    service: str | None = None,
    place: str = "",
    referrable_only: bool = False,
    active_only: bool = True,
) -> QuerySet:
    """Organisations matching every filter given.

    ``strategy``: a number (1–7) or code; ``approach``/``service``: codes; ``place``: a town or
    municipality name in any script ("Nis", "Niš", "Ниш"); ``text``: words found in the name,
    acronym, description or towns (every word must occur).
    """
    queryset = Organisation.objects.all()
    if active_only:
        queryset = queryset.filter(active=True)
    if strategy not in (None, ""):
        value = str(strategy).strip().lower()
        if value.isdigit() and len(value) <= 3:
            queryset = queryset.filter(strategies__number=int(value))
        else:
            queryset = queryset.filter(strategies__code=value)
    if approach:
        queryset = queryset.filter(approaches__code=approach)
    if service:
        queryset = queryset.filter(services__code=service)
    key = _place_key(place)
    if key:
        queryset = queryset.filter(places_key__contains=key)
    term = _term(text)
    if term:
        queryset = queryset.filter(_all_words("search_text", term))
    if referrable_only:
        queryset = queryset.filter(institution__isnull=False, institution__active=True)
    return queryset.distinct().prefetch_related("strategies", "services").order_by("name")


def _all_words(column: str, term: str) -> Q:
    condition = Q()
    for word in term.split()[:10]:
        condition &= Q(**{f"{column}__contains": word})
    return condition


def _names(key: str) -> list[str]:
    """Cyrillic names of the municipalities whose name reduces to ``key`` (see ``area_key``)."""
    return [mu.name_sr for mu in _municipalities() if key in (area_key(mu.name_sr), area_key(mu.name_en))]


def _municipality_named(key: str) -> Municipality | None:
    """The municipality called ``key`` in either script; a city before its namesake municipality."""
    matches = [mu for mu in _municipalities() if key in (area_key(mu.name_sr), area_key(mu.name_en))]
    return matches[0] if len(matches) >= 1 else None


def _municipalities() -> list[Municipality]:
    # ~200 rows: folding them in Python is simpler than keeping yet another folded column.
    return list(
        Municipality.objects.filter(active=True).only(
            "pk", "code", "name_sr", "name_en", "district", "region", "country"
        )
    )


# --- the pages' entry points ----------------------------------------------------------------------


def require_browser(user) -> None:
    if not can_browse_directory(user):
        raise PermissionDenied(_("Your role does not include the directory."))


def browse(user, **filters) -> tuple[QuerySet, QuerySet]:
    """(institutions, organisations) for the search page. Institutions are not mapped to INSPIRE,
    so a strategy, approach or service filter leaves them out."""
    require_browser(user)
    text, place = filters.get("text", ""), filters.get("place", "")
    organisations = search_organisations(
        text=text,
        place=place,
        strategy=filters.get("strategy"),
        approach=filters.get("approach"),
        service=filters.get("service"),
        referrable_only=filters.get("referrable_only", False),
    )
    if (
        filters.get("strategy")
        or filters.get("approach")
        or filters.get("service")
        or filters.get("what") == "organisations"
    ):
        institutions = Institution.objects.none()
    else:
        institutions = search_institutions(text=text, place=place, kind=filters.get("kind") or None)
    if filters.get("what") == "institutions" or filters.get("kind"):
        organisations = Organisation.objects.none()
    return institutions, organisations


def institution_detail(user, code: str) -> Institution:
    require_browser(user)
    return (
        Institution.objects.select_related("municipality", "parent")
        .prefetch_related("covered_municipalities", "branches")
        .get(code=code)
    )


def organisation_detail(user, slug: str) -> Organisation:
    require_browser(user)
    return (
        Organisation.objects.select_related("institution")
        .prefetch_related("strategies", "approaches__strategy", "services", "municipalities")
        .get(slug=slug)
    )


def organisation_of(institution: Institution) -> Organisation | None:
    """The directory organisation behind an institution entry, if it came from one."""
    return Organisation.objects.filter(institution=institution).first()


def institutions_by_code(codes) -> dict[str, Institution]:
    return {i.code: i for i in Institution.objects.filter(code__in=list(codes))}


def institution(pk: int) -> Institution:
    return Institution.objects.get(pk=pk)
