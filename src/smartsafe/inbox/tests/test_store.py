"""Storing received mail: contacts, the vault, threading, automatic mail, idempotency, audit."""

import datetime as dt

import pytest
from django.utils import timezone

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.cases.models import TimelineEntry
from smartsafe.evidence.models import EvidenceFile
from smartsafe.inbox import actions
from smartsafe.inbox.models import InboundMessage, OutboundMessage, OutboundStatus
from smartsafe.intake.actions import close_contact
from smartsafe.intake.models import Contact

from .conftest import eml, mail

pytestmark = pytest.mark.django_db


def store(account, raw, **kwargs):
    return actions.store_email(account=account, raw=raw, **kwargs)


def test_new_mail_becomes_a_contact(account):
    message, created = store(account, eml("plain_utf8.eml"))
    assert created
    contact = message.contact
    assert contact.channel.code == "email" and contact.state == "new"
    assert contact.subject == "Претње на Инстаграму"
    assert "моја ћерка (13) добија претеће поруке" in contact.summary
    assert contact.sender_hint == "mi…@mail.example.rs"
    assert contact.sender_hash == message.sender_hash and len(contact.sender_hash) == 64
    # The address is on the message (for replies), not in the contact's searchable text.
    assert message.from_address == "milica.petrovic@mail.example.rs"
    assert "milica" not in contact.reporter_contact + contact.summary
    assert message.headers["message-id"] == "<plain-utf8.1@mail.example.rs>"
    events = list(
        AuditEvent.objects.filter(action__in=["contact.receive", "email.receive"])
        .order_by("pk")
        .values_list("action", "details")
    )
    assert [a for a, _d in events] == ["contact.receive", "email.receive"]
    assert "milica" not in str(events)  # no addresses in the audit log


def test_storing_twice_stores_once(account):
    first, created = store(account, eml("plain_utf8.eml"))
    again, created_again = store(account, eml("plain_utf8.eml"))
    assert created and not created_again and first.pk == again.pk
    assert Contact.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_attachments_go_to_the_vault_and_refusals_are_kept(account):
    message, _ = store(account, eml("attachments.eml"))
    files = EvidenceFile.objects.filter(contact=message.contact).order_by("filename")
    assert [(f.filename, f.received_via) for f in files] == [
        ("chat.txt", "email"),
        ("screenshot.png", "email"),
    ]
    by_name = {a["name"]: a for a in message.attachments}
    assert by_name["screenshot.png"]["evidence_id"] == files.get(filename="screenshot.png").pk
    refused = by_name["game-hack.exe"]
    assert refused["rejected"] and "evidence_id" not in refused and refused["reason"]
    assert message.rejected_attachments == [refused]
    assert AuditEvent.objects.filter(action="evidence.reject").count() == 1


def test_inline_image_and_forwarded_files_are_evidence(account):
    inline, _ = store(account, eml("inline_image.eml"))
    forwarded, _ = store(account, eml("forwarded.eml"))
    assert EvidenceFile.objects.filter(contact=inline.contact, kind="image").count() == 1
    assert inline.attachments[0]["inline"] is True
    assert EvidenceFile.objects.get(contact=forwarded.contact).filename == "pretnja.png"
    summary = forwarded.contact.summary
    assert summary.startswith("Prosleđujem poruku roditelja.")
    assert "Forwarded message" in summary and "Мајка ученице <majka@mail.example.rs>" in summary
    assert "Неко прети мојој ћерки да ће објавити њене слике." in summary
    assert forwarded.forwarded[0]["subject"] == "Претње мојој ћерки"


def test_html_only_mail_summary_is_text(account):
    message, _ = store(account, eml("html_only.eml"))
    assert "мој син је уцењен преко игрице." in message.contact.summary
    assert "<" not in message.contact.summary
    assert "<script" not in message.html_body


def test_a_reply_of_the_same_sender_lands_on_the_same_contact(account):
    first, _ = store(account, mail(message_id="one@mail.example.rs", body="first"))
    second, _ = store(account, mail(subject="Re: Hello", in_reply_to="one@mail.example.rs", body="second"))
    third, _ = store(account, mail(references=f"one@mail.example.rs {second.message_id}", body="third"))
    assert first.contact == second.contact == third.contact
    assert Contact.objects.count() == 1


