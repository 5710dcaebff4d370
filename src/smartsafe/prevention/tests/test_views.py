"""The prevention pages: access per role, calendar, list and filters, forms, coverage, import."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smartsafe.prevention.models import Event, Venue, VenueKind
from smartsafe.testing import category, make_user

from .helpers import event, municipality, organisation, venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(prevention):
    school = venue(prevention, "ОШ „Вук Караџић“", place=municipality())
    return event(prevention, school, date=dt.date(2024, 3, 12), pupils_grades_5_8=40, topics=[category()])


def pages(held):
    return {
        "calendar": reverse("prevention:calendar"),
        "list": reverse("prevention:events"),
        "detail": reverse("prevention:event", args=[held.pk]),
        "venues": reverse("prevention:venues"),
        "venue": reverse("prevention:venue", args=[held.venue_id]),
        "coverage": reverse("prevention:coverage"),
        "new": reverse("prevention:event_new"),
        "edit": reverse("prevention:event_edit", args=[held.pk]),
        "venue_new": reverse("prevention:venue_new"),
        "import": reverse("prevention:import"),
        "template": reverse("prevention:import_template", args=["csv"]),
    }


READ = {"calendar", "list", "detail", "venues", "venue", "coverage"}
WRITE = {"new", "edit", "venue_new", "import", "template"}


@pytest.mark.parametrize(
    "role, allowed",
    [
        ("prevention", READ | WRITE),
        ("supervisor", READ | WRITE),
        ("analyst", READ),
        ("admin", READ),
        ("counsellor", {"calendar"}),
        ("auditor", set()),
        ("liaison", set()),
    ],
)
def test_every_page_per_role(client, held, role, allowed):
    client.force_login(make_user(role))
    for name, url in pages(held).items():
        response = client.get(url)
        assert response.status_code == (200 if name in allowed else 403), (name, response.status_code)


def test_anonymous_is_sent_to_login(client, held):
    for url in pages(held).values():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_nav_shows_prevention_to_calendar_roles(client, held):
    for role, shown in (("prevention", True), ("counsellor", True), ("analyst", True), ("auditor", False)):
        client.force_login(make_user(role))
        body = client.get(reverse("home")).content.decode()
        assert (reverse("prevention:calendar") in body) is shown, role


def test_calendar_month_navigation_and_events(client, prevention, held):
    client.force_login(prevention)
    body = client.get(reverse("prevention:calendar"), {"month": "2024-03"}).content.decode()
    assert "?month=2024-02" in body and "?month=2024-04" in body
    assert reverse("prevention:event", args=[held.pk]) in body and "ОШ „Вук Караџић“" in body
    december = client.get(reverse("prevention:calendar"), {"month": "2023-12"}).content.decode()
    assert "?month=2024-01" in december and "?month=2023-11" in december
    for junk in ("2024-13", "abc", "99999-1", "-"):
        assert client.get(reverse("prevention:calendar"), {"month": junk}).status_code == 200


def test_counsellors_see_the_calendar_without_links(client, counsellor, held):
    client.force_login(counsellor)
    body = client.get(reverse("prevention:calendar"), {"month": "2024-03"}).content.decode()
    assert "ОШ „Вук Караџић“" in body and reverse("prevention:event", args=[held.pk]) not in body
    assert reverse("prevention:event_new") not in body


def test_list_filters(client, prevention, held):
    other = venue(
        prevention, "Народна библиотека", VenueKind.LIBRARY, place=municipality("rs-cacak", "Чачак", "Čačak")
    )
    workshop = event(
        prevention, other, kind="workshop", date=dt.date(2023, 1, 10), parents=12, partners=[organisation()]
    )
    client.force_login(prevention)

    def shown(**params):
        body = client.get(reverse("prevention:events"), params).content.decode()
        return {pk for pk in (held.pk, workshop.pk) if reverse("prevention:event", args=[pk]) in body}

    assert shown() == {held.pk, workshop.pk}
    assert shown(kind="workshop") == {workshop.pk}
    assert shown(venue_kind="primary_school") == {held.pk}
    assert shown(date_from="2024-01-01") == {held.pk}
    assert shown(date_to="2023-12-31") == {workshop.pk}
    assert shown(partner=organisation().pk) == {workshop.pk}
    assert shown(topic=category().pk) == {held.pk}
    assert shown(q="VUK") == {held.pk}
    assert shown(q="вук караџић") == {held.pk}
    assert shown(municipality=held.municipality_id) == {held.pk}
    assert shown(status="planned") == set()
    assert shown(country="rs") == {held.pk, workshop.pk}


def test_list_with_bad_filters_still_answers(client, prevention, held):
    client.force_login(prevention)
    for params in (
        {"date_from": "yesterday"},
        {"municipality": "x"},
        {"kind": "<script>"},
        {"q": "a\x00b"},
        {"page": "-1"},
    ):
        assert client.get(reverse("prevention:events"), params).status_code == 200


def test_list_query_count_does_not_grow_with_rows(client, prevention, held, django_assert_num_queries):
    client.force_login(prevention)
    url = reverse("prevention:events")
    with django_assert_num_queries(9) as first:
        client.get(url)
    for i in range(5):
        school = venue(prevention, place=municipality())
        event(prevention, school, date=dt.date(2024, 1, 2 + i), topics=[category(), category("predators")])
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url)


def test_list_shows_totals(client, prevention, held):
    client.force_login(prevention)
    body = client.get(reverse("prevention:events")).content.decode()
    assert "prevention-totals" in body and ">40<" in body


FORM = {
    "kind": "presentation",
    "status": "held",
    "language": "sr",
    "date": "2024-03-20",
    "title": "Безбедно на интернету",
    "pupils_grades_1_4": "25",
    "parents": "4",
}


def test_record_an_event_through_the_form(client, prevention, held):
    client.force_login(prevention)
    response = client.post(
        reverse("prevention:event_new"), FORM | {"venue": held.venue_id, "topics": [category().pk]}
    )
    made = Event.objects.exclude(pk=held.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("prevention:event", args=[made.pk])
    assert made.pupils == 25 and made.venue_id == held.venue_id and made.created_by == prevention


def test_form_errors_keep_what_was_typed(client, prevention, held):
    client.force_login(prevention)
    future = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    response = client.post(
        reverse("prevention:event_new"),
        FORM | {"venue": held.venue_id, "date": future, "notes": "Разред 7-2, сала", "parents": "-4"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Разред 7-2, сала" in body and 'value="Безбедно на интернету"' in body and future in body
    assert "field-error" in body
    # The action's own rule (held in the future) shows next to the date once the form is valid.
    response = client.post(reverse("prevention:event_new"), FORM | {"venue": held.venue_id, "date": future})
    assert response.status_code == 400 and "cannot have been held yet" in response.content.decode()
    assert Event.objects.count() == 1


def test_edit_refuses_a_stale_version_with_409(client, prevention, held):
    client.force_login(prevention)
    url = reverse("prevention:event_edit", args=[held.pk])
    assert 'value="40"' in client.get(url).content.decode()
    data = FORM | {"venue": held.venue_id, "version": held.version, "pupils_grades_5_8": "41"}
    assert client.post(url, data).status_code == 302
    assert Event.objects.get(pk=held.pk).pupils == 25 + 41
    stale = client.post(url, data | {"pupils_grades_5_8": "50"})
    assert stale.status_code == 409 and "Someone else changed" in stale.content.decode()


def test_cancel_a_planned_event(client, prevention, held):
    planned = event(prevention, held.venue, date=dt.date.today() + dt.timedelta(days=4), status="planned")
    client.force_login(prevention)
    url = reverse("prevention:event_cancel", args=[planned.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Екскурзија"}).status_code == 302
    assert Event.objects.get(pk=planned.pk).status == "cancelled"
    assert client.post(reverse("prevention:event_cancel", args=[held.pk]), {"reason": "x"}).status_code == 400
    client.force_login(make_user("analyst"))
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_venue_pages_create_edit_and_merge(client, prevention, held):
    client.force_login(prevention)
    response = client.post(
        reverse("prevention:venue_new"),
        {
            "name": "OS Vuk Karadzic",
            "kind": "primary_school",
            "country": "rs",
            "municipality": held.municipality_id,
        },
    )
    duplicate = Venue.objects.get(name="OS Vuk Karadzic")
    assert response.status_code == 302 and duplicate.country == "RS"
    bad = client.post(
        reverse("prevention:venue_new"), {"name": "Библиотека", "kind": "library", "country": "RS"}
    )
    assert bad.status_code == 400 and "Библиотека" in bad.content.decode()
    event(prevention, duplicate, date=dt.date(2023, 5, 5))
    detail = client.get(reverse("prevention:venue", args=[held.venue_id])).content.decode()
    assert "OS Vuk Karadzic" in detail  # offered as a duplicate: same municipality
    response = client.post(
        reverse("prevention:venue_merge", args=[held.venue_id]), {"duplicate": duplicate.pk}
    )
    assert response.status_code == 302
    assert not Venue.objects.filter(pk=duplicate.pk).exists() and held.venue.events.count() == 2
    assert (
        client.post(reverse("prevention:venue_merge", args=[held.venue_id]), {"duplicate": "999"}).status_code
        == 400
    )


def test_venue_list_search_and_bad_input(client, analyst, held):
    client.force_login(analyst)
    url = reverse("prevention:venues")
    assert (
        "ОШ „Вук Караџић“"
        in client.get(url, {"q": "vuk KARADZIC", "kind": "primary_school"}).content.decode()
    )
    assert "ОШ „Вук Караџић“" not in client.get(url, {"kind": "library"}).content.decode()
    for params in ({"country": "\x00x"}, {"q": "\x00"}, {"kind": "nonsense"}, {"page": "x"}):
        assert client.get(url, params).status_code == 200


def test_venue_detail_lists_its_events(client, analyst, held):
    client.force_login(analyst)
    body = client.get(reverse("prevention:venue", args=[held.venue_id])).content.decode()
    assert reverse("prevention:event", args=[held.pk]) in body and "Merge" not in body


def test_coverage_page_has_an_svg_chart_and_the_numbers(client, analyst, held, prevention):
    venue(prevention, "ОШ „Никад“", place=municipality())
    client.force_login(analyst)
    response = client.get(reverse("prevention:coverage"))
    body = response.content.decode()
    assert response.status_code == 200 and "<svg" in body and "<script" not in body.split("<main", 1)[1]
    assert "ОШ „Никад“" in body and "Niš" in body and "50 %" in body
    assert (
        client.get(reverse("prevention:coverage"), {"date_from": "nonsense", "country": "ME"}).status_code
        == 200
    )


def test_import_page_reports_rows(client, prevention, held):
    client.force_login(prevention)
    data = (
        "date,kind,venue_name,venue_kind,municipality,pupils_secondary\n"
        "2023-04-04,presentation,Гимназија,secondary_school,rs-nis,80\n"
        "2023-04-05,presentation,Гимназија,secondary_school,rs-nis,lots\n"
    ).encode()
    response = client.post(reverse("prevention:import"), {"file": SimpleUploadedFile("past.csv", data)})
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "1 imported" in body
        and "<td>3</td>" in body
        and "pupils_secondary" in body
    )
    unusable = client.post(reverse("prevention:import"), {"file": SimpleUploadedFile("x.csv", b"colour\n")})
    assert unusable.status_code == 400 and "Unknown column" in unusable.content.decode()
    assert client.post(reverse("prevention:import"), {}).status_code == 400


def test_templates_download(client, prevention):
    client.force_login(prevention)
    xlsx = client.get(reverse("prevention:import_template", args=["xlsx"]))
    assert (
        xlsx.status_code == 200 and xlsx.content[:2] == b"PK" and "attachment" in xlsx["Content-Disposition"]
    )
    csv = client.get(reverse("prevention:import_template", args=["csv"]))
    assert csv.content.decode("utf-8-sig").startswith("date,kind,")
    assert client.get(reverse("prevention:import_template", args=["exe"])).status_code == 404
