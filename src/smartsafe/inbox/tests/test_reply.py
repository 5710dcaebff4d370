"""Replies by SMTP to a local aiosmtpd server: threading headers, timeline, failure and retry."""

import email
import email.policy

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.cases.models import TimelineEntry
from smartsafe.inbox import actions
from smartsafe.inbox.models import OutboundStatus

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


def received(smtp):
    sender, recipients, raw = smtp.received[-1]
    return sender, recipients, email.message_from_bytes(raw, policy=email.policy.default)


def test_reply_goes_out_with_threading_headers_and_lands_on_the_timeline(smtp_account, smtp, counsellor):
    first, _ = actions.store_email(account=smtp_account, raw=eml("plain_utf8.eml"))
    second, _ = actions.store_email(
        account=smtp_account,
        raw=mail(
            sender="milica.petrovic@mail.example.rs",
            message_id="second@mail.example.rs",
            in_reply_to="plain-utf8.1@mail.example.rs",
            references="plain-utf8.1@mail.example.rs",
            subject="Re: Претње на Инстаграму",
        ),
    )
    case = testing.make_case(counsellor, contacts=[first.contact])
    outbound = actions.write_reply(actor=counsellor, contact=first.contact, body="Поштована, јавите нам се.")
    outbound = actions.deliver(outbound, actor=counsellor)

    assert outbound.status == OutboundStatus.SENT and outbound.sent_at and outbound.attempts == 1
    sender, recipients, msg = received(smtp)
    assert sender == "prijava@centre.example" and recipients == ["milica.petrovic@mail.example.rs"]
    assert msg["Subject"] == f"Re: Претње на Инстаграму [{case.reference}]"
    assert msg["In-Reply-To"] == "<second@mail.example.rs>"
    assert msg["References"] == "<plain-utf8.1@mail.example.rs> <second@mail.example.rs>"
    assert msg["Message-ID"] == f"<{outbound.message_id}>" and outbound.message_id.startswith("ss.")
    assert msg["Message-ID"].endswith("@centre.example>")
    assert msg["X-Smartsafe-Loop"] == "centre.example"
    assert msg.get_content().strip() == "Поштована, јавите нам се."
    assert outbound.in_reply_to == second and outbound.case == case

    entry = TimelineEntry.objects.get(case=case, kind="email_sent")
    assert entry.actor == counsellor and entry.data["contact"] == first.contact.reference
    codes = list(
        AuditEvent.objects.filter(action__startswith="email.").order_by("pk").values_list("action", "outcome")
    )
    assert codes[-2:] == [("email.reply", "ok"), ("email.send", "ok")]

    # The person answers our reply: it threads onto the same contact by our Message-ID.
    answer, _ = actions.store_email(
        account=smtp_account, raw=mail(in_reply_to=outbound.message_id, sender="x@y.rs")
    )
    assert answer.contact == first.contact


def test_reply_subject_keeps_one_re_and_one_reference(smtp_account, smtp, counsellor):
    first, _ = actions.store_email(account=smtp_account, raw=mail(subject="RE: Re: Odg: Pitanje"))
    outbound = actions.deliver(actions.write_reply(actor=counsellor, contact=first.contact, body="Odgovor"))
    assert outbound.subject == "Re: Pitanje"


def test_reply_goes_to_reply_to_when_given(smtp_account, smtp, counsellor):
    first, _ = actions.store_email(
        account=smtp_account, raw=mail(extra="Reply-To: Mama <mama@mail.example.rs>")
    )
    actions.deliver(actions.write_reply(actor=counsellor, contact=first.contact, body="Odgovor"))
    assert received(smtp)[1] == ["mama@mail.example.rs"]


def test_smtp_refusal_is_stored_shown_and_can_be_retried(smtp_account, smtp, counsellor):
    first, _ = actions.store_email(account=smtp_account, raw=mail(sender="gone@mail.example.rs"))
    smtp.refuse.add("gone@mail.example.rs")
    outbound = actions.deliver(actions.write_reply(actor=counsellor, contact=first.contact, body="Odgovor"))
    assert outbound.status == OutboundStatus.FAILED and "550" in outbound.error
    assert smtp.received == []
    assert AuditEvent.objects.filter(action="email.send", outcome="failed").exists()

    smtp.refuse.clear()
    outbound = actions.retry(actor=counsellor, outbound=outbound)
    assert outbound.status == OutboundStatus.SENT and outbound.attempts == 2 and outbound.error == ""
    assert len(smtp.received) == 1
    with pytest.raises(ValidationError):
        actions.retry(actor=counsellor, outbound=outbound)  # sent: nothing to retry


def test_wrong_smtp_password_fails_with_a_clear_error(email_channel, smtp, counsellor):
    account = actions.create_account(
        kind="email", name="bad", settings=account_settings(smtp=smtp), secret="wrong"
    )
    first, _ = actions.store_email(account=account, raw=mail())
    outbound = actions.deliver(actions.write_reply(actor=counsellor, contact=first.contact, body="x"))
    assert outbound.status == OutboundStatus.FAILED and "password" in outbound.error


def test_unreachable_smtp_server_fails(email_channel, counsellor):
    from .conftest import free_port

    account = actions.create_account(
        kind="email",
        name="down",
        settings=account_settings(smtp_host="127.0.0.1", smtp_port=str(free_port())),
        secret="x",
    )
    first, _ = actions.store_email(account=account, raw=mail())
    outbound = actions.deliver(actions.write_reply(actor=counsellor, contact=first.contact, body="x"))
    assert outbound.status == OutboundStatus.FAILED and outbound.error


def test_a_claimed_reply_is_not_sent_twice(smtp_account, smtp, counsellor):
    first, _ = actions.store_email(account=smtp_account, raw=mail())
    outbound = actions.write_reply(actor=counsellor, contact=first.contact, body="x")
    stale = type(outbound).objects.get(pk=outbound.pk)
    actions.deliver(outbound)
    actions.deliver(stale)  # a second worker holding the old row
    assert len(smtp.received) == 1


@pytest.mark.parametrize("name", ["auto_reply.eml", "bulk.eml"])
def test_automatic_mail_is_never_answered(smtp_account, counsellor, name):
    first, _ = actions.store_email(account=smtp_account, raw=eml("plain_utf8.eml"))
    actions.store_email(account=smtp_account, raw=eml(name))
    # The person's own message is what gets answered, never the auto-reply on the same contact.
    assert actions.reply_target(first.contact) == first


def test_a_conversation_of_only_automatic_mail_cannot_be_answered(smtp_account, counsellor):
    first, _ = actions.store_email(account=smtp_account, raw=eml("plain_utf8.eml"))
    first.automatic = "auto_reply"
    first.save()
    with pytest.raises(ValidationError):
        actions.write_reply(actor=counsellor, contact=first.contact, body="x")


def test_only_casework_roles_reply(smtp_account, analyst, auditor):
    first, _ = actions.store_email(account=smtp_account, raw=mail())
    for user in (analyst, auditor):
        with pytest.raises(PermissionDenied):
            actions.write_reply(actor=user, contact=first.contact, body="x")


def test_empty_reply_is_refused(smtp_account, counsellor):
    first, _ = actions.store_email(account=smtp_account, raw=mail())
    with pytest.raises(ValidationError):
        actions.write_reply(actor=counsellor, contact=first.contact, body="   ")
