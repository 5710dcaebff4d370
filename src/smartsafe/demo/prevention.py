"""Demo data for the prevention programme (invented; demo mode only — called by ``load_demo``).

``load_demo_prevention(rng, years)`` writes a venue register of schools and other places across
Serbia and a few in Montenegro (Podgorica, Nikšić, Bar), and some hundred events a year: mostly
presentations in schools during the school year, workshops for parents, trainings for
professionals (a municipality in Montenegro among them, as in 2024), webinars and campaigns.
Partners come from the organisation directory, topics from the categories, presenters from the
prevention coordinators and supervisors.

``load_seed_prevention(rng)`` writes events whose totals are exactly the centre's published
figures: 601 presentations, 25,770 pupils, 7,048 parents, 198 primary and 31 secondary schools.

History is written in bulk (one audit event says so), like the rest of the demo's history.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from smartsafe.accounts.roles import Role
from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.core.text import fold, fold_many
from smartsafe.demo.places import DEFAULT_POPULATION, POPULATION
from smartsafe.directory.models import Organisation
from smartsafe.prevention.models import (
    Event,
    EventKind,
    EventLanguage,
    EventStatus,
    Venue,
    VenueKind,
    refresh_venue_columns,
)
from smartsafe.taxonomy.models import Category, Municipality

PRIMARY_NAMES = (
    "Вук Караџић", "Бранко Радичевић", "Јован Јовановић Змај", "Свети Сава", "Доситеј Обрадовић",
    "Ђура Јакшић", "Десанка Максимовић", "Његош", "Милош Црњански", "Бранислав Нушић", "Иво Андрић",
    "Стефан Немања", "Вожд Карађорђе", "Јован Цвијић", "Никола Тесла", "Михајло Пупин", "Краљ Петар I",
    "Милан Ракић", "Радоје Домановић", "Душан Радовић", "Бранко Ћопић", "Петефи Шандор", "Соња Маринковић",
)  # fmt: skip
SECONDARY_NAMES = (
    "Гимназија", "Економска школа", "Техничка школа", "Медицинска школа", "Пољопривредна школа",
    "Гимназија „Светозар Марковић“", "Електротехничка школа", "Уметничка школа", "Средња стручна школа",
)  # fmt: skip
OTHER_VENUES = (
    (VenueKind.LIBRARY, "Народна библиотека"),
    (VenueKind.CULTURAL_INSTITUTION, "Дом културе"),
    (VenueKind.YOUTH_OFFICE, "Канцеларија за младе"),
    (VenueKind.PUPILS_DORMITORY, "Дом ученика средњих школа"),
    (VenueKind.MUNICIPALITY, "Градска управа"),
    (VenueKind.SPORTS_CAMP, "Спортски камп"),
)
# (town, Latin name of its municipality building) — used when the taxonomy has no such municipality.
MONTENEGRO = (("Podgorica", "Glavni grad Podgorica"), ("Nikšić", "Opština Nikšić"), ("Bar", "Opština Bar"))
TITLES = (
    "Безбедно на интернету",
    "Паметно и безбедно",
    "Дигитално насиље — како да препознамо и реагујемо",
    "Заштита приватности на друштвеним мрежама",
    "Родитељи у дигиталном свету деце",
    "Опасни изазови и лажне игре",
    "Превенција дигиталног насиља у школи",
)
SCHOOL_MONTHS = (9, 10, 11, 12, 1, 2, 3, 4, 5, 6)


def _years(years) -> list[int]:
    if isinstance(years, int):
        this_year = timezone.localdate().year
        return list(range(this_year - years + 1, this_year + 1))
    return sorted(set(int(y) for y in years))


def _municipalities(rng: random.Random):
    """Serbian municipalities with weights (population where the demo knows it)."""

    found = list(Municipality.objects.filter(active=True, country="RS").order_by("code"))
    # A city split into city municipalities (Belgrade: rs-beograd-*) has its schools in them.
    codes = {m.code for m in found}
    found = [m for m in found if not any(code.startswith(m.code + "-") for code in codes)]
    weights = [
        POPULATION.get(fold(m.name_en), POPULATION.get(fold(m.name_sr), DEFAULT_POPULATION)) for m in found
    ]
    return found, weights


def _montenegro_places():
    """``(municipality or None, town, building name)`` for the Montenegrin towns of the 2024 visit."""

    places = []
    for town, building in MONTENEGRO:
        municipality = next(
            (
                m
                for m in Municipality.objects.filter(country="ME")
                if fold(town) in (fold(m.name_en), fold(m.name_sr))
            ),
            None,
        )
        places.append((municipality, "" if municipality else town, building))
    return places


def _new_venue(name, kind, *, country="RS", municipality=None, town="", external_id="") -> Venue:
    venue = Venue(
        name=name, kind=kind, country=country, municipality=municipality, town=town, external_id=external_id
    )
    refresh_venue_columns(venue)
    return venue


def _build_register(rng: random.Random, *, primary: int, secondary: int, other: int) -> list[Venue]:
    municipalities, weights = _municipalities(rng)
    if not municipalities:
        raise RuntimeError("The demo's prevention data needs the municipalities (manage.py load_taxonomy).")
    venues, seen = [], set()

    def add(kind, name_for):
        for _attempt in range(50):
            municipality = rng.choices(municipalities, weights)[0]
            name = name_for(municipality)
            if (name, municipality.pk) not in seen:
                seen.add((name, municipality.pk))
                number = (
                    f"{rng.randint(1000, 9999)}{len(venues):04d}"
                    if kind in (VenueKind.PRIMARY_SCHOOL, VenueKind.SECONDARY_SCHOOL)
                    else ""
                )
                venues.append(_new_venue(name, kind, municipality=municipality, external_id=number))
                return

    for _ in range(primary):
        add(VenueKind.PRIMARY_SCHOOL, lambda m: f"ОШ „{rng.choice(PRIMARY_NAMES)}“")
    for _ in range(secondary):
        add(VenueKind.SECONDARY_SCHOOL, lambda m: rng.choice(SECONDARY_NAMES))
    for _ in range(other):
        kind, label = rng.choice(OTHER_VENUES)
        add(kind, lambda m, label=label: f"{label} {m.name_sr}")
    return venues


def _school_day(rng: random.Random, year: int) -> dt.date:
    month = rng.choice(SCHOOL_MONTHS)
    # A school year straddles two calendar years; keep the date inside ``year``.
    for _attempt in range(10):
        day = dt.date(year, month, rng.randint(1, 28))
        if day.weekday() < 5:
            return day
    return dt.date(year, month, 15)


def _people():
    users = get_user_model().objects.filter(is_active=True)
    presenters = list(users.filter(role=Role.PREVENTION).order_by("username")) or list(
        users.filter(role=Role.SUPERVISOR).order_by("username")
    )
    return presenters


def _partners():

    return list(Organisation.objects.filter(active=True).order_by("slug"))


def _topics():

    return list(Category.objects.filter(active=True).order_by("sort_order", "code"))


def _audience(rng: random.Random, kind: str, venue_kind: str) -> dict:
    counts = dict.fromkeys(
        (
            "pupils_grades_1_4",
            "pupils_grades_5_8",
            "pupils_secondary",
            "parents",
            "teachers",
            "professionals",
        ),
        0,
    )
    if kind == EventKind.TRAINING:
        counts["professionals"] = rng.randint(8, 45)
        counts["teachers"] = rng.randint(0, 10)
    elif kind == EventKind.WEBINAR:
        counts["parents"] = rng.randint(20, 220)
        counts["teachers"] = rng.randint(5, 60)
    elif kind == EventKind.CONFERENCE:
        counts["professionals"] = rng.randint(40, 200)
        counts["teachers"] = rng.randint(10, 60)
    elif venue_kind == VenueKind.PRIMARY_SCHOOL:
        band = rng.choice(("pupils_grades_1_4", "pupils_grades_5_8", "pupils_grades_5_8"))
        counts[band] = rng.randint(18, 120)
        counts["parents"] = rng.choice((0, 0, rng.randint(5, 40)))
        counts["teachers"] = rng.randint(1, 6)
    elif venue_kind in (VenueKind.SECONDARY_SCHOOL, VenueKind.PUPILS_DORMITORY):
        counts["pupils_secondary"] = rng.randint(20, 150)
        counts["teachers"] = rng.randint(1, 5)
    else:
        counts["pupils_grades_5_8"] = rng.randint(0, 40)
        counts["parents"] = rng.randint(0, 30)
        counts["professionals"] = rng.randint(0, 10)
    return counts


def _event(
    rng, *, kind, date, venue=None, country="RS", municipality=None, town="", today, counts=None
) -> Event:
    status = (
        EventStatus.PLANNED
        if date > today
        else rng.choices((EventStatus.HELD, EventStatus.CANCELLED), (24, 1))[0]
    )
    counts = counts if counts is not None else _audience(rng, kind, venue.kind if venue else "")
    if status != EventStatus.HELD:
        counts = dict.fromkeys(counts, 0)
    attendees = sum(counts.values())
    responses = (
        rng.randint(0, attendees) if status == EventStatus.HELD and attendees and rng.random() < 0.6 else 0
    )
    event = Event(
        kind=kind,
        status=status,
        title=rng.choice(TITLES),
        date=date,
        start_time=dt.time(rng.choice((8, 9, 10, 11, 12, 13, 17, 18)), rng.choice((0, 15, 30))),
        duration_minutes=rng.choice((45, 45, 60, 90, 120)),
        language=EventLanguage.SR,
        venue=venue,
        country=venue.country if venue else country,
        municipality=venue.municipality if venue else municipality,
        town=venue.town if venue else town,
        feedback_responses=responses,
        feedback_average=round(rng.uniform(3.6, 5.0), 2) if responses else None,
        cancel_reason="Школа је одложила термин." if status == EventStatus.CANCELLED else "",
        **counts,
    )
    event.pupils = event.pupils_grades_1_4 + event.pupils_grades_5_8 + event.pupils_secondary
    place = venue.name if venue else town
    event.search_text = fold_many(event.title, place, municipality.name_sr if municipality else "", town)
    return event


def _write(rng: random.Random, venues: list[Venue], events: list[Event], *, label: str) -> dict:
    """Bulk-write ``venues`` and ``events`` and give each event topics, partners and presenters."""
    Venue.objects.bulk_create(venues)
    for event in events:
        if event.venue is not None:
            event.venue_id = event.venue.pk
            event.municipality_id = event.venue.municipality_id
    Event.objects.bulk_create(events, batch_size=500)
    topics, partners, presenters = _topics(), _partners(), _people()
    links = {"topics": [], "partners": [], "presenters": []}
    through = {name: getattr(Event, name).through for name in links}
    for event in events:
        for topic in rng.sample(topics, k=min(len(topics), rng.randint(1, 3))):
            links["topics"].append(through["topics"](event_id=event.pk, category_id=topic.pk))
        if partners and rng.random() < 0.3:
            links["partners"].append(
                through["partners"](event_id=event.pk, organisation_id=rng.choice(partners).pk)
            )
        for person in rng.sample(presenters, k=min(len(presenters), rng.randint(1, 2))):
            links["presenters"].append(through["presenters"](event_id=event.pk, user_id=person.pk))
    for name, rows in links.items():
        through[name].objects.bulk_create(rows, batch_size=1000)
    record(
        codes.PREVENTION_IMPORT,
        object_type="prevention.event",
        object_label=label,
        file=label,
        imported=len(events),
        venues_created=len(venues),
    )
    return {"venues": len(venues), "events": len(events)}


@transaction.atomic
def load_demo_prevention(rng: random.Random, years: Iterable[int] | int = 9) -> dict:
    """Write the demo's prevention programme for ``years`` (calendar years, or the last N years).

    Returns ``{"venues": n, "events": n}``. Needs the municipalities in the taxonomy.
    """
    years = _years(years)
    today = timezone.localdate()
    venues = _build_register(rng, primary=260, secondary=60, other=40)
    schools = [v for v in venues if v.kind in (VenueKind.PRIMARY_SCHOOL, VenueKind.SECONDARY_SCHOOL)]
    others = [v for v in venues if v not in schools]
    online = _new_venue("Онлајн (Zoom)", VenueKind.ONLINE)
    venues.append(online)
    for municipality, town, building in _montenegro_places():
        venues.append(
            _new_venue(building, VenueKind.MUNICIPALITY, country="ME", municipality=municipality, town=town)
        )
    montenegro = venues[-len(MONTENEGRO) :]
    events = []
    for year in years:
        # The centre started in 2017 and grew: more events each year, then steady.
        per_year = min(110, 40 + 12 * (year - years[0]))
        for _ in range(per_year):
            draw = rng.random()
            if draw < 0.72:
                events.append(
                    _event(
                        rng,
                        kind=EventKind.PRESENTATION,
                        date=_school_day(rng, year),
                        venue=rng.choice(schools),
                        today=today,
                    )
                )
            elif draw < 0.82:
                events.append(
                    _event(
                        rng,
                        kind=EventKind.WORKSHOP,
                        date=_school_day(rng, year),
                        venue=rng.choice(others),
                        today=today,
                    )
                )
            elif draw < 0.9:
                events.append(
                    _event(
                        rng,
                        kind=EventKind.TRAINING,
                        date=_school_day(rng, year),
                        venue=rng.choice(others),
                        today=today,
                    )
                )
            elif draw < 0.96 and year >= 2020:
                events.append(
                    _event(
                        rng, kind=EventKind.WEBINAR, date=_school_day(rng, year), venue=online, today=today
                    )
                )
            else:
                municipality = rng.choice(schools).municipality
                events.append(
                    _event(
                        rng,
                        kind=EventKind.CAMPAIGN,
                        date=_school_day(rng, year),
                        country="RS",
                        municipality=municipality,
                        today=today,
                        counts=dict.fromkeys(
                            ("pupils_grades_1_4", "pupils_grades_5_8", "pupils_secondary", "parents"), 0
                        )
                        | {"pupils_grades_5_8": rng.randint(50, 400), "parents": rng.randint(10, 100)},
                    )
                )
        if year >= 2024:
            # Regional work: trainings for municipal staff in Montenegro (first ones in 2024).
            for venue in montenegro:
                date = _school_day(rng, year)
                events.append(_event(rng, kind=EventKind.TRAINING, date=date, venue=venue, today=today))
    return _write(rng, venues, events, label="demo")


SEED_FIGURES = {
    "events": 601,
    "pupils": 25_770,
    "parents": 7_048,
    "primary_schools": 198,
    "secondary_schools": 31,
}


def _partition(rng: random.Random, total: int, parts: int) -> list[int]:
    """``parts`` non-negative integers adding up to ``total``, roughly even."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


