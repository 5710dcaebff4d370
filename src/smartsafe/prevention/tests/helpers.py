"""Builders for the prevention tests: places and events through the real actions."""

from __future__ import annotations

import datetime as dt
import itertools

from smartsafe.prevention import actions
from smartsafe.prevention.models import EventKind, EventStatus, VenueKind

_n = itertools.count(1)
PAST = dt.date(2024, 3, 12)


def municipality(code="rs-nis", name_sr="Ниш", name_en="Niš", country="RS", district="Нишавски округ"):
    from smartsafe.taxonomy.models import Municipality

    obj, _ = Municipality.objects.get_or_create(
        code=code,
        defaults={"name_sr": name_sr, "name_en": name_en, "country": country, "district": district},
    )
    return obj


def venue(actor, name=None, kind=VenueKind.PRIMARY_SCHOOL, place=None, **fields):
    if place is None and "town" not in fields:
        place = municipality()
    return actions.create_venue(
        actor=actor, name=name or f"ОШ „Школа {next(_n)}“", kind=kind, municipality=place, **fields
    )


def event(actor, at=None, *, date=PAST, status=EventStatus.HELD, kind=EventKind.PRESENTATION, **fields):
    if at is None and not {"municipality", "town", "country"} & set(fields):
        at = venue(actor)
    if at is not None:
        fields["venue"] = at
    return actions.create_event(actor=actor, kind=kind, status=status, date=date, **fields)


def organisation(slug="pds", name="Friends of Children of Serbia", acronym="PDS"):
    from smartsafe.directory.models import Organisation

    obj, _ = Organisation.objects.get_or_create(slug=slug, defaults={"name": name, "acronym": acronym})
    return obj
