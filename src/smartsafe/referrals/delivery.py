"""Delivering a sent referral's packet to the institution (docs/domain.md §3).

``enqueue_delivery(referral)`` is called inside the sending transaction:

- **email** → ``delivery_status`` = pending; after commit the task ``deliver_referral`` sends one
  e-mail to the institution's referral address with the PDF and the JSON twin attached;
- **portal** → delivered at once (the portal shows the packet to the institution's liaisons);
- **phone / paper** → stays ``not_sent`` until a counsellor records the delivery
  (``actions.record_manual_delivery``).

An e-mail is *delivered* only when the mail server accepted it. Anything else — a refused
recipient, a server that is down, no address in the directory — leaves the referral "sent —
delivery failed" with the server's own words in ``delivery_error`` and one more attempt counted,
never silently "sent". ``retry_delivery`` queues a failed one again. Every attempt is audited
(``referral.delivery``, outcome ok/failed) without the packet's content, and lands on the case
timeline.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from smartsafe.evidence import queries as evidence_queries
from smartsafe.evidence.actions import export_files

from . import queries
from .actions import deliveries as delivery_actions
from .models import OPEN_STATES, DeliveryMethod, DeliveryStatus, Referral
from .packet_pdf import format_when
from .packet_pdf import render as render_pdf
from .packets import build_packet, in_language, localise, normalise_language, packet_bytes, packet_sha256

log = logging.getLogger("smartsafe.referrals")

# Urgent referrals jump the task queue as they jump every other queue.
URGENT_PRIORITY = 50
# A mail server that does not answer must not hold a worker for ever.
DEFAULT_SMTP_TIMEOUT = 30


# --- entry points ---------------------------------------------------------------------------------


def enqueue_delivery(referral: Referral) -> None:
    """Start delivering ``referral`` by its ``delivery_method``. Call inside the sending transaction."""
    method = referral.delivery_method
    if method == DeliveryMethod.EMAIL:
        delivery_actions.mark_pending(referral)
        _enqueue_after_commit(referral)
    elif method == DeliveryMethod.PORTAL:
        delivery_actions.deliver_on_portal(referral)
    else:
        # Phone and paper wait for the counsellor to record them; never "being delivered".
        delivery_actions.mark_not_sent(referral)


def retry_delivery(referral: Referral, *, actor=None) -> Referral:
    """Queue a failed e-mail delivery again (after the address or the mail server was fixed).

    Raises ``ValidationError`` when there is nothing to retry and ``PermissionDenied`` for an
    ``actor`` who may not work on referrals. The new attempt reads the directory's current
    address and sends the packet frozen at sending time.
    """
    with transaction.atomic():
        referral = delivery_actions.retry(referral, actor=actor)
        _enqueue_after_commit(referral)
    return referral


@task()
def deliver_referral(referral_id: int) -> str:
    """Send the referral e-mail; returns ``delivered``, ``failed`` or ``skipped`` (nothing to do)."""
    return deliver(referral_id)


# --- the e-mail -----------------------------------------------------------------------------------


def deliver(referral_id: int) -> str:
    """One delivery attempt. Never raises: every failure is recorded on the referral."""
    referral = queries.referral_to_deliver(referral_id)
    if referral is None or referral.delivery_method != DeliveryMethod.EMAIL:
        return "skipped"
    if referral.delivery_status != DeliveryStatus.PENDING:
        return "skipped"  # delivered, recorded by hand or queued twice: one e-mail is enough
    if referral.state not in OPEN_STATES:
        delivery_actions.finish_attempt(referral_id, error="", recipient="", skipped=True)
        return "skipped"
    recipient = (referral.institution.email or "").strip()
    if not recipient:
        with translation.override(settings.LANGUAGE_CODE):
            error = _(
                "The directory has no e-mail address for referrals to %(institution)s. Add one and retry, "
                "or deliver by phone or paper."
            ) % {"institution": referral.institution.name}
    else:
        try:
            message = build_message(referral, recipient)
            message.connection = get_connection(
                fail_silently=False, timeout=getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_SMTP_TIMEOUT
            )
            if not message.send(fail_silently=False):
                raise smtplib.SMTPException("The mail server accepted no message.")
            error = ""
        except Exception as exc:  # noqa: BLE001 — any failure must be recorded, never lost
            error = describe_error(exc)
            log.warning("referral %s: e-mail to %s failed: %s", referral_id, recipient, error)
    return delivery_actions.finish_attempt(referral_id, error=error, recipient=recipient)


def build_message(referral: Referral, recipient: str) -> EmailMessage:
    """The e-mail: a short body in the packet language, the PDF and the JSON twin attached."""
    packet = referral.packet or build_packet(referral)
    language = normalise_language(packet.get("language") or referral.packet_language)
    digest = referral.packet_sha256 or packet_sha256(packet)
    reference = referral.case.reference
    with in_language(language):
        context = {
            "institution": packet.get("institution", {}).get("name", ""),
            "centre": packet.get("centre", {}).get("name", ""),
            "helpline": packet.get("centre", {}).get("helpline", ""),
            "reference": reference,
            "referral_id": referral.pk,
            "kind": packet.get("referral", {}).get("kind", {}).get("name", ""),
            "urgent": bool(packet.get("referral", {}).get("urgent")),
            "acknowledge_by": format_when(
                packet.get("referral", {}).get("acknowledge_due_at"), packet.get("time_zone", "")
            ),
            "respond_by": format_when(
                packet.get("referral", {}).get("respond_due_at"), packet.get("time_zone", "")
            ),
            "sha256": digest,
        }
        body = localise(render_to_string("referrals/email/referral.txt", context), language)
    subject = _subject(reference, referral.pk, context["urgent"], language)
    basename = f"{reference}-referral-{referral.pk}"
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        headers={"X-Smartsafe-Referral": str(referral.pk), "X-Smartsafe-Packet-SHA256": digest},
    )
    message.attach(f"{basename}.pdf", render_pdf(packet, language), "application/pdf")
    message.attach(f"{basename}.json", packet_bytes(packet), "application/json")
    for filename, content, mimetype in _shared_evidence_attachments(referral):
        message.attach(filename, content, mimetype)
    return message


def _subject(reference: str, referral_id: int, urgent: bool, language: str) -> str:
    # Bilingual and fixed, like the confidentiality mark: it must be recognisable in any mailbox.
    word, alarm = ("Prijava", "HITNO") if language == "sr-latn" else ("Пријава", "ХИТНО")
    marker = f"{alarm} / URGENT — " if urgent else ""
    return f"[{reference}] {marker}{word} / Referral #{referral_id}"


def _shared_evidence_attachments(referral: Referral) -> list[tuple[str, bytes, str]]:
    """The evidence files the counsellor deliberately attached (``referral.shared_evidence``), as
    one zip with a manifest of their hashes — made by the evidence vault's export, which checks
    each file against its SHA-256 and writes the hand-over into every file's custody log.

    The export is in the name of whoever approved the referral, else whoever drafted it: the
    people who chose to send the files. A file that cannot be exported (deleted, quarantined,
    failing its integrity check) makes the delivery fail rather than go out without it.
    """
    ids = [int(i) for i in (referral.shared_evidence or []) if str(i).isdigit()]
    if not ids:
        return []
    files = evidence_queries.files_of_case(referral.case, ids)
    if len(files) != len(set(ids)):
        raise ValueError("An attached evidence file does not belong to this case.")
    unavailable = [f"E-{f.pk}" for f in files if f.is_deleted or f.scan_status == "infected"]
    if unavailable:
        raise ValueError(
            f"Attached evidence cannot be sent (deleted or quarantined): {', '.join(unavailable)}."
        )
    actor = referral.approved_by or referral.created_by
    archive = export_files(
        actor=actor,
        files=files,
        reason=f"Referral #{referral.pk} of {referral.case.reference} to {referral.institution.code}",
        recipient=referral.institution.email,
    )
    return [(f"{referral.case.reference}-referral-{referral.pk}-evidence.zip", archive, "application/zip")]


def describe_error(exc: BaseException) -> str:
    """The mail server's own words for a failure, e.g. ``550 No such user``."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        parts = [f"{_code_text(code, text)} ({address})" for address, (code, text) in exc.recipients.items()]
        return "; ".join(parts) or str(exc)
    if isinstance(exc, smtplib.SMTPResponseException):
        return _code_text(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return str(exc) or "The mail server closed the connection."
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, OSError):
        where = f"{settings.EMAIL_HOST or 'localhost'}:{settings.EMAIL_PORT}"
        reason = exc.strerror or str(exc) or type(exc).__name__
        return f"{where}: {reason}"
    return f"{type(exc).__name__}: {exc}"


def _code_text(code, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return f"{code} {text}".strip()


# --- recording the outcome ---------------------------------------------------------------------------


def _enqueue_after_commit(referral: Referral) -> None:
    referral_id, urgent = referral.pk, referral.urgent

    def enqueue() -> None:
        try:
            task_ = deliver_referral.using(priority=URGENT_PRIORITY) if urgent else deliver_referral
            task_.enqueue(referral_id)
        except Exception as exc:  # noqa: BLE001 — a queue that refuses the job is a failed delivery
            log.exception("referral %s: could not queue its delivery", referral_id)
            delivery_actions.finish_attempt(referral_id, error=f"{type(exc).__name__}: {exc}", recipient="")

    transaction.on_commit(enqueue)