@transaction.atomic
def load_seed_prevention(rng: random.Random, *, until: dt.date | None = None) -> dict:
    """Held presentations whose totals are exactly ``SEED_FIGURES`` (all in the past).

    Every school gets at least one presentation; the rest go to schools at random.
    """
    until = until or timezone.localdate() - dt.timedelta(days=1)
    figures = SEED_FIGURES
    venues = _build_register(
        rng, primary=figures["primary_schools"], secondary=figures["secondary_schools"], other=0
    )
    if len(venues) != figures["primary_schools"] + figures["secondary_schools"]:
        raise RuntimeError("Not enough distinct school names for the seed profile.")
    hosts = venues + [rng.choice(venues) for _ in range(figures["events"] - len(venues))]
    pupils = _partition(rng, figures["pupils"], figures["events"])
    parents = _partition(rng, figures["parents"], figures["events"])
    start = dt.date(2017, 3, 1)
    span = max((until - start).days, 1)
    events = []
    for venue, pupil_count, parent_count in zip(hosts, pupils, parents, strict=True):
        band = "pupils_secondary" if venue.kind == VenueKind.SECONDARY_SCHOOL else "pupils_grades_5_8"
        counts = {
            "pupils_grades_1_4": 0,
            "pupils_grades_5_8": 0,
            "pupils_secondary": 0,
            "parents": parent_count,
        }
        counts[band] = pupil_count
        event = _event(
            rng,
            kind=EventKind.PRESENTATION,
            date=start + dt.timedelta(days=rng.randint(0, span)),
            venue=venue,
            today=until,
            counts=counts,
        )
        event.status, event.cancel_reason = EventStatus.HELD, ""
        for name, value in counts.items():
            setattr(event, name, value)
        event.pupils = pupil_count
        events.append(event)
    return _write(rng, venues, events, label="seed profile")
