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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from smartsafe.audit import codes
from smartsafe.audit.log import record

from .models import OPEN_STATES, DeliveryMethod, DeliveryStatus, Referral
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
        if referral.delivery_status != DeliveryStatus.PENDING:
            referral.delivery_status = DeliveryStatus.PENDING
            referral.save(update_fields=["delivery_status", "updated_at"])
        _enqueue_after_commit(referral)
    elif method == DeliveryMethod.PORTAL:
        _deliver_on_portal(referral)
    elif referral.delivery_status == DeliveryStatus.PENDING:
        # Phone and paper wait for the counsellor to record them; never "being delivered".
        referral.delivery_status = DeliveryStatus.NOT_SENT
        referral.save(update_fields=["delivery_status", "updated_at"])


@transaction.atomic
def retry_delivery(referral: Referral, *, actor=None) -> Referral:
    """Queue a failed e-mail delivery again (after the address or the mail server was fixed).

    Raises ``ValidationError`` when there is nothing to retry and ``PermissionDenied`` for an
    ``actor`` who may not work on referrals. The new attempt reads the directory's current
    address and sends the packet frozen at sending time.
    """
    from .permissions import can_work_referrals

    if actor is not None and not can_work_referrals(actor):
        raise PermissionDenied(_("You may not deliver referrals."))
    referral = Referral.objects.select_for_update().select_related("case", "institution").get(pk=referral.pk)
    if referral.delivery_method != DeliveryMethod.EMAIL or referral.delivery_status != DeliveryStatus.FAILED:
        raise ValidationError({"delivery_status": _("Only a failed e-mail delivery can be retried.")})
    if referral.state not in OPEN_STATES:
        raise ValidationError(
            {"delivery_status": _("This referral is no longer open: it cannot be delivered.")}
        )
    referral.delivery_status = DeliveryStatus.PENDING
    referral.save(update_fields=["delivery_status", "updated_at"])
    record(codes.REFERRAL_DELIVERY_RETRY, actor=actor, obj=referral, attempts=referral.delivery_attempts)
    _enqueue_after_commit(referral)
    return referral


@task()
def deliver_referral(referral_id: int) -> str:
    """Send the referral e-mail; returns ``delivered``, ``failed`` or ``skipped`` (nothing to do)."""
    return deliver(referral_id)


# --- the e-mail -----------------------------------------------------------------------------------


def deliver(referral_id: int) -> str:
    """One delivery attempt. Never raises: every failure is recorded on the referral."""
    referral = Referral.objects.select_related("case", "institution").filter(pk=referral_id).first()
    if referral is None or referral.delivery_method != DeliveryMethod.EMAIL:
        return "skipped"
    if referral.delivery_status != DeliveryStatus.PENDING:
        return "skipped"  # delivered, recorded by hand or queued twice: one e-mail is enough
    if referral.state not in OPEN_STATES:
        _finish(referral_id, error="", recipient="", skipped=True)
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
    return _finish(referral_id, error=error, recipient=recipient)


def build_message(referral: Referral, recipient: str) -> EmailMessage:
    """The e-mail: a short body in the packet language, the PDF and the JSON twin attached."""
    from .packet_pdf import format_when, render

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
    message.attach(f"{basename}.pdf", render(packet, language), "application/pdf")
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
    from smartsafe.evidence.actions import export_files
    from smartsafe.evidence.models import EvidenceFile

    files = list(EvidenceFile.objects.for_case(referral.case).filter(pk__in=ids).order_by("pk"))
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


def _finish(referral_id: int, *, error: str, recipient: str, skipped: bool = False) -> str:
    """Record one attempt on the locked row: delivered, or failed with the server's message."""
    from .actions import add_timeline

    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update().select_related("case", "institution").get(pk=referral_id)
        )
        if skipped:
            # Revoked before the worker got to it: nothing goes out, nothing is pending.
            if referral.delivery_status == DeliveryStatus.PENDING:
                referral.delivery_status = DeliveryStatus.NOT_SENT
                referral.save(update_fields=["delivery_status", "updated_at"])
            return "skipped"
        referral.delivery_attempts += 1
        fields = ["delivery_attempts", "updated_at"]
        # A delivery recorded by hand meanwhile stays as it is; the attempt is still counted.
        if referral.delivery_status == DeliveryStatus.PENDING:
            if error:
                referral.delivery_status, referral.delivery_error = DeliveryStatus.FAILED, error[:2000]
            else:
                referral.delivery_status, referral.delivery_error = DeliveryStatus.DELIVERED, ""
                referral.delivered_at = timezone.now()
            fields += ["delivery_status", "delivery_error", "delivered_at"]
        referral.save(update_fields=fields)
        outcome = "failed" if error else "ok"
        details = {
            "method": DeliveryMethod.EMAIL.value,
            "attempt": referral.delivery_attempts,
            "recipient": recipient,
        }
        if error:
            details["error"] = error[:500]
        record(codes.REFERRAL_DELIVERY, obj=referral, outcome=outcome, **details)
        add_timeline(
            referral.case,
            "referral_delivery_failed" if error else "referral_delivered",
            None,
            institution=referral.institution.code,
            referral=referral.pk,
            method=DeliveryMethod.EMAIL.value,
            attempt=referral.delivery_attempts,
            **({"error": error[:300]} if error else {}),
        )
    return "failed" if error else "delivered"


def _deliver_on_portal(referral: Referral) -> None:
    """The portal shows a sent referral to the institution's liaisons: delivered on commit."""
    from .actions import add_timeline

    referral.delivery_status = DeliveryStatus.DELIVERED
    referral.delivered_at = timezone.now()
    referral.delivery_error = ""
    referral.delivery_attempts += 1
    referral.save(
        update_fields=["delivery_status", "delivered_at", "delivery_error", "delivery_attempts", "updated_at"]
    )
    record(
        codes.REFERRAL_DELIVERY,
        obj=referral,
        outcome="ok",
        method=DeliveryMethod.PORTAL.value,
        attempt=referral.delivery_attempts,
    )
    add_timeline(
        referral.case,
        "referral_delivered",
        None,
        institution=referral.institution.code,
        referral=referral.pk,
        method=DeliveryMethod.PORTAL.value,
    )


def _enqueue_after_commit(referral: Referral) -> None:
    referral_id, urgent = referral.pk, referral.urgent

    def enqueue() -> None:
        try:
            task_ = deliver_referral.using(priority=URGENT_PRIORITY) if urgent else deliver_referral
            task_.enqueue(referral_id)
        except Exception as exc:  # noqa: BLE001 — a queue that refuses the job is a failed delivery
            log.exception("referral %s: could not queue its delivery", referral_id)
            _finish(referral_id, error=f"{type(exc).__name__}: {exc}", recipient="")

    transaction.on_commit(enqueue)