def test_a_stranger_naming_someone_elses_message_id_starts_a_new_contact(account):
    first, _ = store(account, mail(message_id="one@mail.example.rs"))
    other, _ = store(account, mail(sender="stranger@evil.example", in_reply_to="one@mail.example.rs"))
    assert other.contact != first.contact


def test_a_reply_to_our_message_lands_on_its_contact_whoever_writes(account, counsellor):
    first, _ = store(account, mail(message_id="one@mail.example.rs"))
    outbound = actions.write_reply(actor=counsellor, contact=first.contact, body="Answer")
    answer, _ = store(account, mail(sender="mother@mail.example.rs", in_reply_to=outbound.message_id))
    assert answer.contact == first.contact


def test_case_reference_in_subject_from_a_known_sender(account, counsellor):
    first, _ = store(account, mail(message_id="one@mail.example.rs"))
    case = testing.make_case(counsellor, contacts=[first.contact])
    later, _ = store(account, mail(subject=f"New screenshots for {case.reference}"))
    assert later.contact == first.contact and later.case_reference == ""
    entry = TimelineEntry.objects.get(case=case, kind="email_received")
    assert entry.data["contact"] == first.contact.reference


def test_case_reference_from_an_unknown_sender_is_noted_not_linked(account, counsellor):
    first, _ = store(account, mail(message_id="one@mail.example.rs"))
    case = testing.make_case(counsellor, contacts=[first.contact])
    stranger, _ = store(account, mail(sender="someone@else.example", subject=f"About {case.reference}"))
    assert stranger.contact != first.contact and stranger.contact.case is None
    assert stranger.case_reference == case.reference


def test_a_person_writing_after_the_conversation_ended_reaches_the_inbox(account, counsellor):
    first, _ = store(account, mail(message_id="one@mail.example.rs"))
    close_contact(actor=counsellor, contact=first.contact)
    again, _ = store(account, mail(in_reply_to="one@mail.example.rs", body="It started again"))
    assert again.contact != first.contact and again.contact.state == "new"


def test_auto_reply_threads_but_is_flagged(account, counsellor):
    first, _ = store(account, eml("plain_utf8.eml"))
    ooo, _ = store(account, eml("auto_reply.eml"))  # In-Reply-To the first, same sender
    assert ooo.automatic == "auto_reply" and ooo.contact == first.contact
    assert Contact.objects.count() == 1


@pytest.mark.parametrize("name, kind", [("bulk.eml", "bulk"), ("auto_reply.eml", "auto_reply")])
def test_automatic_mail_without_a_conversation_makes_no_contact(account, name, kind):
    message, _ = store(account, eml(name))
    assert message.automatic == kind and message.contact is None
    assert Contact.objects.count() == 0


def test_our_own_mail_coming_back_is_a_loop(account):
    message, _ = store(account, mail(extra="X-Smartsafe-Loop: centre.example"))
    assert message.automatic == "loop" and message.contact is None


def test_bounce_marks_our_reply_bounced(account, counsellor):
    first, _ = store(account, mail(message_id="one@mail.example.rs"))
    outbound = actions.write_reply(actor=counsellor, contact=first.contact, body="Answer")
    OutboundMessage.objects.filter(pk=outbound.pk).update(message_id="ss.BOUNCEDTOKEN@centre.example")
    bounce, _ = store(account, eml("bounce.eml"))
    assert bounce.automatic == "bounce" and bounce.contact == first.contact
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.BOUNCED and "User unknown" in outbound.error


def test_attachments_of_automatic_mail_are_not_kept(account):
    raw = eml("attachments.eml").replace(b"Subject: Screenshots", b"Precedence: bulk\r\nSubject: Screenshots")
    message, _ = store(account, raw)
    assert message.contact is None and EvidenceFile.objects.count() == 0
    assert all(a["rejected"] for a in message.attachments)


def test_import_dates_come_from_the_header_only_when_asked(account):
    polled, _ = store(account, eml("plain_utf8.eml"))
    imported, _ = store(account, eml("cyrillic_koi8r.eml"), trust_date=True)
    assert imported.received_at == dt.datetime(2026, 3, 4, 8, 0, tzinfo=dt.UTC)
    assert imported.contact.received_at == imported.received_at
    assert abs(timezone.now() - polled.received_at) < dt.timedelta(minutes=1)
    assert polled.sent_at.isoformat() == "2026-03-03T09:15:00+01:00"
