"""Telegram: the secret-token header, updates in, photos and documents through getFile, replies."""

import datetime as dt
import json

import pytest
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
    TELEGRAM_SECRET,
    TELEGRAM_TOKEN,
    body,
    make_account,
    post,
    telegram_update,
)

# The fake providers' fixtures, for these tests.
fake_provider_server = fake_providers.fake_provider_server
fake_provider = fake_providers.fake_provider

pytestmark = pytest.mark.django_db
USER = 987654321


@pytest.fixture
def telegram(fake_provider):
    return make_account("telegram", fake_provider)


def test_update_with_the_secret_token_is_stored(client, telegram):
    assert post(client, telegram, telegram_update(1, USER, text="Pomoć")).status_code == 200
    message = InboundMessage.objects.get()
    assert message.provider_id == conversation.provider_key("telegram", f"telegram:{USER}:1")
    assert message.text_body == "Pomoć" and message.from_name == "Marko"
    assert message.contact.sender_hash == conversation.sender_hash("telegram", str(USER))
    assert str(USER) not in json.dumps(list(InboundMessage.objects.values().get().values()), default=str)


@pytest.mark.parametrize(
    ("headers", "status", "reason"),
    [
        ({}, 401, "missing_signature"),
        ({"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": "wrong-secret"}, 403, "bad_signature"),
        ({"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": TELEGRAM_SECRET + "x"}, 403, "bad_signature"),  # tampered
        ({"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": TELEGRAM_SECRET[:-1]}, 403, "bad_signature"),
        (
            {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": TELEGRAM_TOKEN},
            403,
            "bad_signature",
        ),  # bot token is not the secret
    ],
)
def test_unverified_updates_are_refused(client, telegram, headers, status, reason):
    response = post(client, telegram, telegram_update(2, USER), headers=headers)
    assert response.status_code == status
    assert not InboundMessage.objects.exists()
    event = AuditEvent.objects.get(action="channel.webhook_rejected")
    assert event.details["reason"] == reason and event.object_id == str(telegram.pk)


def test_an_account_without_a_secret_token_refuses_everything(client, fake_provider):
    from smartsafe.inbox import actions

    account = make_account("telegram", fake_provider)
    actions.update_account(account=account, secret="")
    assert post(client, account, telegram_update(3, USER)).status_code == 403
    assert (
        AuditEvent.objects.get(action="channel.webhook_rejected").details["reason"] == "no_secret_configured"
    )


def test_replayed_update_is_stored_once(client, telegram):
    update = telegram_update(4, USER)
    assert [post(client, telegram, update).status_code for _ in range(3)] == [200, 200, 200]
    assert InboundMessage.objects.count() == 1 and Contact.objects.count() == 1


def test_message_ids_are_per_chat(client, telegram):
    post(client, telegram, telegram_update(5, USER))
    post(client, telegram, telegram_update(5, USER + 1))
    assert InboundMessage.objects.count() == 2 and Contact.objects.count() == 2


@pytest.mark.parametrize(
    "update",
    [
        {
            "update_id": 1,
            "edited_message": {"message_id": 1, "chat": {"id": 1, "type": "private"}, "text": "x"},
        },
        {"update_id": 2, "callback_query": {"id": "1", "from": {"id": 1}}},
        {"update_id": 3, "my_chat_member": {"chat": {"id": 1}}},
        telegram_update(6, USER, chat_type="group"),
        telegram_update(7, USER, chat_type="channel"),
        {"update_id": 4},
    ],
)
def test_other_updates_are_accepted_and_skipped(client, telegram, update):
    assert post(client, telegram, update).status_code == 200
    assert not InboundMessage.objects.exists()


def test_photo_is_fetched_through_get_file(client, telegram, fake_provider):
    picture = samples.png(5)
    fake_provider.add_media("photos/AgACbig", picture, "image/png")
    photo = [
        {"file_id": "AgACsmall", "file_unique_id": "s", "width": 90, "height": 67, "file_size": 100},
        {"file_id": "AgACbig", "file_unique_id": "b", "width": 320, "height": 240, "file_size": len(picture)},
    ]
    post(client, telegram, telegram_update(8, USER, text="", photo=photo, caption="ovo mi šalje"))
    message = InboundMessage.objects.get()
    assert message.text_body == "ovo mi šalje"
    evidence = EvidenceFile.objects.get(pk=message.attachments[0]["evidence_id"])
    assert evidence.size == len(picture) and evidence.contact == message.contact
    paths = [r.path for r in fake_provider.requests]
    assert paths == [
        f"/telegram/bot{TELEGRAM_TOKEN}/getFile?file_id=AgACbig",
        f"/telegram/file/bot{TELEGRAM_TOKEN}/photos/AgACbig",
    ]


def test_document_is_fetched_with_its_name(client, telegram, fake_provider):
    pdf = samples.pdf()
    fake_provider.add_media("documents/BQACdoc", pdf, "application/pdf")
    document = {
        "file_id": "BQACdoc",
        "file_unique_id": "d",
        "file_name": "prepiska.pdf",
        "mime_type": "application/pdf",
    }
    post(client, telegram, telegram_update(9, USER, text="", document=document))
    evidence = EvidenceFile.objects.get()
    assert evidence.filename == "prepiska.pdf" and evidence.kind == "pdf"


def test_unknown_file_is_recorded_as_not_downloaded(client, telegram, fake_provider):
    post(client, telegram, telegram_update(10, USER, document={"file_id": "nope", "file_name": "x.pdf"}))
    fake_provider.rejected.clear()  # the provider's 400 for an unknown file was intended
    [entry] = InboundMessage.objects.get().attachments
    assert entry["reason"] == "download_failed" and entry["name"] == "x.pdf"


def test_reply_goes_to_the_chat_and_telegram_has_no_window(client, telegram, fake_provider, counsellor):
    post(client, telegram, telegram_update(11, USER))
    contact = Contact.objects.get()
    old = timezone.now() - dt.timedelta(days=5)
    InboundMessage.objects.update(received_at=old, sent_at=old)
    assert conversation.reply_window(contact) == (True, None)
    outbound = messenger_actions.reply(actor=counsellor, contact=contact, body="Ovde smo.")
    assert outbound.status == OutboundStatus.SENT, outbound.error
    [sent] = fake_provider.sent("/sendMessage")
    assert sent.path == f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage"
    assert sent.json == {"chat_id": USER, "text": "Ovde smo."}


def test_wrong_bot_token_makes_a_failed_reply(client, telegram, fake_provider, counsellor):
    from smartsafe.inbox import actions

    post(client, telegram, telegram_update(12, USER))
    actions.update_account(account=telegram, token="123:wrong")
    outbound = messenger_actions.reply(actor=counsellor, contact=Contact.objects.get(), body="Zdravo")
    fake_provider.rejected.clear()
    assert outbound.status == OutboundStatus.FAILED and "Unauthorized" in outbound.error


def test_big_payloads_and_bad_json(client, telegram):
    assert post(client, telegram, None, raw=b'{"update_id": 1, "message": ').status_code == 400
    big = body({"update_id": 1, "pad": "x" * (1024 * 1024 + 1)})
    assert post(client, telegram, None, raw=big).status_code == 413
    assert not InboundMessage.objects.exists()
