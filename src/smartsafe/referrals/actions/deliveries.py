"""The writes of a referral's deliveries (the sending itself is in ``referrals/delivery.py``).

Each changes ``delivery_status`` as docs/state-machines.md ("Referral delivery") draws it, with
its audit event and its line on the case timeline in the caller's transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases.actions import add_timeline_entry

from ..models import OPEN_STATES, DeliveryMethod, DeliveryStatus, Referral
from ..permissions import can_work_referrals


def mark_pending(referral: Referral) -> None:
    """An e-mail delivery starts: "being delivered" until the worker's attempt is recorded."""
    if referral.delivery_status != DeliveryStatus.PENDING:
        referral.delivery_status = DeliveryStatus.PENDING
        referral.save(update_fields=["delivery_status", "updated_at"])


def mark_not_sent(referral: Referral) -> None:
    """Phone and paper wait for the counsellor to record them: never "being delivered"."""
    if referral.delivery_status == DeliveryStatus.PENDING:
        referral.delivery_status = DeliveryStatus.NOT_SENT
        referral.save(update_fields=["delivery_status", "updated_at"])


def retry(referral: Referral, *, actor=None) -> Referral:
    """Put a failed e-mail delivery back to pending (the caller queues the attempt on commit)."""
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
    return referral


def finish_attempt(referral_id: int, *, error: str, recipient: str, skipped: bool = False) -> str:
    """Record one attempt on the locked row: delivered, or failed with the server's message."""
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
        add_timeline_entry(
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


def deliver_on_portal(referral: Referral) -> None:
    """The portal shows a sent referral to the institution's liaisons: delivered on commit."""
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
    add_timeline_entry(
        referral.case,
        "referral_delivered",
        None,
        institution=referral.institution.code,
        referral=referral.pk,
        method=DeliveryMethod.PORTAL.value,
    )
