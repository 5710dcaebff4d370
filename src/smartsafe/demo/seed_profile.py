"""``manage.py load_demo --profile seed``: the centre of the seed presentation, figure for figure.

The seed slide (docs/domain.md §2, §5) publishes totals, not records. This profile writes records whose
totals are exactly the slide's, so the statistics dashboard shows the slide from data:

- 37,131 contacts over four channels (``SLIDE_CHANNELS``);
- 7,050 cases, 550 referred and 6,500 advisory. The slide says 6,550 advisory, but 550 + 6,550 is
  7,100, not the 7,050 "total created cases" it also shows; we keep 7,050 and 550 (the two figures
  the rest of the slide agrees with: 550 / 7,050 ≈ 8 %, and 96 % / 4 % is contacts informed vs
  referred) — docs/statistics.md;
- referred cases by category rounding to the pie's 21 / 4 / 5 / 19 / 16 / 11 / 24 %;
- prevention: 601 presentations, 25,770 pupils, 7,048 parents, 198 primary and 31 secondary schools.

Written in bulk (no per-row actions, no audit events: it is invented history), then the statistics
roll-ups are rebuilt once. Deterministic: the same data every time.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone

from smartsafe.cases.models import Case, ReferenceSequence
from smartsafe.demo.users import ensure_staff
from smartsafe.demo.vocabulary import TaxonomyMissing
from smartsafe.intake.models import Contact
from smartsafe.prevention.models import Event, Venue, refresh_venue_columns
from smartsafe.stats import rollups
from smartsafe.taxonomy.models import Category, Channel, Municipality, ReporterType

MARKER = "demo-seed-"

# Which of the slide's four numbers belongs to which channel is NOT certain: the slide lists "web
# platform, emails, helpline and social media" and then four numbers in that order. This is the one
# place to change if the centre says otherwise. Keys are channel *kinds* (taxonomy.Channel.kind);
# "social" is spread over every active channel of that kind (Viber, Messenger, Instagram…).
SLIDE_CHANNELS: dict[str, int] = {
    "web": 26_552,  # web platform "Smart and Safe" (web form)
    "email": 92,
    "phone": 10_334,  # helpline 19833
    "social": 153,
}
# How the social-media contacts spread over the messengers (Viber is the most used in Serbia).
SOCIAL_WEIGHTS = {"viber": 5, "messenger": 3, "instagram": 3, "whatsapp": 2, "telegram": 1}

CASES = 7_050
# Referred cases per category: 550 in all, each rounding to the slide's pie.
REFERRED_BY_CATEGORY: dict[str, int] = {
    "profile_abuse": 116,  # 21.1 %
    "internet_addiction": 22,  # 4.0 %
    "dangerous_challenges": 27,  # 4.9 %
    "predators": 105,  # 19.1 %
    "threats_blackmail": 88,  # 16.0 %
    "csam": 60,  # 10.9 %
    "cyberbullying": 132,  # 24.0 %
}
SLIDE_PIE = {
    "profile_abuse": 21,
    "internet_addiction": 4,
    "dangerous_challenges": 5,
    "predators": 19,
    "threats_blackmail": 16,
    "csam": 11,
    "cyberbullying": 24,
}
PREVENTION = {
    "events": 601,
    "pupils": 25_770,
    "parents": 7_048,
    "primary_schools": 198,
    "secondary_schools": 31,
}

FIRST_DAY = dt.date(2017, 2, 27)  # the centre's founding
LAST_DAY = dt.date(2023, 12, 31)


@dataclass
class SeedResult:
    contacts: int
    cases: int
    referred: int
    events: int
    seconds: float


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` into ``parts`` non-negative integers that sum exactly to it, roughly even."""
    if parts <= 0:
        return []
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    bounds = [0, *cuts, total]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


def _moment(rng: random.Random, zone) -> dt.datetime:
    span = (LAST_DAY - FIRST_DAY).days
    day = FIRST_DAY + dt.timedelta(days=rng.randint(0, span))
    at = dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59), rng.randint(0, 59)))
    return timezone.make_aware(at, zone)


