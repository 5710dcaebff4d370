"""The contact pages through the Django test client: access, logging, editing, transitions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.intake import actions
from smartsafe.intake.models import Contact, ContactState

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(db):
    return testing.channel("phone")


@pytest.fixture
def contact(counsellor, phone):
    return testing.make_contact(counsellor, summary="Дете прича о насиље у групи")


def client_for(client, user):
    client.force_login(user)
    return client


def page_urls(contact):
    return [
        reverse("home"),
        reverse("intake:inbox"),
        reverse("intake:new"),
        reverse("intake:detail", args=[contact.pk]),
        reverse("intake:edit", args=[contact.pk]),
    ]


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["counsellor", "supervisor"])
def test_every_page_renders_for_casework_roles(client, request, persona, contact):
    client_for(client, request.getfixturevalue(persona))
    for url in page_urls(contact):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b'class="mainnav"' in response.content


@pytest.mark.parametrize("persona", ["analyst", "prevention", "police_liaison", "administrator"])
def test_roles_without_contacts_get_403_on_lists_and_404_on_contacts(client, request, persona, contact):
    client_for(client, request.getfixturevalue(persona))
    assert client.get(reverse("intake:inbox")).status_code == 403
    assert client.get(reverse("intake:new")).status_code == 403
    assert client.post(reverse("intake:non_data"), {"kind": "silent"}).status_code == 403
    assert client.get(reverse("intake:detail", args=[contact.pk])).status_code == 404
    assert client.get(reverse("intake:edit", args=[contact.pk])).status_code == 404
    assert client.post(reverse("intake:transition", args=[contact.pk, "close"])).status_code == 404
    assert client.post(reverse("intake:assign", args=[contact.pk]), {"assignee": "me"}).status_code == 404
    assert Contact.objects.count() == 1
    # Their landing page is not the counsellor's dashboard and does not list contacts.
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert contact.reference.encode() not in home.content


def test_auditor_reads_contacts_but_cannot_change_them(client, auditor, contact):
    client_for(client, auditor)
    assert client.get(reverse("intake:inbox")).status_code == 200
    detail = client.get(reverse("intake:detail", args=[contact.pk]))
    assert detail.status_code == 200
    assert reverse("intake:edit", args=[contact.pk]).encode() not in detail.content
    assert client.get(reverse("intake:new")).status_code == 403
    assert client.post(reverse("intake:transition", args=[contact.pk, "close"])).status_code == 403
    contact.refresh_from_db()
    assert contact.state == ContactState.NEW
    assert reverse("audit:list").encode() in client.get(reverse("home")).content


def test_anonymous_is_sent_to_login(client, contact):
    login = reverse("account_login")
    for url in page_urls(contact):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login)


def test_unknown_contact_and_unknown_action_are_404(client, counsellor, contact):
    client_for(client, counsellor)
    assert client.get(reverse("intake:detail", args=[999999])).status_code == 404
    assert client.post(f"/contacts/{contact.pk}/explode/").status_code == 404


# --- log a call -----------------------------------------------------------------------------------


def call_data(**overrides):
    data = {
        "channel": "phone",
        "language": "sr",
        "summary": "Девојчица прима претње преко Инстаграма",
        "advice_given": "Не брисати поруке, направити снимке екрана.",
        "reporter_name": "Мајка",
        "reporter_contact": "060 123 4567",
        "duration": "",
        "intent": "save",
    }
    data.update(overrides)
    return data


def test_log_a_call_creates_the_contact(client, counsellor, phone):
    bullying = testing.category("cyberbullying")
    client_for(client, counsellor)
    started = timezone.now() - dt.timedelta(minutes=7)
    data = call_data(urgent="on", topics=[bullying.pk], started_at=started.isoformat(), duration="6:30")
    response = client.post(reverse("intake:new"), data)
    contact = Contact.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:detail", args=[contact.pk])
    assert contact.state == ContactState.NEW
    assert contact.urgent is True
    assert contact.summary.startswith("Девојчица")
    assert contact.reporter_contact == "060 123 4567"
    assert list(contact.topics.all()) == [bullying]
    assert contact.created_by == counsellor and contact.assigned_to == counsellor
    assert contact.duration_seconds == 390
    assert abs((contact.received_at - started).total_seconds()) < 1
    assert AuditEvent.objects.filter(action="contact.create", object_id=str(contact.pk)).exists()


def test_log_a_call_without_timer_or_duration_measures_until_saving(client, counsellor, phone):
    client_for(client, counsellor)
    started = timezone.now() - dt.timedelta(minutes=3)
    client.post(reverse("intake:new"), call_data(started_at=started.isoformat()))
    contact = Contact.objects.get()
    assert 175 <= contact.duration_seconds <= 200


def test_save_and_close_and_save_and_open_case(client, counsellor, phone):
    client_for(client, counsellor)
    response = client.post(reverse("intake:new"), call_data(intent="close"))
    closed = Contact.objects.get()
    assert closed.state == ContactState.CLOSED
    assert response["Location"] == reverse("home")

    response = client.post(reverse("intake:new"), call_data(intent="case"))
    opened = Contact.objects.exclude(pk=closed.pk).get()
    assert opened.state == ContactState.NEW
    assert response["Location"] == f"{reverse('cases:open')}?contact={opened.pk}"


def test_new_form_preselects_channel_and_has_timer_and_no_accidental_enter(client, counsellor, phone):
    testing.channel("email")
    client_for(client, counsellor)
    html = client.get(reverse("intake:new") + "?channel=email").content.decode()
    assert re.search(r'<option value="email" selected>', html)
    assert "data-call-timer" in html
    assert re.search(r'name="summary"[^>]*autofocus', html)
    # The form's first submit button is disabled: Enter in a one-line field submits nothing.
    form = html[html.index("data-call-form") :]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert "disabled" in first_button and 'type="submit"' in first_button
    # The duration field lives in the timer card beside the form but is submitted with it.
    assert re.search(r'<form[^>]*id="call-form"', html)
    assert re.search(
        r'<input[^>]*name="duration"[^>]*form="call-form"|<input[^>]*form="call-form"[^>]*name="duration"',
        html,
    )


def test_validation_error_keeps_everything_typed(client, counsellor, phone):
    bullying = testing.category("cyberbullying")
    client_for(client, counsellor)
    data = call_data(summary="   ", urgent="on", topics=[bullying.pk], duration="twelve")
    response = client.post(reverse("intake:new"), data)
    assert response.status_code == 200
    assert Contact.objects.count() == 0
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_summary"' in html and 'href="#id_duration"' in html
    assert "Не брисати поруке, направити снимке екрана." in html
    assert 'value="Мајка"' in html and 'value="060 123 4567"' in html
    assert 'value="twelve"' in html
    assert re.search(r'name="urgent"[^>]*checked', html)
    assert re.search(rf'value="{bullying.pk}"[^>]*checked', html)
    assert 'id="id_summary_error"' in html


# --- non-data one-click ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["silent", "hang_up", "prank", "wrong_number"])
def test_non_data_one_click_logs_a_closed_contact(client, counsellor, phone, kind):
    client_for(client, counsellor)
    response = client.post(
        reverse("intake:non_data"), {"kind": kind, "channel": "phone", "next": "/contacts/new/"}
    )
    assert response.status_code == 303
    assert response["Location"] == "/contacts/new/"
    contact = Contact.objects.get()
    assert (contact.non_data_kind, contact.state, contact.summary) == (kind, ContactState.CLOSED, "")
    page = client.get(response["Location"]).content.decode()
    assert f"logged as {contact.reference}" in page


def test_non_data_refuses_unknown_kind_and_foreign_next(client, counsellor, phone):
    client_for(client, counsellor)
    response = client.post(reverse("intake:non_data"), {"kind": "robot", "next": "https://evil.example/"})
    assert response.status_code == 303 and response["Location"] == reverse("home")
    assert Contact.objects.count() == 0


def test_dashboard_and_new_page_offer_the_non_data_buttons(client, counsellor, phone):
    client_for(client, counsellor)
    for url in (reverse("home"), reverse("intake:new")):
        html = client.get(url).content.decode()
        assert html.count(f'action="{reverse("intake:non_data")}"') == 4


# --- detail, edit, transitions, assignment --------------------------------------------------------


def test_detail_is_audited_and_shows_history(client, counsellor, contact):
    client_for(client, counsellor)
    actions.update_contact(
        actor=counsellor, contact=contact, expected_version=contact.version, advice_given="Савет"
    )
    response = client.get(reverse("intake:detail", args=[contact.pk]))
    html = response.content.decode()
    assert (
        AuditEvent.objects.filter(action="contact.view", object_id=str(contact.pk), actor=counsellor).count()
        == 1
    )
    assert html.count('class="timeline-item"') == 2
    assert "advice given" in html
    assert f"{reverse('cases:open')}?contact={contact.pk}" in html


def test_edit_saves_through_the_action(client, counsellor, contact):
    client_for(client, counsellor)
    data = call_data(summary="Исправљен опис", version=contact.version)
    response = client.post(reverse("intake:edit", args=[contact.pk]), data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.summary == "Исправљен опис"
    assert AuditEvent.objects.filter(action="contact.update", object_id=str(contact.pk)).exists()


def test_stale_edit_is_refused_with_a_message_and_keeps_typed_values(client, counsellor, supervisor, contact):
    client_for(client, counsellor)
    read_version = contact.version
    actions.update_contact(
        actor=supervisor, contact=contact, expected_version=read_version, summary="Измена колеге"
    )
    data = call_data(summary="Мој нови опис који не сме да нестане", version=read_version)
    response = client.post(reverse("intake:edit", args=[contact.pk]), data)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this record" in html
    assert "Мој нови опис који не сме да нестане" in html
    assert "Измена колеге" in html  # what is saved now, to compare
    contact.refresh_from_db()
    assert contact.summary == "Измена колеге"
    # The form now carries the current version: saving again is a deliberate overwrite.
    assert f'name="version" value="{contact.version}"' in html
    assert (
        client.post(
            reverse("intake:edit", args=[contact.pk]), {**data, "version": contact.version}
        ).status_code
        == 302
    )
    contact.refresh_from_db()
    assert contact.summary == "Мој нови опис који не сме да нестане"


def test_non_data_contact_cannot_be_edited(client, counsellor, phone):
    contact = actions.log_non_data_contact(actor=counsellor, channel=phone, kind="prank")
    client_for(client, counsellor)
    response = client.get(reverse("intake:edit", args=[contact.pk]))
    assert response.status_code == 409
    assert b"no details to edit" in response.content


def test_triage_then_close(client, counsellor, contact):
    client_for(client, counsellor)
    response = client.post(
        reverse("intake:transition", args=[contact.pk, "triage"]), {"version": contact.version}
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.state == ContactState.TRIAGED and contact.triaged_at
    client.post(reverse("intake:transition", args=[contact.pk, "close"]), {"version": contact.version})
    contact.refresh_from_db()
    assert contact.state == ContactState.CLOSED


def test_illegal_transition_is_409_with_the_reason(client, counsellor, contact):
    actions.close_contact(actor=counsellor, contact=contact)
    client_for(client, counsellor)
    response = client.post(reverse("intake:transition", args=[contact.pk, "triage"]))
    assert response.status_code == 409
    assert "is not possible while the contact is" in response.content.decode()


def test_stale_transition_is_409(client, counsellor, contact):
    client_for(client, counsellor)
    old = contact.version
    actions.update_contact(actor=counsellor, contact=contact, expected_version=old, summary="ново")
    response = client.post(reverse("intake:transition", args=[contact.pk, "close"]), {"version": old})
    assert response.status_code == 409
    contact.refresh_from_db()
    assert contact.state == ContactState.NEW


def test_take_and_hand_back_and_supervisor_assigns(client, counsellor, other_counsellor, supervisor, contact):
    client_for(client, other_counsellor)
    # Someone else's contact: a counsellor may not take it over.
    response = client.post(reverse("intake:assign", args=[contact.pk]), {"assignee": "me"})
    assert response.status_code == 403
    assert b"You may not assign this contact" in response.content
    client_for(client, counsellor)
    client.post(reverse("intake:assign", args=[contact.pk]), {"assignee": "none"})
    contact.refresh_from_db()
    assert contact.assigned_to is None
    client_for(client, supervisor)
    client.post(reverse("intake:assign", args=[contact.pk]), {"assignee": str(other_counsellor.pk)})
    contact.refresh_from_db()
    assert contact.assigned_to == other_counsellor
    assert client.post(reverse("intake:assign", args=[contact.pk]), {"assignee": "abc"}).status_code == 400
