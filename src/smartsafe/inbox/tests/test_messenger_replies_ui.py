"""Answering messenger conversations from the contact page: the panel, the reply window, the reply
form and retry, through the test client against the local fake providers (and, for e-mail, SMTP
against aiosmtpd, which must keep working the same way)."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from smartsafe.cases.models import TimelineEntry
from smartsafe.inbox import actions
from smartsafe.inbox.models import CannedReply, InboundMessage, OutboundMessage, OutboundStatus
from smartsafe.intake.actions import close_contact
from smartsafe.intake.models import Contact
from smartsafe.testing import make_case

from . import fake_providers
from .conftest import IMAP_PASSWORD, account_settings, mail
from .fake_providers import (
    TELEGRAM_TOKEN,
    VIBER_TOKEN,
    WA_PHONE_NUMBER_ID,
    make_account,
    messenger_event,
    post,
    telegram_update,
    viber_message,
    whatsapp_event,
)

fake_provider_server = fake_providers.fake_provider_server
fake_provider = fake_providers.fake_provider

pytestmark = [
    pytest.mark.django_db,
    # The loopback test server takes AUTH without TLS, which aiosmtpd rightly warns about.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

SENDER = "01234567890A="


@pytest.fixture
def viber(fake_provider):
    return make_account("viber", fake_provider)


@pytest.fixture
def conversation(client, viber):
    """A Viber contact with one message from the person."""
    payload = viber_message(501, SENDER, text="Neko mi preti <b>porukama</b>")
    assert post(client, viber, payload).status_code == 200
    return Contact.objects.get()


def panel(user, contact) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load inbox_tags %}{% email_thread contact=contact %}")
    return template.render(Context({"request": request, "contact": contact, "csrf_token": "t"}))


def reply_url(contact) -> str:
    return reverse("inbox:reply", args=[contact.pk])


def _age(contact, hours):
    then = timezone.now() - dt.timedelta(hours=hours)
    InboundMessage.objects.filter(contact=contact).update(received_at=then, sent_at=then)


# --- the panel ------------------------------------------------------------------------------------


def test_panel_shows_the_messenger_conversation_in_order_with_the_open_window(
    client, viber, conversation, counsellor
):
    first = conversation.inbound_messages.get()
    OutboundMessage.objects.create(
        account=viber, contact=conversation, in_reply_to=first, message_id="ss.viber.t1", from_address="x",
        to_address=first.from_address, subject="", text_body="Tu smo, piši nam.", created_by=counsellor,
        status=OutboundStatus.SENT,
    )  # fmt: skip
    post(client, viber, viber_message(502, SENDER, text="Hvala, evo još"))
    html = panel(counsellor, conversation)
    assert "Viber conversation" in html and 'id="messenger-thread"' in html
    assert ">E-mail<" not in html and "email-reply-body" not in html
    # Inbound, outbound, inbound: in the order they happened, with their status and time.
    positions = [html.index(text) for text in ("Neko mi preti", "Tu smo, piši nam.", "Hvala, evo još")]
    assert positions == sorted(positions)
    assert "&lt;b&gt;porukama&lt;/b&gt;" in html and "<b>porukama" not in html
    assert re.search(r'email-status-sent">\s*Sent', html)
    assert date_format(timezone.localtime(first.received_at), "SHORT_DATETIME_FORMAT") in html
    # The window: open until 24 hours after the person's last message.
    last = InboundMessage.objects.filter(contact=conversation).latest("received_at")
    closes = timezone.localtime(min(filter(None, [last.sent_at, last.received_at])) + dt.timedelta(hours=24))
    assert f"Reply window open until {date_format(closes, 'SHORT_DATETIME_FORMAT')}." in html
    # The reply form posts to the reply view, limited to what Viber takes.
    assert f'action="{reply_url(conversation)}"' in html
    assert 'id="messenger-reply-body"' in html and 'maxlength="7000"' in html
    assert "Reply on Viber" in html


def test_window_closing_today_shows_only_the_time(conversation, counsellor):
    now = timezone.localtime()
    if (now + dt.timedelta(minutes=3)).date() != now.date():
        pytest.skip("a window closing in a minute closes tomorrow at this time of night")
    then = timezone.now() - dt.timedelta(hours=24) + dt.timedelta(minutes=1)
    InboundMessage.objects.filter(contact=conversation).update(received_at=then, sent_at=then)
    closes = timezone.localtime(then + dt.timedelta(hours=24))
    html = panel(counsellor, conversation)
    assert f"Reply window open until {date_format(closes, 'TIME_FORMAT')}." in html
    assert date_format(closes, "SHORT_DATETIME_FORMAT") not in html.split("Reply window")[1]


def test_panel_says_when_the_window_closed(conversation, counsellor):
    _age(conversation, 50)  # closed 26 hours ago: on another day, so with its date
    html = panel(counsellor, conversation)
    closed = timezone.localtime(conversation.inbound_messages.get().received_at + dt.timedelta(hours=24))
    when = date_format(closed, "SHORT_DATETIME_FORMAT")
    assert f"Reply window closed since {when} — the person must write first." in html
    assert "Reply window open" not in html


def test_telegram_has_no_window(client, fake_provider, counsellor):
    telegram = make_account("telegram", fake_provider)
    post(client, telegram, telegram_update(71, 2222222, text="Zdravo"))
    html = panel(counsellor, Contact.objects.get())
    assert "Telegram conversation" in html and "Telegram sets no time limit on replies." in html
    assert "Reply window" not in html


def test_panel_names_the_same_persons_earlier_contacts_to_those_who_may_see_them(
    client, viber, conversation, counsellor, analyst
):
    close_contact(actor=counsellor, contact=conversation)
    post(client, viber, viber_message(503, SENDER, text="opet ja"))
    second = Contact.objects.exclude(pk=conversation.pk).get()
    html = panel(counsellor, second)
    assert "The same person wrote before:" in html
    assert reverse("intake:detail", args=[conversation.pk]) in html and conversation.reference in html
    assert panel(analyst, second).strip() == ""


def test_auditor_reads_but_cannot_answer(conversation, auditor):
    html = panel(auditor, conversation)
    assert "Neko mi preti" in html
    assert reply_url(conversation) not in html and "messenger-reply-body" not in html


def test_canned_replies_in_the_conversations_language_fill_the_reply(client, conversation, counsellor):
    serbian = CannedReply.objects.create(language="sr", title="Хвала", body="Хвала што сте нам писали.")
    CannedReply.objects.create(language="en", title="Thanks", body="Thank you for writing.")
    html = panel(counsellor, conversation)
    assert "Хвала" in html and "Thanks" not in html  # the contact is in Serbian
    client.force_login(counsellor)
    page = client.get(reply_url(conversation), {"canned": serbian.pk})
    content = page.content.decode()
    assert page.status_code == 200 and "Хвала што сте нам писали." in content
    assert "Reply on Viber to" in content and "Reply window open until" in content


# --- replying ---------------------------------------------------------------------------------------


def test_reply_from_the_page_goes_to_viber(client, conversation, fake_provider, counsellor):
    case = make_case(counsellor, contacts=[conversation])
    client.force_login(counsellor)
    response = client.post(reply_url(conversation), {"body": "Tu smo, piši nam kad god želiš."})
    assert response.status_code == 302
    assert response.url == reverse("intake:detail", args=[conversation.pk]) + "#messenger-thread"
    [sent] = fake_provider.sent("/viber/pa/send_message")
    assert sent.headers["X-Viber-Auth-Token"] == VIBER_TOKEN
    assert sent.json["receiver"] == SENDER and sent.json["type"] == "text"
    assert sent.json["text"] == "Tu smo, piši nam kad god želiš."
    outbound = OutboundMessage.objects.get()
    assert outbound.status == OutboundStatus.SENT and outbound.created_by == counsellor
    assert outbound.case == case
    # On the case's timeline as a messenger reply, never as e-mail.
    assert TimelineEntry.objects.filter(case=case, kind="message_sent", actor=counsellor).count() == 1
    assert not TimelineEntry.objects.filter(case=case, kind="email_sent").exists()
    page = client.get(response.url).content.decode()
    assert "Your reply was sent on Viber." in page
    assert "Tu smo, piši nam kad god želiš." in panel(counsellor, conversation)
    case_page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert f"replied to {conversation.reference} on Viber." in case_page


def test_reply_outside_the_window_is_refused_next_to_the_field_and_the_text_kept(
    client, conversation, fake_provider, counsellor
):
    _age(conversation, 25)
    client.force_login(counsellor)
    response = client.post(reply_url(conversation), {"body": "Jesi li još tu? <script>x</script>"})
    assert response.status_code == 400
    content = response.content.decode()
    field = content[content.index('<div class="field field-error">') :]
    field = field[: field.index("</div>")]
    assert "24 hours" in field and "write again" in field
    assert "Jesi li još tu? &lt;script&gt;x&lt;/script&gt;</textarea>" in field  # kept, escaped
    assert "Reply window closed since" in content
    assert fake_provider.sent("send_message") == [] and not OutboundMessage.objects.exists()


def test_too_long_for_the_provider_is_refused_next_to_the_field(
    client, conversation, fake_provider, counsellor
):
    client.force_login(counsellor)
    response = client.post(reply_url(conversation), {"body": "ж" * 7001})
    assert response.status_code == 400
    assert "at most 7000 characters" in response.content.decode()
    assert fake_provider.requests == []


def test_refused_by_viber_then_sent_again(client, conversation, fake_provider, counsellor):
    fake_provider.viber_status = 6
    client.force_login(counsellor)
    page = client.post(reply_url(conversation), {"body": "Zdravo"}, follow=True).content.decode()
    assert "saved but not sent" in page and "subscribed" in page
    outbound = OutboundMessage.objects.get()
    assert outbound.status == OutboundStatus.FAILED
    retry_url = reverse("inbox:retry", args=[outbound.pk])
    assert retry_url in panel(counsellor, conversation)
    fake_provider.viber_status = 0
    response = client.post(retry_url)
    assert response.url.endswith("#messenger-thread")
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.SENT and outbound.attempts == 2
    assert len(fake_provider.sent("/viber/pa/send_message")) == 2
    assert "Your reply was sent on Viber." in client.get(response.url).content.decode()
    client.post(retry_url)  # sent: nothing to send again
    assert len(fake_provider.sent("/viber/pa/send_message")) == 2


def test_retry_too_late_fails_with_the_window_message(client, conversation, fake_provider, counsellor):
    fake_provider.viber_status = 6
    client.force_login(counsellor)
    client.post(reply_url(conversation), {"body": "Zdravo"})
    fake_provider.viber_status = 0
    _age(conversation, 25)
    page = client.post(reverse("inbox:retry", args=[OutboundMessage.objects.get().pk]), follow=True)
    assert "24 hours" in page.content.decode()
    assert len(fake_provider.sent("/viber/pa/send_message")) == 1  # only the refused first try


@pytest.mark.parametrize(
    ("kind", "payload", "path", "check"),
    [
        ("telegram", telegram_update(81, 3333333, text="Zdravo"),
         f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage",
         lambda body: body["chat_id"] in (3333333, "3333333") and body["text"] == "Odgovor"),
        ("messenger", messenger_event("m_81", "1254477777772919"), "/meta/v21.0/me/messages",
         lambda body: body["recipient"]["id"] == "1254477777772919" and body["message"]["text"] == "Odgovor"),
        ("whatsapp", whatsapp_event("wamid.81", "381641234567"), f"/meta/v21.0/{WA_PHONE_NUMBER_ID}/messages",
         lambda body: body["to"] == "381641234567" and body["text"]["body"] == "Odgovor"),
    ],
)  # fmt: skip
def test_every_messenger_is_answered_from_the_same_form(
    client, fake_provider, counsellor, kind, payload, path, check
):
    account = make_account(kind, fake_provider)
    assert post(client, account, payload).status_code == 200
    contact = Contact.objects.get()
    client.force_login(counsellor)
    assert client.post(reply_url(contact), {"body": "Odgovor"}).status_code == 302
    [sent] = fake_provider.sent(path)
    assert check(sent.json)
    assert OutboundMessage.objects.get().status == OutboundStatus.SENT


def test_roles_that_do_not_answer_are_refused(client, conversation, auditor, fake_provider):
    client.force_login(auditor)
    assert client.post(reply_url(conversation), {"body": "x"}).status_code == 403
    assert fake_provider.requests == [] and not OutboundMessage.objects.exists()


# --- e-mail keeps working the same way -------------------------------------------------------------


def test_email_contact_still_replies_by_smtp(client, email_channel, smtp, counsellor):
    account = actions.create_account(
        kind="email", name="Odgovori", settings=account_settings(smtp=smtp), secret=IMAP_PASSWORD
    )
    message, _ = actions.store_email(account=account, raw=mail(sender="dete@mail.example.rs", body="Pomoć"))
    html = panel(counsellor, message.contact)
    assert 'id="email-thread"' in html and "email-reply-body" in html
    assert "messenger-thread" not in html and "Reply window" not in html
    client.force_login(counsellor)
    response = client.post(reply_url(message.contact), {"body": "Javite nam se."})
    assert response.status_code == 302 and response.url.endswith("#email-thread")
    [(sender, recipients, raw)] = smtp.received
    assert recipients == ["dete@mail.example.rs"] and b"Javite nam se." in raw
    assert "Your reply was sent to dete@mail.example.rs." in client.get(response.url).content.decode()


def test_the_conversation_reads_as_a_thread(client, conversation, fake_provider, counsellor):
    """The person's messages on one side, the centre's replies on the other, oldest first."""
    client.force_login(counsellor)
    client.post(reply_url(conversation), {"body": "Tu smo, piši nam kad god želiš."})
    html = panel(counsellor, conversation)
    thread = html.split('<ol class="thread"')[1].split("</ol>")[0]
    sides = re.findall(r'class="thread-message bubble bubble-(in|out)\b', thread)
    assert sides == ["in", "out"]
    assert thread.index("porukama") < thread.index("Tu smo")
