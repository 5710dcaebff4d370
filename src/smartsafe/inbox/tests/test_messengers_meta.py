"""Meta: Messenger, Instagram and WhatsApp webhooks (X-Hub-Signature-256, the GET handshake), media,
replies through the Graph API and the 24-hour window."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartsafe.audit.models import AuditEvent
from smartsafe.evidence.models import EvidenceFile
from smartsafe.evidence.tests import samples
from smartsafe.inbox import conversation
from smartsafe.inbox.actions import messenger as messenger_actions
from smartsafe.inbox.models import InboundMessage, OutboundStatus
from smartsafe.intake.models import Contact

from . import fake_providers
from .fake_providers import (
    GRAPH_VERSION,
    META_TOKEN,
    WA_PHONE_NUMBER_ID,
    body,
    make_account,
    messenger_event,
    meta_headers,
    post,
    url,
    whatsapp_event,
)

# The fake providers' fixtures, for these tests.
fake_provider_server = fake_providers.fake_provider_server
fake_provider = fake_providers.fake_provider

pytestmark = pytest.mark.django_db
PSID = "1254477777772919"
WA_ID = "381641234567"


@pytest.fixture
def page(fake_provider):
    return make_account("messenger", fake_provider)


@pytest.fixture
def insta(fake_provider):
    return make_account("instagram", fake_provider)


@pytest.fixture
def whatsapp(fake_provider):
    return make_account("whatsapp", fake_provider)


def first_payload(kind, n=1):
    if kind == "whatsapp":
        return whatsapp_event(f"wamid.HBgM{n}", WA_ID)
    return messenger_event(f"m_{kind}_{n}", PSID, object_=("instagram" if kind == "instagram" else "page"))


# --- the GET handshake ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["messenger", "instagram", "whatsapp"])
def test_handshake_echoes_the_challenge_when_the_verify_token_matches(client, fake_provider, kind):
    account = make_account(kind, fake_provider, verify_token="my-verify-token")
    query = {"hub.mode": "subscribe", "hub.verify_token": "my-verify-token", "hub.challenge": "1158201444"}
    response = client.get(url(account), query)
    assert response.status_code == 200 and response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")


def test_handshake_defaults_to_the_webhook_token(client, page):
    query = {"hub.mode": "subscribe", "hub.verify_token": page.webhook_token, "hub.challenge": "42"}
    assert client.get(url(page), query).content == b"42"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": "tok", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.verify_token": "tok"},
        {"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "x" * 500},
        {},
    ],
)
def test_handshake_is_refused_otherwise(client, fake_provider, query):
    account = make_account("messenger", fake_provider, verify_token="tok")
    response = client.get(url(account), query)
    assert response.status_code == 403
    assert AuditEvent.objects.get(action="channel.webhook_rejected").details["reason"] == "handshake_refused"


# --- signatures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["messenger", "instagram", "whatsapp"])
@pytest.mark.parametrize(
    ("variant", "status", "reason"),
    [
        ("missing", 401, "missing_signature"),
        ("wrong_secret", 403, "bad_signature"),
        ("tampered", 403, "bad_signature"),
        ("sha1", 403, "bad_signature"),
        ("bare_hex", 403, "bad_signature"),
    ],
)
def test_unverified_posts_store_nothing(client, fake_provider, kind, variant, status, reason):
    account = make_account(kind, fake_provider)
    raw = body(first_payload(kind))
    headers = {
        "missing": {},
        "wrong_secret": meta_headers(raw, secret="not-the-app-secret"),
        "tampered": meta_headers(raw),
        "sha1": {
            "HTTP_X_HUB_SIGNATURE_256": meta_headers(raw)["HTTP_X_HUB_SIGNATURE_256"].replace(
                "sha256=", "sha1="
            )
        },
        "bare_hex": {
            "HTTP_X_HUB_SIGNATURE_256": meta_headers(raw)["HTTP_X_HUB_SIGNATURE_256"][len("sha256=") :]
        },
    }[variant]
    if variant == "tampered":
        raw = raw.replace(b"Zdravo", b"Zdravo!")
    assert post(client, account, None, raw=raw, headers=headers).status_code == status
    assert not InboundMessage.objects.exists() and not Contact.objects.exists()
    assert AuditEvent.objects.get(action="channel.webhook_rejected").details["reason"] == reason


@pytest.mark.parametrize("kind", ["messenger", "instagram", "whatsapp"])
def test_valid_and_replayed(client, fake_provider, kind):
    account = make_account(kind, fake_provider)
    payload = first_payload(kind)
    for _ in range(2):
        assert post(client, account, payload).status_code == 200
    message = InboundMessage.objects.get()
    sender = WA_ID if kind == "whatsapp" else PSID
    assert message.contact.sender_hash == conversation.sender_hash(kind, sender)
    assert message.contact.channel.code == kind
    assert message.text_body == "Zdravo"
    assert sender not in json.dumps(list(InboundMessage.objects.values().get().values()), default=str)
    if kind == "whatsapp":
        assert message.from_name == "Jelena"


def test_an_instagram_payload_on_a_messenger_account_is_skipped(client, page):
    assert post(client, page, messenger_event("m_x", object_="instagram")).status_code == 200
    assert not InboundMessage.objects.exists()


def test_echoes_deliveries_and_reads_are_skipped(client, page):
    payload = messenger_event("m_echo", is_echo=True)
    entry = payload["entry"][0]
    entry["messaging"] += [
        {
            "sender": {"id": PSID},
            "recipient": {"id": "1"},
            "timestamp": 1,
            "delivery": {"mids": ["m_1"], "watermark": 1},
        },
        {"sender": {"id": PSID}, "recipient": {"id": "1"}, "timestamp": 1, "read": {"watermark": 1}},
        {
            "sender": {"id": PSID},
            "recipient": {"id": "1"},
            "timestamp": 1,
            "reaction": {"mid": "m_1", "action": "react"},
        },
    ]
    assert post(client, page, payload).status_code == 200
    assert not InboundMessage.objects.exists()


def test_several_messages_in_one_delivery(client, page):
    payload = messenger_event("m_a", PSID, text="jedan")
    second = messenger_event("m_b", "999", text="dva")["entry"][0]["messaging"][0]
    payload["entry"][0]["messaging"].append(second)
    payload["entry"].append(messenger_event("m_c", PSID, text="tri")["entry"][0])
    post(client, page, payload)
    assert InboundMessage.objects.count() == 3
    assert Contact.objects.count() == 2


def test_whatsapp_statuses_are_skipped(client, whatsapp):
    payload = whatsapp_event("wamid.S", WA_ID)
    value = payload["entry"][0]["changes"][0]["value"]
    value.pop("messages")
    value["statuses"] = [{"id": "wamid.OUT", "status": "delivered", "timestamp": "1", "recipient_id": WA_ID}]
    assert post(client, whatsapp, payload).status_code == 200
    assert not InboundMessage.objects.exists()


def test_whatsapp_for_another_number_is_skipped(client, whatsapp):
    payload = whatsapp_event("wamid.O", WA_ID)
    payload["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    post(client, whatsapp, payload)
    assert not InboundMessage.objects.exists()


# --- media ----------------------------------------------------------------------------------------


def test_messenger_image_from_the_cdn(client, page, fake_provider):
    picture = samples.png(7)
    fake_provider.add_media("t39.1997-6/screenshot.png", picture, "image/png")
    attachment = {
        "type": "image",
        "payload": {"url": f"{fake_provider.url}/meta/cdn/t39.1997-6/screenshot.png"},
    }
    post(client, page, messenger_event("m_img", PSID, text="", attachments=[attachment]))
    evidence = EvidenceFile.objects.get()
    assert evidence.filename == "screenshot.png" and evidence.size == len(picture)


def test_whatsapp_image_by_media_id_with_the_token(client, whatsapp, fake_provider):
    picture = samples.png(8)
    fake_provider.add_media("wa-media/1013859600285441", picture, "image/png")
    message = {
        "type": "image",
        "image": {"id": "1013859600285441", "mime_type": "image/png", "sha256": "x", "caption": "evo"},
    }
    post(client, whatsapp, whatsapp_event("wamid.IMG", WA_ID, message=message))
    stored = InboundMessage.objects.get()
    assert stored.text_body == "evo"
    evidence = EvidenceFile.objects.get(pk=stored.attachments[0]["evidence_id"])
    assert evidence.size == len(picture)
    info, download = fake_provider.requests
    assert info.path == f"/meta/{GRAPH_VERSION}/1013859600285441"
    assert info.headers["Authorization"] == download.headers["Authorization"] == f"Bearer {META_TOKEN}"


def test_whatsapp_document_keeps_its_name(client, whatsapp, fake_provider):
    fake_provider.add_media("wa-media/55", samples.pdf(), "application/pdf")
    message = {
        "type": "document",
        "document": {"id": "55", "filename": "pretnje.pdf", "mime_type": "application/pdf"},
    }
    post(client, whatsapp, whatsapp_event("wamid.DOC", WA_ID, message=message))
    assert EvidenceFile.objects.get().filename == "pretnje.pdf"


# --- replies and the window -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["messenger", "instagram"])
def test_reply_through_me_messages(client, fake_provider, counsellor, kind):
    account = make_account(kind, fake_provider)
    post(client, account, first_payload(kind))
    outbound = messenger_actions.reply(actor=counsellor, contact=Contact.objects.get(), body="Tu smo.")
    assert outbound.status == OutboundStatus.SENT, outbound.error
    [sent] = fake_provider.sent("/me/messages")
    assert sent.path == f"/meta/{GRAPH_VERSION}/me/messages"
    assert sent.headers["Authorization"] == f"Bearer {META_TOKEN}"
    assert sent.json == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "Tu smo."},
    }
    assert outbound.headers["provider_message_id"].startswith("m_fake")


def test_whatsapp_reply_through_the_phone_number(client, whatsapp, fake_provider, counsellor):
    post(client, whatsapp, first_payload("whatsapp"))
    outbound = messenger_actions.reply(actor=counsellor, contact=Contact.objects.get(), body="Tu smo.")
    assert outbound.status == OutboundStatus.SENT, outbound.error
    [sent] = fake_provider.sent("/messages")
    assert sent.path == f"/meta/{GRAPH_VERSION}/{WA_PHONE_NUMBER_ID}/messages"
    assert sent.json["to"] == WA_ID and sent.json["text"]["body"] == "Tu smo."
    assert outbound.headers["provider_message_id"].startswith("wamid.")


@pytest.mark.parametrize("kind", ["messenger", "instagram", "whatsapp"])
def test_window_closed_refuses_before_calling_meta(client, fake_provider, counsellor, kind):
    account = make_account(kind, fake_provider)
    post(client, account, first_payload(kind))
    contact = Contact.objects.get()
    old = timezone.now() - dt.timedelta(hours=24, minutes=1)
    InboundMessage.objects.update(received_at=old, sent_at=old)
    is_open, closes_at = conversation.reply_window(contact)
    assert not is_open and closes_at == old + dt.timedelta(hours=24)
    with pytest.raises(ValidationError, match="24 hours"):
        messenger_actions.write_reply(actor=counsellor, contact=contact, body="Zdravo")
    assert fake_provider.sent("messages") == []


def test_meta_window_error_is_worded_for_the_counsellor(client, page, fake_provider, counsellor):
    post(client, page, first_payload("messenger"))
    fake_provider.meta_error = {
        "message": "(#10) This message is sent outside of allowed window.",
        "type": "OAuthException",
        "code": 10,
        "error_subcode": 2018278,
    }
    outbound = messenger_actions.reply(actor=counsellor, contact=Contact.objects.get(), body="Zdravo")
    assert outbound.status == OutboundStatus.FAILED and "24-hour window" in outbound.error


def test_other_meta_errors_pass_their_message(client, page, fake_provider, counsellor):
    post(client, page, first_payload("messenger"))
    fake_provider.meta_error = {
        "message": "(#551) This person isn't available right now.",
        "type": "OAuthException",
        "code": 551,
    }
    outbound = messenger_actions.reply(actor=counsellor, contact=Contact.objects.get(), body="Zdravo")
    assert outbound.status == OutboundStatus.FAILED and "isn't available" in outbound.error


def test_reply_window_setting_can_change_the_length(client, fake_provider, counsellor):
    account = make_account("whatsapp", fake_provider, reply_window_hours="48")
    post(client, account, first_payload("whatsapp"))
    old = timezone.now() - dt.timedelta(hours=30)
    InboundMessage.objects.update(received_at=old, sent_at=old)
    assert conversation.reply_window(Contact.objects.get())[0] is True
