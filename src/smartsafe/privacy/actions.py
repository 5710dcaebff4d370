"""Writes of the privacy app: retention periods and legal holds, each audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record

from . import policies
from .models import LegalHold, RetentionPolicy
from .permissions import can_manage_holds, is_dpo
from .retention import ensure_policies

#: Longer than any record could matter to the centre: a typo of an extra digit is refused.
MAX_KEEP_DAYS = 36500


@transaction.atomic
def set_retention(*, actor, kind: str, keep_days: int, note: str = "") -> RetentionPolicy:
    if not is_dpo(actor):
        raise PermissionDenied(_("Only the data-protection officer may change retention periods."))
    if kind not in policies.BY_CODE:
        raise ValidationError({"kind": _("Unknown kind of record.")})
    if policies.BY_CODE[kind].does == policies.PRUNE_AT_CHECKPOINT and keep_days < 365:
        raise ValidationError({"keep_days": _("Audit events are kept at least a year.")})
    if not 0 <= int(keep_days) <= MAX_KEEP_DAYS:
        raise ValidationError({"keep_days": _("Give a number of days between 0 and 36500.")})
    ensure_policies()
    policy = RetentionPolicy.objects.select_for_update().get(kind=kind)
    before = policy.keep_days
    policy.keep_days, policy.note = int(keep_days), (note or "").strip()[:300]
    policy.updated_at, policy.updated_by = timezone.now(), actor
    policy.save()
    if before != policy.keep_days:
        record(
            codes.RETENTION_POLICY_CHANGE,
            actor=actor,
            obj=policy,
            kind=kind,
            before=before,
            after=policy.keep_days,
        )
    return policy


def place_hold(*, actor, case, reason: str) -> LegalHold:
    if not can_manage_holds(actor):
        raise PermissionDenied(_("Only the data-protection officer or a supervisor may place a legal hold."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is held (e.g. the investigation's number).")})
    try:
        with transaction.atomic():
            hold = LegalHold.objects.create(case=case, reason=reason[:300], placed_by=actor)
            record(codes.LEGAL_HOLD_PLACE, actor=actor, obj=case)
    except IntegrityError:
        raise ValidationError(_("This case is already under a legal hold.")) from None
    return hold


@transaction.atomic
def lift_hold(*, actor, hold: LegalHold) -> LegalHold:
    if not can_manage_holds(actor):
        raise PermissionDenied(_("Only the data-protection officer or a supervisor may lift a legal hold."))
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.lifted_at is not None:
        return hold
    hold.lifted_at, hold.lifted_by = timezone.now(), actor
    hold.save(update_fields=["lifted_at", "lifted_by"])
    record(codes.LEGAL_HOLD_LIFT, actor=actor, obj=hold.case)
    return hold
