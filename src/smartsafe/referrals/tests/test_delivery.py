"""Delivering referral packets: e-mail against a real SMTP server (aiosmtpd) started by the test,
the portal, phone and paper, failures with the server's own words, and retries."""

from __future__ import annotations

import email
import email.policy
import hashlib
import io
import socket
import zipfile

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.cases.models import TimelineEntry
from smartsafe.evidence.models import CustodyEvent, EvidenceFile
from smartsafe.referrals import actions
from smartsafe.referrals.delivery import deliver, enqueue_delivery, retry_delivery
from smartsafe.referrals.models import DeliveryMethod, DeliveryStatus, Referral, ReferralState
from smartsafe.referrals.packets import build_packet, packet_sha256

from .packet_fixtures import (  # noqa: F401 — fixtures
    CHAT_EXPORT,
    REPORTER_TRACES,
    add_evidence,
    institution_fixture,
    make_rich_referral,
    pdf_text,
    vault_fixture,
)

pytestmark = pytest.mark.django_db(transaction=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Mailbox:
    """An aiosmtpd handler that keeps what it accepts and refuses the addresses in ``unknown``."""

    def __init__(self):
        self.messages: list[tuple[list[str], email.message.EmailMessage, bytes]] = []
        self.unknown: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.unknown:
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        raw = envelope.original_content or envelope.content
        self.messages.append(
            (list(envelope.rcpt_tos), email.message_from_bytes(raw, policy=email.policy.default), raw)
        )
        return "250 Message accepted for delivery"


def start_server(port: int) -> tuple[Controller, Mailbox]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, mailbox


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 and Django's SMTP backend pointed at it."""
    port = free_port()
    controller, mailbox = start_server(port)
    _use_smtp(settings, port)
    yield mailbox
    controller.stop()


def _use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


def sent_referral(actor, institution, **kwargs) -> Referral:
    """A referral as the sending action leaves it: sent, packet frozen, delivery by e-mail pending."""
    referral = make_rich_referral(actor, institution, **kwargs)
    referral.state = ReferralState.SENT
    referral.packet = build_packet(referral)
    referral.packet_sha256 = packet_sha256(referral.packet)
    referral.delivery_method = DeliveryMethod.EMAIL
    referral.save()
    return referral


def send(referral, capture):
    """``enqueue_delivery`` inside a sending transaction; the on-commit job runs (immediate backend)."""
    with capture(execute=True), transaction.atomic():
        enqueue_delivery(referral)
    referral.refresh_from_db()
    return referral


def delivery_events(referral):
    return list(
        AuditEvent.objects.filter(action="referral.delivery", object_id=str(referral.pk)).order_by("pk")
    )


def attachments(message) -> dict[str, tuple[str, bytes]]:
    return {
        part.get_filename(): (part.get_content_type(), part.get_content())
        for part in message.iter_attachments()
    }


# --- e-mail delivered ---------------------------------------------------------------------------


def test_email_delivered_with_pdf_and_json_attached(
    smtp, counsellor, institution, django_capture_on_commit_callbacks
):
    referral = send(sent_referral(counsellor, institution), django_capture_on_commit_callbacks)

    assert referral.delivery_status == DeliveryStatus.DELIVERED
    assert (
        referral.delivered_at is not None
        and referral.delivery_attempts == 1
        and referral.delivery_error == ""
    )

    [(recipients, message, raw)] = smtp.messages
    reference = referral.case.reference
    assert recipients == ["vtk@example.gov.rs"] and message["To"] == "vtk@example.gov.rs"
    assert message["Subject"].strip() == f"[{reference}] ХИТНО / URGENT — Пријава / Referral #{referral.pk}"
    assert message["X-Smartsafe-Packet-SHA256"].strip() == referral.packet_sha256

    files = attachments(message)
    base = f"{reference}-referral-{referral.pk}"
    assert set(files) == {f"{base}.pdf", f"{base}.json"}
    pdf_type, pdf = files[f"{base}.pdf"]
    json_type, json_file = files[f"{base}.json"]
    assert (pdf_type, json_type) == ("application/pdf", "application/json")
    # The attached JSON is the frozen packet: its hash is the one stored and printed in the PDF.
    json_bytes = json_file if isinstance(json_file, bytes) else json_file.encode()
    assert hashlib.sha256(json_bytes).hexdigest() == referral.packet_sha256
    text = pdf_text(pdf)
    assert reference in text and referral.packet_sha256 in text and "ПОВЕРЉИВО" in text

    body = message.get_body(("plain",)).get_content()
    assert reference in body and referral.packet_sha256 in body and "19833" in body
    for trace in REPORTER_TRACES:
        assert trace.encode() not in raw and trace not in body

    [event] = delivery_events(referral)
    assert event.outcome == "ok"
    assert event.details == {"method": "email", "attempt": 1, "recipient": "vtk@example.gov.rs"}
    assert TimelineEntry.objects.filter(case=referral.case, kind="referral_delivered").exists()


def test_latin_packet_gets_a_latin_subject_and_body(
    smtp, counsellor, institution, django_capture_on_commit_callbacks
):
    referral = send(
        sent_referral(counsellor, institution, language="sr-latn"), django_capture_on_commit_callbacks
    )
    [(_, message, _raw)] = smtp.messages
    assert message["Subject"].endswith(f"HITNO / URGENT — Prijava / Referral #{referral.pk}")
    body = message.get_body(("plain",)).get_content()
    assert "Pametno i bezbedno" in body and "Ministarstvo unutrašnjih poslova" in body
    assert not any("\u0400" <= ch <= "\u04ff" for ch in body)


def test_sending_through_the_workflow_delivers_the_frozen_packet(
    smtp, counsellor, supervisor, institution, django_capture_on_commit_callbacks
):
    """The real sending action freezes the packet and calls enqueue_delivery: one e-mail, whose JSON
    hashes to the stored ``packet_sha256``."""
    case = make_rich_referral(counsellor, institution).case
    case.referrals.all().delete()
    referral = actions.create_referral(
        actor=counsellor, case=case, institution=institution, delivery_method="email"
    )
    with django_capture_on_commit_callbacks(execute=True):
        referral = actions.transition_referral(actor=supervisor, referral=referral, action="send")
    referral.refresh_from_db()
    assert referral.state == ReferralState.SENT and referral.delivery_status == DeliveryStatus.DELIVERED
    [(_, message, _raw)] = smtp.messages
    json_file = next(
        content for name, (kind, content) in attachments(message).items() if name.endswith(".json")
    )
    json_bytes = json_file if isinstance(json_file, bytes) else json_file.encode()
    assert hashlib.sha256(json_bytes).hexdigest() == referral.packet_sha256


def test_only_deliberately_attached_evidence_leaves_with_the_email(
    vault, smtp, counsellor, institution, django_capture_on_commit_callbacks
):
    referral = sent_referral(counsellor, institution)
    listed = add_evidence(counsellor, referral)
    chosen = add_evidence(counsellor, referral, "снимак разговора\n".encode(), "razgovor.txt")
    referral.shared_evidence = [chosen.pk]
    referral.packet = build_packet(referral)
    referral.packet_sha256 = packet_sha256(referral.packet)
    referral.save()
    referral = send(referral, django_capture_on_commit_callbacks)
    assert referral.delivery_status == DeliveryStatus.DELIVERED

    [(_, message, raw)] = smtp.messages
    files = attachments(message)
    zip_name = f"{referral.case.reference}-referral-{referral.pk}-evidence.zip"
    assert set(files) == {
        f"{referral.case.reference}-referral-{referral.pk}.pdf",
        f"{referral.case.reference}-referral-{referral.pk}.json",
        zip_name,
    }
    with zipfile.ZipFile(io.BytesIO(files[zip_name][1])) as archive:
        assert archive.read(f"E-{chosen.pk}-razgovor.txt") == "снимак разговора\n".encode()
        assert all(not name.startswith(f"E-{listed.pk}-") for name in archive.namelist())
    assert CHAT_EXPORT not in raw  # the file that was only listed never leaves
    # The hand-over is in the chosen file's chain of custody, in the name of who drafted it.
    [export] = CustodyEvent.objects.filter(file=chosen, action="exported")
    assert export.actor_id == counsellor.pk and export.details["recipient"] == "vtk@example.gov.rs"
    assert not CustodyEvent.objects.filter(file=listed, action="exported").exists()


def test_attached_evidence_that_was_deleted_fails_the_delivery(
    vault, smtp, counsellor, institution, django_capture_on_commit_callbacks
):
    referral = sent_referral(counsellor, institution)
    chosen = add_evidence(counsellor, referral)
    referral.shared_evidence = [chosen.pk]
    referral.save()
    EvidenceFile.objects.filter(pk=chosen.pk).update(deleted_at=chosen.received_at)
    referral = send(referral, django_capture_on_commit_callbacks)
    assert referral.delivery_status == DeliveryStatus.FAILED
    assert f"E-{chosen.pk}" in referral.delivery_error and smtp.messages == []


# --- e-mail failed ------------------------------------------------------------------------------


def test_refused_recipient_fails_with_the_servers_message(
    smtp, counsellor, institution, django_capture_on_commit_callbacks
):
    smtp.unknown.add("vtk@example.gov.rs")
    referral = send(sent_referral(counsellor, institution), django_capture_on_commit_callbacks)

    assert referral.delivery_status == DeliveryStatus.FAILED
    assert "550 No such user" in referral.delivery_error and "vtk@example.gov.rs" in referral.delivery_error
    assert referral.delivery_attempts == 1 and referral.delivered_at is None
    assert referral.state == ReferralState.SENT  # "sent — delivery failed", never silently delivered
    assert smtp.messages == []
    [event] = delivery_events(referral)
    assert event.outcome == "failed" and "550 No such user" in event.details["error"]
    assert TimelineEntry.objects.filter(case=referral.case, kind="referral_delivery_failed").exists()


def test_connection_refused_fails_then_retry_succeeds_once_the_server_is_up(
    settings, counsellor, institution, django_capture_on_commit_callbacks
):
    port = free_port()  # nothing listens here yet
    _use_smtp(settings, port)
    referral = send(sent_referral(counsellor, institution), django_capture_on_commit_callbacks)
    assert referral.delivery_status == DeliveryStatus.FAILED
    assert "refused" in referral.delivery_error.lower() and str(port) in referral.delivery_error
    assert referral.delivery_attempts == 1

    controller, mailbox = start_server(port)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            retry_delivery(referral, actor=counsellor)
    finally:
        controller.stop()
    referral.refresh_from_db()
    assert referral.delivery_status == DeliveryStatus.DELIVERED
    assert referral.delivery_attempts == 2 and referral.delivery_error == ""
    assert len(mailbox.messages) == 1
    assert [e.outcome for e in delivery_events(referral)] == ["failed", "ok"]
    retry = AuditEvent.objects.get(action="referral.delivery_retry", object_id=str(referral.pk))
    assert retry.actor_id == counsellor.pk


def test_retry_after_fixing_the_address(smtp, counsellor, institution, django_capture_on_commit_callbacks):
    smtp.unknown.add("vtk@example.gov.rs")
    referral = send(sent_referral(counsellor, institution), django_capture_on_commit_callbacks)
    assert referral.delivery_status == DeliveryStatus.FAILED
    institution.email = "vtk-prijave@example.gov.rs"
    institution.save()
    with django_capture_on_commit_callbacks(execute=True):
        retry_delivery(referral, actor=counsellor)
    referral.refresh_from_db()
    assert referral.delivery_status == DeliveryStatus.DELIVERED
    assert [m[0] for m in smtp.messages] == [["vtk-prijave@example.gov.rs"]]


def test_missing_institution_email_fails_with_a_clear_message(
    smtp, counsellor, institution, django_capture_on_commit_callbacks
):
    referral = sent_referral(counsellor, institution)
    institution.email = ""
    institution.save()
    referral = send(referral, django_capture_on_commit_callbacks)
    assert referral.delivery_status == DeliveryStatus.FAILED
    assert "no e-mail address" in referral.delivery_error
    assert referral.delivery_attempts == 1 and smtp.messages == []
    assert delivery_events(referral)[0].outcome == "failed"


def test_nothing_is_delivered_before_the_transaction_commits(smtp, counsellor, institution):
    referral = sent_referral(counsellor, institution)
    with transaction.atomic():
        enqueue_delivery(referral)
    # Without a commit (the test's transaction is rolled back) no e-mail leaves.
    assert smtp.messages == []
    referral.refresh_from_db()
    assert referral.delivery_status == DeliveryStatus.PENDING


def test_a_second_run_sends_nothing_more(smtp, counsellor, institution, django_capture_on_commit_callbacks):
    referral = send(sent_referral(counsellor, institution), django_capture_on_commit_callbacks)
    assert deliver(referral.pk) == "skipped"
    assert len(smtp.messages) == 1


def test_revoked_before_delivery_sends_nothing(smtp, counsellor, institution):
    referral = sent_referral(counsellor, institution)
    Referral.objects.filter(pk=referral.pk).update(
        state=ReferralState.REVOKED, delivery_status=DeliveryStatus.PENDING
    )
    assert deliver(referral.pk) == "skipped"
    referral.refresh_from_db()
    assert referral.delivery_status == DeliveryStatus.NOT_SENT and smtp.messages == []


# --- other methods ------------------------------------------------------------------------------


def test_portal_is_delivered_at_once(smtp, counsellor, institution, django_capture_on_commit_callbacks):
    referral = sent_referral(counsellor, institution)
    referral.delivery_method = DeliveryMethod.PORTAL
    referral.save()
    referral = send(referral, django_capture_on_commit_callbacks)
    assert referral.delivery_status == DeliveryStatus.DELIVERED and referral.delivered_at is not None
    assert smtp.messages == []
    [event] = delivery_events(referral)
    assert event.outcome == "ok" and event.details["method"] == "portal"


@pytest.mark.parametrize("method", [DeliveryMethod.PHONE, DeliveryMethod.PAPER])
def test_phone_and_paper_wait_for_the_counsellor(
    smtp, counsellor, institution, method, django_capture_on_commit_callbacks
):
    referral = sent_referral(counsellor, institution)
    referral.delivery_method = method
    referral.save()
    referral = send(referral, django_capture_on_commit_callbacks)
    assert referral.delivery_status == DeliveryStatus.NOT_SENT and referral.delivered_at is None
    assert smtp.messages == [] and delivery_events(referral) == []


# --- retry rules --------------------------------------------------------------------------------


def test_only_a_failed_email_delivery_can_be_retried(
    smtp, counsellor, institution, django_capture_on_commit_callbacks
):
    referral = send(sent_referral(counsellor, institution), django_capture_on_commit_callbacks)
    assert referral.delivery_status == DeliveryStatus.DELIVERED
    with pytest.raises(ValidationError):
        retry_delivery(referral, actor=counsellor)


def test_roles_without_casework_cannot_retry(
    smtp, counsellor, auditor, institution, django_capture_on_commit_callbacks
):
    smtp.unknown.add("vtk@example.gov.rs")
    referral = send(sent_referral(counsellor, institution), django_capture_on_commit_callbacks)
    liaison = testing.make_user("liaison", institution=institution)
    for user in (auditor, liaison):
        with pytest.raises(PermissionDenied):
            retry_delivery(referral, actor=user)
    referral.refresh_from_db()
    assert referral.delivery_status == DeliveryStatus.FAILED


@pytest.mark.django_db(transaction=True)
def test_the_database_task_queue_delivers_through_the_worker(smtp, settings, counsellor, institution):
    """Production queues the job in the database on commit; the worker (``db_worker``) sends it.

    Transactional (the worker closes connections), so it builds on the test builders only: the
    shipped taxonomy may have been flushed by an earlier transactional test.
    """
    from django.core.management import call_command

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    referral = Referral.objects.create(
        case=testing.make_case(counsellor),
        institution=institution,
        created_by=counsellor,
        state=ReferralState.SENT,
        delivery_method=DeliveryMethod.EMAIL,
    )
    referral.packet = build_packet(referral)
    referral.packet_sha256 = packet_sha256(referral.packet)
    referral.save()
    with transaction.atomic():
        enqueue_delivery(referral)
    referral.refresh_from_db()
    assert referral.delivery_status == DeliveryStatus.PENDING and smtp.messages == []
    call_command("db_worker", "--batch", "--interval", "0")
    referral.refresh_from_db()
    assert referral.delivery_status == DeliveryStatus.DELIVERED and len(smtp.messages) == 1
