"""The e-mail panel on the contact page, the reply form and retry."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from smartsafe.inbox import actions
from smartsafe.inbox.models import CannedReply, OutboundMessage, OutboundStatus

from .conftest import IMAP_PASSWORD, account_settings, eml, mail

pytestmark = [
    pytest.mark.django_db,
    # The loopback test server takes AUTH without TLS, which aiosmtpd rightly warns about.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]


@pytest.fixture
def smtp_account(email_channel, smtp):
    return actions.create_account(
        kind="email", name="Odgovori", settings=account_settings(smtp=smtp), secret=IMAP_PASSWORD
    )


@pytest.fixture
def thread(smtp_account):
    message, _ = actions.store_email(account=smtp_account, raw=eml("attachments.eml"))
    return message


def panel(user, contact) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load inbox_tags %}{% email_thread contact=contact %}")
    return template.render(Context({"request": request, "contact": contact, "csrf_token": "t"}))


def test_panel_shows_the_conversation_and_addresses_to_casework(thread, counsellor):
    html = panel(counsellor, thread.contact)
    assert "Screenshots of the bullying" in html and "Three files attached" in html
    assert "nastavnica@skola.example.rs" in html
    assert reverse("evidence:detail", args=[thread.attachments[0]["evidence_id"]]) in html
    assert "game-hack.exe" in html and "not kept" in html  # the refused file and why
    assert reverse("inbox:reply", args=[thread.contact.pk]) in html


def test_panel_hides_addresses_from_auditors_and_offers_no_reply(thread, auditor):
    html = panel(auditor, thread.contact)
    assert "Screenshots of the bullying" in html
    assert "nastavnica@skola.example.rs" not in html and "na…@skola.example.rs" in html
    assert reverse("inbox:reply", args=[thread.contact.pk]) not in html


def test_panel_is_empty_for_roles_without_contacts_and_for_other_channels(thread, analyst, counsellor):
    from smartsafe import testing

    assert "Screenshots" not in panel(analyst, thread.contact)
    assert panel(counsellor, testing.make_contact(counsellor)).strip() == ""


def test_reply_form_with_canned_text_then_send(client, thread, counsellor, smtp):
    canned = CannedReply.objects.create(language="sr", title="Хвала", body="Хвала што сте нам писали.")
    client.force_login(counsellor)
    url = reverse("inbox:reply", args=[thread.contact.pk])
    page = client.get(url, {"canned": canned.pk})
    assert page.status_code == 200 and "Хвала што сте нам писали." in page.content.decode()
    response = client.post(url, {"body": "Хвала што сте нам писали."})
    assert response.status_code == 302 and response.url.endswith("#email-thread")
    outbound = OutboundMessage.objects.get()
    assert outbound.status == OutboundStatus.SENT and outbound.created_by == counsellor
    assert len(smtp.received) == 1
    follow = client.get(response.url)
    assert "Your reply was sent" in follow.content.decode()


def test_failed_reply_is_shown_and_retried(client, thread, counsellor, smtp):
    smtp.refuse.add("nastavnica@skola.example.rs")
    client.force_login(counsellor)
    response = client.post(reverse("inbox:reply", args=[thread.contact.pk]), {"body": "Odgovor"}, follow=True)
    page = response.content.decode()
    assert "saved but not sent" in page
    outbound = OutboundMessage.objects.get()
    assert outbound.status == OutboundStatus.FAILED
    assert "550" in panel(counsellor, thread.contact)
    assert reverse("inbox:retry", args=[outbound.pk]) in panel(counsellor, thread.contact)
    smtp.refuse.clear()
    client.post(reverse("inbox:retry", args=[outbound.pk]))
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.SENT and len(smtp.received) == 1


def test_empty_reply_keeps_the_form_with_an_error(client, thread, counsellor):
    client.force_login(counsellor)
    response = client.post(reverse("inbox:reply", args=[thread.contact.pk]), {"body": ""})
    assert response.status_code == 400 and OutboundMessage.objects.count() == 0


def test_reply_refused_for_other_roles_and_unknown_contacts(client, thread, auditor, counsellor):
    client.force_login(auditor)
    assert client.get(reverse("inbox:reply", args=[thread.contact.pk])).status_code == 403
    assert client.post(reverse("inbox:reply", args=[thread.contact.pk]), {"body": "x"}).status_code == 403
    client.force_login(counsellor)
    assert client.get(reverse("inbox:reply", args=[999999])).status_code == 404
    assert client.post(reverse("inbox:retry", args=[999999])).status_code == 404
    assert OutboundMessage.objects.count() == 0


def test_reply_refused_where_only_automatic_mail_arrived(client, smtp_account, counsellor):
    message, _ = actions.store_email(account=smtp_account, raw=mail())
    message.automatic = "auto_reply"
    message.save()
    client.force_login(counsellor)
    assert client.post(reverse("inbox:reply", args=[message.contact.pk]), {"body": "x"}).status_code == 403
