"""Actions: every write audited, every rule enforced, roles respected."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from smartsafe.audit.models import AuditEvent
from smartsafe.core.concurrency import StaleVersion
from smartsafe.prevention import actions
from smartsafe.prevention.models import Event, EventKind, EventStatus, Venue, VenueKind
from smartsafe.testing import category, make_user

from .helpers import PAST, event, municipality, organisation, venue

pytestmark = pytest.mark.django_db


def codes():
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


def test_create_event_copies_the_place_from_the_venue_and_is_audited(prevention):
    nis = municipality()
    school = venue(prevention, "ОШ „Вук Караџић“", place=nis)
    made = event(
        prevention,
        school,
        pupils_grades_1_4=20,
        pupils_grades_5_8=30,
        parents=7,
        topics=[category("cyberbullying")],
        partners=[organisation()],
        presenters=[prevention],
    )
    made.refresh_from_db()
    assert (made.country, made.municipality, made.town) == ("RS", nis, "")
    assert made.pupils == 50 and made.audience_total == 57 and made.created_by == prevention
    assert [t.code for t in made.topics.all()] == ["cyberbullying"]
    assert "vuk karadzic" in made.search_text and "friends of children" in made.search_text
    assert codes() == ["prevention.venue_create", "prevention.event_create"]
    last = AuditEvent.objects.order_by("-pk").first()
    assert last.actor == prevention and last.object_id == str(made.pk) and last.details["via"] == "form"


@pytest.mark.parametrize("role", ["counsellor", "analyst", "admin", "auditor", "liaison"])
def test_only_coordinators_and_supervisors_write(role, prevention):
    school = venue(prevention)
    other = make_user(role)
    with pytest.raises(PermissionDenied):
        actions.create_event(actor=other, kind="presentation", date=PAST, venue=school)
    with pytest.raises(PermissionDenied):
        actions.create_venue(actor=other, name="X", kind="library", town="Bar", country="ME")
    assert Event.objects.count() == 0


def test_a_supervisor_writes(supervisor):
    assert event(supervisor).pk


def test_validation_reports_every_broken_rule_at_once(prevention):
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as caught:
        actions.create_event(
            actor=prevention,
            kind="presentation",
            status="held",
            date=tomorrow,
            parents=-1,
            feedback_average=6,
            duration_minutes=0,
        )
    errors = caught.value.message_dict
    assert {"date", "parents", "feedback_average", "duration_minutes", "venue"} <= set(errors)
    assert Event.objects.count() == 0


def test_rating_needs_responses_and_responses_fit_the_audience(prevention):
    with pytest.raises(ValidationError) as caught:
        event(prevention, feedback_average="4.5")
    assert "feedback_responses" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        event(prevention, parents=3, feedback_responses=10)
    assert "feedback_responses" in caught.value.message_dict
    ok = event(prevention, parents=30, feedback_responses=10, feedback_average="4.25")
    assert str(ok.feedback_average) == "4.25"


def test_planned_events_may_be_in_the_future_held_ones_not(prevention):
    future = dt.date.today() + dt.timedelta(days=30)
    assert event(prevention, date=future, status=EventStatus.PLANNED).status == "planned"
    today_held = event(prevention, date=dt.date.today(), status=EventStatus.HELD)
    assert today_held.status == "held"


def test_events_abroad_and_online_need_no_venue(prevention):
    abroad = actions.create_event(
        actor=prevention, kind="training", date=PAST, status="held", country="me", town="Nikšić"
    )
    assert (abroad.country, abroad.municipality, abroad.town) == ("ME", None, "Nikšić")
    webinar = actions.create_event(
        actor=prevention, kind=EventKind.WEBINAR, date=PAST, status="held", parents=80
    )
    assert webinar.country == "RS"


def test_municipality_must_be_in_the_country(prevention):
    with pytest.raises(ValidationError) as caught:
        actions.create_event(
            actor=prevention, kind="training", date=PAST, country="ME", municipality=municipality()
        )
    assert "municipality" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.create_event(actor=prevention, kind="training", date=PAST, country="Serbia", town="x")
    assert "country" in caught.value.message_dict


def test_database_keeps_the_pupil_total_and_the_rating_range(prevention):
    made = event(prevention, pupils_secondary=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=made.pk).update(pupils=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=made.pk).update(feedback_average=7, feedback_responses=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=made.pk).update(parents=-5)


def test_update_event_records_the_changed_fields_and_refuses_stale_versions(prevention):
    made = event(prevention, parents=5)
    version = made.version
    changed = actions.update_event(
        actor=prevention, event=made, expected_version=version, parents=9, topics=[category()]
    )
    assert changed.parents == 9 and changed.version == version + 1
    last = AuditEvent.objects.order_by("-pk").first()
    assert last.action == "prevention.event_update" and last.details["fields"] == ["parents", "topics"]
    with pytest.raises(StaleVersion):
        actions.update_event(actor=prevention, event=made, expected_version=version, parents=10)
    assert Event.objects.get(pk=made.pk).parents == 9


def test_update_without_a_change_writes_nothing(prevention):
    made = event(prevention, parents=5)
    before = AuditEvent.objects.count()
    actions.update_event(actor=prevention, event=made, parents=5)
    assert AuditEvent.objects.count() == before


def test_cancel_only_planned_events_with_a_reason(prevention):
    planned = event(prevention, date=dt.date.today() + dt.timedelta(days=3), status="planned")
    with pytest.raises(ValidationError):
        actions.cancel_event(actor=prevention, event=planned, reason="  ")
    done = actions.cancel_event(actor=prevention, event=planned, reason="Школа је затворена")
    assert done.status == "cancelled" and done.cancel_reason == "Школа је затворена"
    assert codes()[-1] == "prevention.event_cancel"
    with pytest.raises(ValidationError):
        actions.cancel_event(actor=prevention, event=done, reason="again")
    with pytest.raises(ValidationError):
        actions.cancel_event(actor=prevention, event=event(prevention), reason="held already")


def test_venue_needs_a_place_and_a_two_letter_country(prevention):
    with pytest.raises(ValidationError) as caught:
        actions.create_venue(actor=prevention, name="Библиотека", kind="library", country="RS")
    assert "municipality" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.create_venue(actor=prevention, name="Библиотека", kind="nonsense", town="Bar", country="MNE")
    assert {"kind", "country"} <= set(caught.value.message_dict)
    online = actions.create_venue(actor=prevention, name="Zoom", kind=VenueKind.ONLINE)
    assert online.country == "RS"


def test_moving_a_venue_moves_its_events(prevention):
    school = venue(prevention, place=municipality())
    made = event(prevention, school)
    other = municipality("rs-cacak", "Чачак", "Čačak")
    actions.update_venue(actor=prevention, venue=school, municipality=other)
    made.refresh_from_db()
    assert made.municipality == other
    assert codes()[-1] == "prevention.venue_update"


def test_merge_moves_events_fills_details_and_deletes_the_duplicate(prevention):
    nis = municipality()
    keep = venue(prevention, "ОШ „Његош“", place=nis)
    duplicate = venue(prevention, "OS Njegos", place=nis, address="Bulevar 1", external_id="123")
    first, second = event(prevention, keep), event(prevention, duplicate, date=PAST - dt.timedelta(days=40))
    merged = actions.merge_venues(actor=prevention, keep=keep, duplicate=duplicate)
    assert not Venue.objects.filter(pk=duplicate.pk).exists()
    assert set(merged.events.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert (merged.address, merged.external_id) == ("Bulevar 1", "123")
    last = AuditEvent.objects.order_by("-pk").first()
    assert last.action == "prevention.venue_merge" and last.details["events_moved"] == 1
    with pytest.raises(ValidationError):
        actions.merge_venues(actor=prevention, keep=keep, duplicate=keep)


def test_merge_is_for_writers_only(prevention, analyst):
    nis = municipality()
    a, b = venue(prevention, place=nis), venue(prevention, place=nis)
    with pytest.raises(PermissionDenied):
        actions.merge_venues(actor=analyst, keep=a, duplicate=b)
    assert Venue.objects.count() == 2
