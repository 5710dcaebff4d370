import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from smartsafe.audit.models import AuditEvent
from smartsafe.core.concurrency import StaleVersion
from smartsafe.intake import actions
from smartsafe.intake.filters import ContactFilter
from smartsafe.intake.models import Contact, ContactState
from smartsafe.intake.queries import access_contact, contacts_visible_to
from smartsafe.intake.states import IllegalContactTransition
from smartsafe.testing import category, channel, make_contact, make_user

pytestmark = pytest.mark.django_db


def test_log_a_call_with_timer_fields(counsellor):
    start = timezone.now() - dt.timedelta(minutes=4, seconds=5)
    contact = actions.log_contact(
        actor=counsellor,
        channel=channel("phone"),
        received_at=start,
        ended_at=start + dt.timedelta(minutes=4, seconds=5),
        summary="Мајка пита како да подеси родитељску контролу",
        advice_given="Објашњена подешавања",
        topics=[category("parental_controls", "advisory")],
    )
    assert contact.state == ContactState.NEW
    assert contact.duration_seconds == 245
    assert contact.created_by == counsellor and contact.assigned_to == counsellor
    assert AuditEvent.objects.filter(action="contact.create", object_id=str(contact.pk)).exists()


def test_log_and_close_in_one_go(counsellor):
    contact = make_contact(counsellor, close=True)
    assert contact.state == ContactState.CLOSED and contact.closed_at


def test_end_before_start_is_refused(counsellor):
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        actions.log_contact(
            actor=counsellor, channel=channel(), received_at=now, ended_at=now - dt.timedelta(1)
        )
    assert "ended_at" in error.value.message_dict
    assert not Contact.objects.exists()


@pytest.mark.parametrize("kind", ["silent", "hang_up", "prank", "wrong_number"])
def test_one_click_non_data_contacts(counsellor, kind):
    contact = actions.log_non_data_contact(actor=counsellor, channel=channel("phone"), kind=kind)
    assert contact.state == ContactState.CLOSED and contact.non_data_kind == kind and not contact.summary


def test_unknown_non_data_kind(counsellor):
    with pytest.raises(ValidationError):
        actions.log_non_data_contact(actor=counsellor, channel=channel(), kind="alien")


@pytest.mark.parametrize("role", ["auditor", "analyst", "prevention", "admin", "liaison"])
def test_only_casework_roles_log(role):
    with pytest.raises(PermissionDenied):
        actions.log_contact(actor=make_user(role), channel=channel(), summary="x")


def test_state_machine(counsellor):
    contact = make_contact(counsellor)
    contact = actions.triage_contact(actor=counsellor, contact=contact, topics=[category()], urgent=True)
    assert contact.state == ContactState.TRIAGED and contact.triaged_at and contact.urgent
    contact = actions.close_contact(actor=counsellor, contact=contact)
    with pytest.raises(IllegalContactTransition) as error:
        actions.close_contact(actor=counsellor, contact=contact)
    assert error.value.allowed == ["link"]
    with pytest.raises(IllegalContactTransition):
        actions.triage_contact(actor=counsellor, contact=contact)


def test_stale_edit_refused(counsellor, other_counsellor):
    contact = make_contact(counsellor)
    version = contact.version
    actions.update_contact(actor=other_counsellor, contact=contact, expected_version=version, summary="први")
    with pytest.raises(StaleVersion):
        actions.update_contact(actor=counsellor, contact=contact, expected_version=version, summary="други")
    contact.refresh_from_db()
    assert contact.summary == "први"
    assert contact.history.count() >= 2


def test_receive_is_idempotent_by_external_id():
    first, created = actions.receive_contact(channel=channel("email"), external_id="<m1@x>", summary="a")
    again, created_again = actions.receive_contact(
        channel=channel("email"), external_id="<m1@x>", summary="a"
    )
    assert created and not created_again and first == again
    assert Contact.objects.count() == 1


def test_reads_are_scoped_and_audited(counsellor, analyst, police_liaison):
    contact = make_contact(counsellor)
    assert access_contact(counsellor, contact.pk) == contact
    assert AuditEvent.objects.filter(action="contact.view", object_id=str(contact.pk)).exists()
    for user in (analyst, police_liaison):
        assert not contacts_visible_to(user).exists()


def test_search_folds_script_case_and_diacritics(counsellor):
    hit = make_contact(counsellor, summary="Вршњачко НАСИЉЕ у групи на Вајберу, ђак осмог разреда")
    make_contact(counsellor, summary="Питање о подешавањима приватности")
    for term in ("nasilje", "НАСИЉЕ", "насиље", "djak", "đak", "Vajberu"):
        found = ContactFilter({"search": term}, queryset=Contact.objects.all()).qs
        assert list(found) == [hit], term


class SearchNeverFails(HypothesisTestCase):
    @settings(max_examples=60, deadline=None)
    @given(st.text(max_size=300))
    def test_any_search_text(self, term):
        ContactFilter({"search": term}, queryset=Contact.objects.all()).qs.count()
