"""Statistics and page queries: totals, breakdowns, coverage, calendar, access."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from smartsafe.prevention import actions, queries
from smartsafe.prevention.models import EventKind, VenueKind
from smartsafe.testing import category, make_user

from .helpers import event, municipality, organisation, venue

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def programme(prevention):
    """Two primary schools and one secondary school in Niš and Čačak, one library, one event abroad."""
    nis, cacak = municipality(), municipality("rs-cacak", "Чачак", "Čačak", district="Моравички округ")
    vuk = venue(prevention, "ОШ „Вук Караџић“", place=nis)
    zmaj = venue(prevention, "ОШ „Змај“", place=cacak)
    gim = venue(prevention, "Гимназија", VenueKind.SECONDARY_SCHOOL, place=nis)
    library = venue(prevention, "Народна библиотека", VenueKind.LIBRARY, place=cacak)
    never = venue(prevention, "ОШ „Никад“", place=cacak)
    topic = category("predators")
    partner = organisation()
    event(prevention, vuk, date=D(2023, 3, 1), pupils_grades_1_4=20, parents=5, topics=[topic, category()])
    event(prevention, vuk, date=D(2023, 5, 1), pupils_grades_5_8=30, teachers=2, partners=[partner])
    event(prevention, zmaj, date=D(2024, 2, 1), pupils_grades_5_8=40, parents=10, topics=[topic])
    event(prevention, gim, date=D(2024, 3, 1), pupils_secondary=100, teachers=3)
    event(prevention, library, date=D(2024, 4, 1), kind=EventKind.WORKSHOP, parents=25)
    actions.create_event(
        actor=prevention, kind="training", status="held", date=D(2024, 5, 20), country="ME", town="Nikšić",
        professionals=25,
    )  # fmt: skip
    # Neither planned nor cancelled events count.
    planned = event(
        prevention, zmaj, date=dt.date.today() + dt.timedelta(days=5), status="planned", parents=99
    )
    cancelled = event(prevention, gim, date=dt.date.today() + dt.timedelta(days=6), status="planned")
    actions.cancel_event(actor=prevention, event=cancelled, reason="Штрајк")
    return {
        "nis": nis,
        "cacak": cacak,
        "vuk": vuk,
        "never": never,
        "topic": topic,
        "partner": partner,
        "planned": planned,
    }


def test_totals_for_all_time(programme, django_assert_num_queries):
    with django_assert_num_queries(1):
        totals = queries.prevention_totals()
    assert totals == {
        "events": 6,
        "pupils": 190,
        "parents": 40,
        "teachers": 5,
        "professionals": 25,
        "other": 0,
        "audience": 260,
        "primary_schools": 2,  # Vuk visited twice counts once
        "secondary_schools": 1,
        "countries": 2,
        "municipalities": 2,
    }


def test_totals_for_a_period_and_filters(programme):
    assert queries.prevention_totals(D(2024, 1, 1), D(2024, 12, 31))["events"] == 4
    assert queries.prevention_totals("2023-01-01", "2023-12-31")["primary_schools"] == 1
    assert queries.prevention_totals(country="ME")["professionals"] == 25
    assert queries.prevention_totals(municipality="rs-cacak")["events"] == 2
    assert queries.prevention_totals(municipality=programme["nis"])["pupils"] == 150
    assert queries.prevention_totals(district="Нишавски округ")["secondary_schools"] == 1
    assert queries.prevention_totals(kind=["workshop", "training"])["events"] == 2
    assert queries.prevention_totals(venue_kind=VenueKind.PRIMARY_SCHOOL)["pupils"] == 90
    assert queries.prevention_totals(status="planned")["parents"] == 99
    assert queries.prevention_totals(status=None)["events"] == 8


def test_m2m_filters_do_not_double_count(programme):
    # The first event has two topics; filtering by either must still count its pupils once.
    by_topic = queries.prevention_totals(topic=[programme["topic"], "cyberbullying"])
    assert by_topic["events"] == 2 and by_topic["pupils"] == 60 and by_topic["parents"] == 15
    assert queries.prevention_totals(partner="pds")["pupils"] == 30
    assert queries.prevention_totals(partner=programme["partner"].pk)["events"] == 1


def test_folded_search(programme):
    assert queries.prevention_totals(q="VUK karadzic")["events"] == 2
    assert queries.prevention_totals(q="вук")["events"] == 2
    assert queries.prevention_totals(q="niksic")["events"] == 1
    assert queries.prevention_totals(q="nothing-like-this")["events"] == 0


def test_unknown_filter_is_a_programming_error(programme):
    with pytest.raises(TypeError):
        queries.prevention_totals(colour="red")


def test_breakdowns(programme, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = queries.prevention_breakdown("municipality")
    by_code = {row["municipality__code"]: row for row in rows}
    assert by_code["rs-nis"]["events"] == 3 and by_code["rs-nis"]["primary_schools"] == 1
    assert by_code["rs-cacak"]["parents"] == 35
    assert by_code[None]["professionals"] == 25  # abroad: no municipality
    years = {row["period"].year: row["events"] for row in queries.prevention_breakdown("year")}
    assert years == {2023: 2, 2024: 4}
    months = queries.prevention_breakdown("month", D(2024, 1, 1), D(2024, 12, 31))
    assert [(r["period"].month, r["events"]) for r in months] == [(2, 1), (3, 1), (4, 1), (5, 1)]
    countries = {row["country"]: row["events"] for row in queries.prevention_breakdown("country")}
    assert countries == {"ME": 1, "RS": 5}
    with pytest.raises(ValueError):
        queries.prevention_breakdown("colour")


def test_coverage_by_place_and_never_visited(programme):
    rows = queries.coverage_by_place()
    first = rows[0]
    assert first["name"] == "Niš" and (first["primary"], first["secondary"], first["schools_total"]) == (
        1,
        1,
        2,
    )
    cacak = next(r for r in rows if r["name"] == "Čačak")
    assert (cacak["primary"], cacak["primary_total"], cacak["events"]) == (1, 2, 2)
    assert any(r["name"] == "Nikšić" and r["country"] == "ME" for r in rows)
    assert [v.name for v in queries.schools_never_visited()] == ["ОШ „Никад“"]
    # In 2024 the Vuk Karadžić school was not visited.
    assert {v.name for v in queries.schools_never_visited(D(2024, 1, 1), D(2024, 12, 31))} == {
        "ОШ „Никад“",
        "ОШ „Вук Караџић“",
    }


def test_month_grid_puts_events_on_their_days(programme, prevention):
    grid = queries.month_grid(prevention, 2024, 3)
    days = {day["date"]: day for week in grid["weeks"] for day in week}
    assert grid["weeks"][0][0]["date"].weekday() == 0  # Monday first
    assert [e.date for e in days[D(2024, 3, 1)]["events"]] == [D(2024, 3, 1)]
    assert grid["count"] == 1 and not days[D(2024, 2, 26)]["in_month"]


@pytest.mark.parametrize(
    "role, calendar, reader",
    [
        ("prevention", True, True),
        ("supervisor", True, True),
        ("analyst", True, True),
        ("admin", True, True),
        ("counsellor", True, False),
        ("auditor", False, False),
        ("liaison", False, False),
    ],
)
def test_access_per_role(programme, role, calendar, reader):
    user = make_user(role)
    if calendar:
        queries.month_grid(user, 2024, 3)
    else:
        with pytest.raises(PermissionDenied):
            queries.month_grid(user, 2024, 3)
    if reader:
        assert queries.access_venue(user, programme["vuk"].pk) == programme["vuk"]
    else:
        with pytest.raises(PermissionDenied):
            queries.event_list(user)


def test_access_unknown_ids_are_404(prevention):
    for bad in (999999, "abc", None, 10**30):
        with pytest.raises(Http404):
            queries.access_event(prevention, bad)
