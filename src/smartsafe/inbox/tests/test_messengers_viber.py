"""Viber: signed webhooks in, threading and identity, media into the vault, replies out, the window."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from smartsafe.audit.models import AuditEvent
from smartsafe.cases.models import TimelineEntry
from smartsafe.evidence.models import EvidenceFile
from smartsafe.evidence.tests import samples
from smartsafe.inbox import actions, conversation
from smartsafe.inbox.actions import messenger as messenger_actions
from smartsafe.inbox.models import InboundMessage, OutboundStatus
from smartsafe.intake.actions import close_contact
from smartsafe.intake.models import Contact
from smartsafe.testing import make_case

from . import fake_providers
from .fake_providers import (
    VIBER_TOKEN,
    body,
    make_account,
    post,
    url,
    viber_headers,
    viber_message,
)

# The fake providers' fixtures, for these tests.
fake_provider_server = fake_providers.fake_provider_server
fake_provider = fake_providers.fake_provider

pytestmark = pytest.mark.django_db

SENDER = "01234567890A="


@pytest.fixture
def viber(fake_provider):
    return make_account("viber", fake_provider)


def rejections():
    return list(AuditEvent.objects.filter(action="channel.webhook_rejected").order_by("pk"))


# --- verification ---------------------------------------------------------------------------------


def test_signed_message_creates_a_contact_with_a_hashed_identity(client, viber):
    response = post(client, viber, viber_message(1001, SENDER, text="Neko mi preti"))
    assert response.status_code == 200
    message = InboundMessage.objects.get(account=viber)
    contact = message.contact
    assert message.provider_id == conversation.provider_key("viber", "viber:1001")
    assert message.text_body == "Neko mi preti"
    assert message.from_name == "Ana"
    assert contact.channel.code == "viber" and contact.summary == "Neko mi preti"
    assert contact.sender_hash == message.sender_hash == conversation.sender_hash("viber", SENDER)
    assert contact.sender_hint == message.from_address == "…0A="
    # The Viber id is never stored in clear: not on the contact, not on the message.
    stored = json.dumps(
        [
            list(Contact.objects.values().get(pk=contact.pk).values()),
            list(InboundMessage.objects.values().get().values()),
        ],
        default=str,
    )
    assert SENDER not in stored
    assert AuditEvent.objects.filter(action="messenger.receive", object_id=str(message.pk)).exists()


def test_sender_hash_is_keyed_hmac_of_kind_and_id(settings):
    import hashlib
    import hmac

    settings.SMARTSAFE_PSEUDONYM_KEY = "k1"
    expected = hmac.new(b"k1", b"viber:" + SENDER.encode(), hashlib.sha256).hexdigest()
    assert conversation.sender_hash("viber", SENDER) == expected
    assert conversation.sender_hash("telegram", SENDER) != expected
    settings.SMARTSAFE_PSEUDONYM_KEY = "k2"
    assert conversation.sender_hash("viber", SENDER) != expected
    assert conversation.sender_hint(SENDER) == "…0A="


@pytest.mark.parametrize(
    ("headers", "status", "reason"),
    [
        ({}, 401, "missing_signature"),
        ({"HTTP_X_VIBER_CONTENT_SIGNATURE": ""}, 401, "missing_signature"),
        ("wrong_secret", 403, "bad_signature"),
        ("tampered", 403, "bad_signature"),
        ({"HTTP_X_VIBER_CONTENT_SIGNATURE": "not hex at all"}, 403, "bad_signature"),
    ],
)
def test_unverified_requests_store_nothing_and_are_audited(client, viber, headers, status, reason):
    payload = viber_message(2002, SENDER, text="Tajna poruka")
    raw = body(payload)
    if headers == "wrong_secret":
        headers = viber_headers(raw, token="another-bot-token")
    elif headers == "tampered":
        headers = viber_headers(raw)
        raw = raw.replace(b"Tajna", "Lažna".encode())
    response = post(client, viber, payload, headers=headers, raw=raw)
    assert response.status_code == status
    assert not InboundMessage.objects.exists() and not Contact.objects.exists()
    [event] = rejections()
    assert event.outcome == "denied"
    assert event.object_id == str(viber.pk)
    assert event.details["reason"] == reason
    assert "Tajna" not in json.dumps(event.details) and "Lažna" not in json.dumps(event.details)


def test_signature_is_of_the_raw_bytes_not_of_reserialised_json(client, viber):
    raw = (
        b'{"event":"message","message_token":3003,  "sender":{"id":"x1"},'
        b'"message":{"type":"text","text":"a"}}'
    )
    assert post(client, viber, None, raw=raw).status_code == 200
    assert InboundMessage.objects.filter(
        provider_id=conversation.provider_key("viber", "viber:3003")
    ).exists()


def test_upper_case_hex_signature_is_accepted(client, viber):
    raw = body(viber_message(3004))
    headers = {"HTTP_X_VIBER_CONTENT_SIGNATURE": viber_headers(raw)["HTTP_X_VIBER_CONTENT_SIGNATURE"].upper()}
    assert post(client, viber, None, raw=raw, headers=headers).status_code == 200


def test_replayed_delivery_stores_one_message_and_one_contact(client, viber):
    payload = viber_message(4004, SENDER)
    for _ in range(3):
        assert post(client, viber, payload).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert Contact.objects.count() == 1


def test_doors(client, viber, settings):
    payload = viber_message(5005)
    assert (
        client.post(
            "/inbox/webhooks/no-such-token/", body(payload), content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get(url(viber)).status_code == 405
    raw = b"{not json"
    assert post(client, viber, None, raw=raw).status_code == 400
    for raw in (b"[1, 2]", b'"text"', b"null", b'{"a": NaN}', '{"a": 1}'.encode("utf-16"), b"\xff\xfe"):
        assert post(client, viber, None, raw=raw).status_code == 400
    big = body({"event": "message", "pad": "x" * (1024 * 1024)})
    assert post(client, viber, None, raw=big).status_code == 413
    actions.update_account(account=viber, active=False)
    assert post(client, viber, payload).status_code == 404
    assert not InboundMessage.objects.exists()


def test_email_accounts_have_no_webhook(client, db):
    from smartsafe import testing

    testing.channel("email")
    account = actions.create_account(kind="email", name="Mail", settings={"from_address": "a@b.example"})
    assert client.post(url(account), b"{}", content_type="application/json").status_code == 404


@pytest.mark.parametrize(
    "event", ["delivered", "seen", "failed", "subscribed", "unsubscribed", "conversation_started", "webhook"]
)
def test_non_message_events_are_accepted_and_skipped(client, viber, event):
    payload = {
        "event": event,
        "timestamp": 1457764197627,
        "message_token": 4912661846655238145,
        "user_id": SENDER,
    }
    assert post(client, viber, payload).status_code == 200
    assert not InboundMessage.objects.exists()


# --- threading and identity -----------------------------------------------------------------------


def test_one_person_one_conversation(client, viber):
    post(client, viber, viber_message(1, SENDER, text="prva"))
    post(client, viber, viber_message(2, SENDER, text="druga"))
    post(client, viber, viber_message(3, "someone-else", text="treća"))
    ana = Contact.objects.get(sender_hash=conversation.sender_hash("viber", SENDER))
    assert list(ana.inbound_messages.values_list("text_body", flat=True)) == ["prva", "druga"]
    assert Contact.objects.count() == 2


def test_the_same_person_on_another_bot_of_the_same_kind_is_a_separate_conversation(
    client, viber, fake_provider
):
    other = make_account("viber", fake_provider, name="second bot")
    post(client, viber, viber_message(1, SENDER))
    post(client, other, viber_message(1, SENDER))
    assert InboundMessage.objects.count() == 2
    assert Contact.objects.count() == 2
    assert len(set(Contact.objects.values_list("sender_hash", flat=True))) == 1  # recognisable across bots


def test_returning_person_after_close_gets_a_new_contact_that_names_the_old_one(client, viber, counsellor):
    post(client, viber, viber_message(1, SENDER))
    first = Contact.objects.get()
    close_contact(actor=counsellor, contact=first)
    post(client, viber, viber_message(2, SENDER, text="opet ja"))
    second = Contact.objects.exclude(pk=first.pk).get()
    assert second.sender_hash == first.sender_hash
    message = second.inbound_messages.get()
    assert message.headers["earlier_contact"] == first.pk
    assert list(conversation.earlier_contacts(second)) == [first]
    assert AuditEvent.objects.filter(action="messenger.receive", details__thread="returning").exists()


def test_message_on_a_contact_of_an_open_case_goes_onto_the_case(client, viber, counsellor):
    post(client, viber, viber_message(1, SENDER))
    contact = Contact.objects.get()
    case = make_case(counsellor, contacts=[contact])
    post(client, viber, viber_message(2, SENDER, text="još nešto"))
    assert contact.inbound_messages.count() == 2
    assert TimelineEntry.objects.filter(case=case, kind="message_received").count() == 1


def test_message_after_the_case_closed_starts_a_new_contact_naming_the_case(client, viber, supervisor):
    post(client, viber, viber_message(1, SENDER))
    contact = Contact.objects.get()
    case = make_case(supervisor, contacts=[contact])
    case.state = "closed"
    case.save(update_fields=["state"])
    post(client, viber, viber_message(2, SENDER))
    new = Contact.objects.exclude(pk=contact.pk).get()
    message = new.inbound_messages.get()
    assert (
        message.headers["earlier_case"] == case.reference and message.headers["earlier_contact"] == contact.pk
    )


# --- media ------------------------------------------------------------------------------------------


def test_picture_is_downloaded_into_the_vault(client, viber, fake_provider):
    picture = samples.png(3)
    fake_provider.add_media("photo-1.png", picture, "image/png")
    payload = viber_message(
        7,
        SENDER,
        type="picture",
        text="screenshot",
        media=f"{fake_provider.url}/viber/media/photo-1.png",
        thumbnail=f"{fake_provider.url}/viber/media/thumb.png",
    )
    assert post(client, viber, payload).status_code == 200
    message = InboundMessage.objects.get()
    [entry] = message.attachments
    evidence = EvidenceFile.objects.get(pk=entry["evidence_id"])
    assert evidence.contact == message.contact and evidence.received_via == "messenger"
    assert evidence.size == len(picture) and evidence.filename == "photo-1.png"
    assert message.text_body == "screenshot"
    assert [r.path for r in fake_provider.requests] == ["/viber/media/photo-1.png"]


def test_refused_and_missing_files_are_recorded_with_the_reason(client, viber, fake_provider):
    fake_provider.add_media("setup.exe", b"MZ\x90\x00" + b"\x00" * 200, "application/octet-stream")
    post(
        client,
        viber,
        viber_message(
            8,
            SENDER,
            type="file",
            media=f"{fake_provider.url}/viber/media/setup.exe",
            file_name="setup.exe",
            size=204,
        ),
    )
    post(
        client,
        viber,
        viber_message(
            9,
            SENDER,
            type="file",
            media=f"{fake_provider.url}/viber/media/gone.pdf",
            file_name="gone.pdf",
            size=9,
        ),
    )
    fake_provider.rejected.clear()  # the 404 for gone.pdf was intended
    refused = [m.attachments[0] for m in InboundMessage.objects.order_by("pk")]
    assert refused[0]["rejected"] and refused[0]["reason"] != "download_failed"
    assert refused[1]["reason"] == "download_failed" and "404" in refused[1]["rejected"]
    assert not EvidenceFile.objects.exists()
    assert InboundMessage.objects.count() == 2  # the messages themselves are kept


def test_contact_card_and_location_become_text(client, viber):
    post(
        client,
        viber,
        viber_message(
            10, SENDER, type="contact", text="", contact={"name": "Neznanac", "phone_number": "+381601234567"}
        ),
    )
    post(
        client,
        viber,
        viber_message(11, SENDER, type="location", text="", location={"lat": 44.8, "lon": 20.46}),
    )
    texts = list(InboundMessage.objects.order_by("pk").values_list("text_body", flat=True))
    assert "Neznanac" in texts[0] and "+381601234567" in texts[0]
    assert "44.8" in texts[1]


# --- replies --------------------------------------------------------------------------------------


def test_reply_goes_out_through_send_message(client, viber, fake_provider, counsellor):
    post(client, viber, viber_message(12, SENDER))
    contact = Contact.objects.get()
    assert conversation.reply_window(contact)[0] is True
    outbound = messenger_actions.reply(actor=counsellor, contact=contact, body="Tu smo, piši nam.")
    assert outbound.status == OutboundStatus.SENT, outbound.error
    [sent] = fake_provider.sent("/viber/pa/send_message")
    assert sent.headers["X-Viber-Auth-Token"] == VIBER_TOKEN
    assert (
        sent.json["receiver"] == SENDER
        and sent.json["text"] == "Tu smo, piši nam."
        and sent.json["type"] == "text"
    )
    assert outbound.headers["provider_message_id"]
    assert AuditEvent.objects.filter(
        action="messenger.send", outcome="ok", object_id=str(outbound.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="messenger.reply", object_id=str(outbound.pk)).exists()


def test_provider_refusal_is_kept_with_a_clear_message_and_can_be_retried(
    client, viber, fake_provider, counsellor
):
    post(client, viber, viber_message(13, SENDER))
    fake_provider.viber_status = 6
    outbound = messenger_actions.reply(actor=counsellor, contact=Contact.objects.get(), body="Zdravo")
    assert outbound.status == OutboundStatus.FAILED
    assert "subscribed" in outbound.error
    fake_provider.viber_status = 0
    outbound = messenger_actions.deliver(outbound, actor=counsellor)
    assert outbound.status == OutboundStatus.SENT and outbound.attempts == 2


def _age(contact, hours):
    then = timezone.now() - dt.timedelta(hours=hours)
    InboundMessage.objects.filter(contact=contact).update(received_at=then, sent_at=then)


def test_reply_outside_the_24_hour_window_is_refused(client, viber, fake_provider, counsellor):
    post(client, viber, viber_message(14, SENDER))
    contact = Contact.objects.get()
    _age(contact, 23)
    is_open, closes_at = conversation.reply_window(contact)
    assert is_open and timezone.now() + dt.timedelta(minutes=55) < closes_at < timezone.now() + dt.timedelta(
        hours=1
    )
    _age(contact, 25)
    assert conversation.reply_window(contact)[0] is False
    with pytest.raises(ValidationError, match="24 hours"):
        messenger_actions.write_reply(actor=counsellor, contact=contact, body="Zdravo")
    assert fake_provider.sent("send_message") == []


def test_a_reply_written_in_time_but_sent_too_late_fails_without_calling_viber(
    client, viber, fake_provider, counsellor
):
    post(client, viber, viber_message(15, SENDER))
    contact = Contact.objects.get()
    outbound = messenger_actions.write_reply(actor=counsellor, contact=contact, body="Zdravo")
    _age(contact, 25)
    outbound = messenger_actions.deliver(outbound)
    assert outbound.status == OutboundStatus.FAILED and "24 hours" in outbound.error
    assert fake_provider.sent("send_message") == []


def test_person_writing_again_reopens_the_window(client, viber, counsellor):
    post(client, viber, viber_message(16, SENDER))
    contact = Contact.objects.get()
    _age(contact, 30)
    post(client, viber, viber_message(17, SENDER))
    assert conversation.reply_window(contact)[0] is True


def test_reply_rules(client, viber, counsellor, analyst):
    post(client, viber, viber_message(18, SENDER))
    contact = Contact.objects.get()
    with pytest.raises(ValidationError):
        messenger_actions.write_reply(actor=counsellor, contact=contact, body="  ")
    with pytest.raises(ValidationError):
        messenger_actions.write_reply(actor=counsellor, contact=contact, body="x" * 7001)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        messenger_actions.write_reply(actor=analyst, contact=contact, body="Zdravo")
