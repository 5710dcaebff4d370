"""Writes of the privacy app: retention periods, legal holds and subject requests, each audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record

from . import erasure, policies, subject_access
from .models import LegalHold, RequestKind, RequestState, RetentionPolicy, SubjectRequest
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


# --- subject requests: access and erasure ---------------------------------------------------------


def open_request(*, actor, kind: str, identity, note: str = "") -> SubjectRequest:
    """Record a person's request and the contacts their identity matches now (the identity itself
    is not kept). ``actor`` None: opened on the command line by the server's operator."""
    if actor is not None and not is_dpo(actor):
        raise PermissionDenied(_("Only the data-protection officer answers subject requests."))
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("Choose access or erasure.")})
    contact_ids = subject_access.matching_contacts(identity)
    request = SubjectRequest.objects.create(
        kind=kind,
        identity_kind=identity.kind,
        identity_hint=identity.hint,
        contact_ids=contact_ids,
        note=(note or "").strip()[:300],
        opened_by=actor,
    )
    record(
        codes.SUBJECT_REQUEST_OPEN,
        actor=actor,
        obj=request,
        request=kind,
        found_by=identity.kind,
        contacts=len(contact_ids),
    )
    return request


def export_dossier(*, actor, request: SubjectRequest, fmt: str) -> dict:
    """The dossier of an access request (audited as a read of every contact in it); the first
    export answers the request."""
    if actor is not None and not is_dpo(actor):
        raise PermissionDenied(_("Only the data-protection officer answers subject requests."))
    data = subject_access.dossier(
        request.contact_ids, identity_kind=request.identity_kind, identity_hint=request.identity_hint
    )
    with transaction.atomic():
        fresh = SubjectRequest.objects.select_for_update().get(pk=request.pk)
        if fresh.kind == RequestKind.ACCESS and fresh.state == RequestState.OPEN:
            fresh.state, fresh.decided_at, fresh.decided_by = RequestState.ANSWERED, timezone.now(), actor
            fresh.save(update_fields=["state", "decided_at", "decided_by"])
        record(
            codes.SUBJECT_ACCESS_EXPORT,
            actor=actor,
            obj=fresh,
            format=fmt,
            contacts=request.contact_ids,
            cases=[case["reference"] for case in data["cases"]],
        )
    return data


def decide_erasure(*, actor, request: SubjectRequest, erase: bool, note: str = "") -> SubjectRequest:
    """Erase what may be erased (``privacy.erasure``) or refuse with a reason; either way the
    decision and what it did are kept on the request and audited."""
    if not is_dpo(actor):
        raise PermissionDenied(_("Only the data-protection officer decides erasure requests."))
    note = (note or "").strip()[:500]
    if not erase and not note:
        raise ValidationError({"note": _("Say why the request is refused; the person is told.")})
    with transaction.atomic():
        request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
        if request.kind != RequestKind.ERASURE:
            raise ValidationError(_("This is not an erasure request."))
        if request.state != RequestState.OPEN:
            raise ValidationError(_("This request has already been decided."))
        planned = erasure.plan(request.contact_ids)
        if erase:
            done = erasure.carry_out(planned, request_pk=request.pk)
            if not planned["kept"]:
                request.state = RequestState.ERASED
            elif planned["erase"]:
                request.state = RequestState.PARTLY_ERASED
            else:  # everything is kept by a hold or a referral: in effect a refusal, with the reasons
                request.state = RequestState.REFUSED
            request.outcome = {"erased": done, "kept": planned["kept"]}
        else:
            request.state = RequestState.REFUSED
            request.outcome = {"erased": {}, "kept": planned["kept"]}
        request.decided_at, request.decided_by, request.decision_note = timezone.now(), actor, note
        request.save()
        record(
            codes.ERASURE_DECIDE,
            actor=actor,
            obj=request,
            decision=request.state,
            erased=request.outcome["erased"],
            kept=[{"contact": k["contact"], "reason": k["reason"]} for k in planned["kept"]],
        )
    return request
