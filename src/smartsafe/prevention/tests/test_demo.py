"""Demo data: realistic years of events, and the seed profile's exact totals."""

import datetime as dt
import random

import pytest
from django.db.models import Min

from smartsafe.demo.prevention import SEED_FIGURES, load_demo_prevention, load_seed_prevention
from smartsafe.prevention import queries
from smartsafe.prevention.models import Event, EventStatus, Venue, VenueKind
from smartsafe.testing import make_user

from .helpers import municipality, organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    # The shipped taxonomy is loaded by migration; make sure of a few places anyway.
    municipality()
    municipality("rs-cacak", "Чачак", "Čačak")
    organisation()
    make_user("prevention")


def test_demo_years_of_events(world):
    result = load_demo_prevention(random.Random(7), range(2017, dt.date.today().year + 1))
    assert result["events"] == Event.objects.count() > 500
    assert Event.objects.aggregate(first=Min("date"))["first"].year == 2017
    totals = queries.prevention_totals()
    assert totals["primary_schools"] > 100 and totals["secondary_schools"] > 20 and totals["pupils"] > 10_000
    assert Venue.objects.filter(country="ME", kind=VenueKind.MUNICIPALITY).count() == 3
    assert queries.prevention_totals(country="ME")["events"] >= 3
    assert not Event.objects.filter(status=EventStatus.HELD, date__gt=dt.date.today()).exists()
    assert Event.topics.through.objects.exists() and Event.presenters.through.objects.exists()
    # The derived columns are right although the history was written in bulk.
    for event in Event.objects.all()[:50]:
        assert event.pupils == event.pupils_grades_1_4 + event.pupils_grades_5_8 + event.pupils_secondary
        if event.venue_id:
            assert (event.country, event.municipality_id) == (
                event.venue.country,
                event.venue.municipality_id,
            )


def test_demo_is_deterministic(world):
    first = load_demo_prevention(random.Random(3), 2)
    snapshot = list(Event.objects.order_by("pk").values_list("date", "kind", "pupils"))
    Event.objects.all().delete()
    Venue.objects.all().delete()
    assert load_demo_prevention(random.Random(3), 2) == first
    assert list(Event.objects.order_by("pk").values_list("date", "kind", "pupils")) == snapshot


def test_seed_profile_matches_the_published_figures(world):
    load_seed_prevention(random.Random(19833))
    totals = queries.prevention_totals()
    assert {name: totals[name] for name in SEED_FIGURES} == SEED_FIGURES