def is_loaded() -> bool:
    return Contact.objects.filter(external_id__startswith=MARKER).exists()


def _channel_plan() -> list:
    """(channel, count) pairs from ``SLIDE_CHANNELS``."""

    plan = []
    for kind, count in SLIDE_CHANNELS.items():
        channels = list(Channel.objects.filter(kind=kind, active=True).order_by("sort_order", "code"))
        if not channels:
            raise TaxonomyMissing(f"taxonomy not loaded: no active channel of kind {kind!r}")
        if kind != "social":
            plan.append((channels[0], count))
            continue
        weights = [SOCIAL_WEIGHTS.get(c.code, 1) for c in channels]
        shares = [count * w // sum(weights) for w in weights]
        shares[0] += count - sum(shares)
        plan.extend(zip(channels, shares, strict=True))
    return plan


def load(seed: int = 19833) -> SeedResult:
    """Write the seed centre. Raises ``vocabulary.TaxonomyMissing`` before writing if terms are missing."""

    started = time.monotonic()
    rng = random.Random(seed)
    zone = timezone.get_default_timezone()
    channel_plan = _channel_plan()
    categories = _categories()
    with transaction.atomic():
        staff = ensure_staff()
        contacts = _plan_contacts(rng, zone, channel_plan, staff)
        cases = _cases(rng, contacts, categories)
        _save_contacts(contacts)
        events = _prevention(rng, staff)
        rollups.rebuild()
    return SeedResult(
        contacts=len(contacts),
        cases=cases,
        referred=sum(REFERRED_BY_CATEGORY.values()),
        events=events,
        seconds=time.monotonic() - started,
    )


def _plan_contacts(rng, zone, channel_plan, staff) -> list:
    """The contacts, unsaved: cases are written first so each contact is inserted with its case."""

    reporters = [None, *ReporterType.objects.filter(active=True)]
    rows = []
    for channel, count in channel_plan:
        for _ in range(count):
            at = _moment(rng, zone)
            rows.append(
                Contact(
                    channel=channel,
                    state="closed",
                    received_at=at,
                    created_at=at,
                    closed_at=at + dt.timedelta(minutes=rng.randint(3, 90)),
                    reporter_type=rng.choice(reporters),
                    created_by=rng.choice(staff.counsellors),
                )
            )
    rows.sort(key=lambda c: c.received_at)
    for i, row in enumerate(rows):
        row.external_id = f"{MARKER}{i}"
    return rows


def _save_contacts(contacts) -> None:
    Contact.objects.bulk_create(contacts, batch_size=2000)
    # auto_now_add stamped "now"; the contacts were created when they were received.
    Contact.objects.filter(external_id__startswith=MARKER).update(created_at=models.F("received_at"))


def _categories() -> tuple[dict, list]:
    referral = {c.code: c for c in Category.objects.filter(code__in=REFERRED_BY_CATEGORY)}
    missing = set(REFERRED_BY_CATEGORY) - set(referral)
    if missing:
        raise TaxonomyMissing(f"taxonomy not loaded: missing categories {sorted(missing)}")
    advisory = list(Category.objects.filter(kind="advisory", active=True)) or list(referral.values())
    return referral, advisory


def _cases(rng, contacts, categories) -> int:
    from django.conf import settings

    referral, advisory_topics = categories
    places = list(Municipality.objects.filter(active=True)[:200]) or [None]
    kinds = [code for code, n in REFERRED_BY_CATEGORY.items() for _ in range(n)]
    kinds += [None] * (CASES - len(kinds))
    rng.shuffle(kinds)
    chosen = sorted(rng.sample(range(len(contacts)), CASES))
    prefix = settings.SMARTSAFE_CASE_PREFIX
    numbers: Counter = Counter(
        dict(ReferenceSequence.objects.filter(prefix=prefix).values_list("year", "last"))
    )
    cases = []
    for index in chosen:
        contact = contacts[index]
        category = kinds[len(cases)]
        opened = contact.received_at + dt.timedelta(minutes=rng.randint(5, 240))
        year = timezone.localtime(opened).year
        numbers[year] += 1
        cases.append(
            Case(
                reference=f"{prefix}-{year}-{numbers[year]:06d}",
                kind="referred" if category else "advisory",
                state="closed",
                title="Пријава" if category else "Савет",
                municipality=rng.choice(places),
                owner=contact.created_by,
                assigned_to=contact.created_by,
                opened_at=opened,
                closed_at=opened + dt.timedelta(days=rng.randint(1, 30)),
                resolution="referred_resolved" if category else "advice_given",
            )
        )
    Case.objects.bulk_create(cases, batch_size=2000)
    for year, last in numbers.items():
        ReferenceSequence.objects.update_or_create(prefix=prefix, year=year, defaults={"last": last})
    if any(case.pk is None for case in cases):  # databases that return no ids from bulk inserts
        saved = dict(
            Case.objects.filter(reference__in=[c.reference for c in cases]).values_list("reference", "pk")
        )
        for case in cases:
            case.pk = saved[case.reference]
    through = Case.categories.through
    rows = []
    for index, case, category in zip(chosen, cases, kinds, strict=True):
        contact = contacts[index]
        contact.case_id, contact.state, contact.linked_at = case.pk, "linked", case.opened_at
        topic = referral[category] if category else rng.choice(advisory_topics)
        rows.append(through(case_id=case.pk, category_id=topic.pk))
    through.objects.bulk_create(rows, batch_size=2000)
    return len(cases)


def _prevention(rng, staff) -> int:
    """601 held presentations reaching exactly the slide's pupils, parents and schools."""

    places = list(Municipality.objects.filter(active=True, country="RS")[:150]) or [None]
    venues = [
        Venue(
            name=f"ОШ „Семе {i + 1}”",
            kind="primary_school",
            municipality=rng.choice(places),
            external_id=f"{MARKER}p{i}",
        )
        for i in range(PREVENTION["primary_schools"])
    ]
    venues += [
        Venue(
            name=f"Средња школа „Семе {i + 1}”",
            kind="secondary_school",
            municipality=rng.choice(places),
            external_id=f"{MARKER}s{i}",
        )
        for i in range(PREVENTION["secondary_schools"])
    ]
    others = [
        Venue(
            name=f"Библиотека „Семе {i + 1}”",
            kind="library",
            municipality=rng.choice(places),
            external_id=f"{MARKER}o{i}",
        )
        for i in range(10)
    ]
    for venue in venues + others:
        venue.country = "RS"
        refresh_venue_columns(venue)
    Venue.objects.bulk_create(venues + others)
    venues = list(Venue.objects.filter(external_id__startswith=MARKER).exclude(kind="library").order_by("pk"))
    others = list(Venue.objects.filter(external_id__startswith=MARKER, kind="library").order_by("pk"))
    schools = venues[:]
    # Every school at least once, then the rest of the 601 at schools or libraries.
    places_for_events = schools + [
        rng.choice(schools + others) for _ in range(PREVENTION["events"] - len(schools))
    ]
    pupils = _split(PREVENTION["pupils"], len(places_for_events), rng)
    parents = _split(PREVENTION["parents"], len(places_for_events), rng)
    span = (LAST_DAY - FIRST_DAY).days
    events = []
    for venue, n_pupils, n_parents in zip(places_for_events, pupils, parents, strict=True):
        bands = {"pupils_grades_1_4": 0, "pupils_grades_5_8": 0, "pupils_secondary": 0}
        if venue.kind == "secondary_school":
            bands["pupils_secondary"] = n_pupils
        else:
            bands["pupils_grades_1_4"] = n_pupils // 3
            bands["pupils_grades_5_8"] = n_pupils - n_pupils // 3
        events.append(
            Event(
                kind="presentation",
                status="held",
                date=FIRST_DAY + dt.timedelta(days=rng.randint(0, span)),
                duration_minutes=45,
                venue=venue,
                country="RS",
                municipality=venue.municipality,
                pupils=n_pupils,
                parents=n_parents,
                created_by=rng.choice(staff.counsellors),
                **bands,
            )
        )
    Event.objects.bulk_create(events, batch_size=1000)
    return len(events)
