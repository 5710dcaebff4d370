"""Every write to referrals. Each action checks permission, locks the row (checking the version the
caller read, when given), records a ``ReferralEvent``, a line on the case timeline and an audit
event — all in one transaction, so a refusal, a stale version or an illegal transition changes
nothing. Notifications go out after commit (``notify.py``).

Order of checks (the API's status codes follow it): permission (403) → version (409) → state
(409, with the allowed actions) → the fields the action needs (400).
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases import actions as case_actions
from smartsafe.cases.models import CaseKind, CaseState
from smartsafe.cases.queries import cases_visible_to
from smartsafe.cases.states import allowed_actions as case_allowed_actions
from smartsafe.core.concurrency import lock_for_update

from .. import deadlines, delivery, notify, packets, queries
from ..models import (
    OPEN_STATES,
    DeliveryMethod,
    DeliveryStatus,
    PacketLanguage,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralMessage,
    ReferralState,
)
from ..permissions import (
    UNSENT_STATES,
    can_post_message,
    can_work_referrals,
    is_liaison_of,
    is_supervisor,
    transition_denial,
)
from ..states import (
    INSTITUTION_ACTIONS,
    STAGE_TIMESTAMP,
    TRANSITIONS,
    IllegalReferralTransition,
    target_state,
)

TEXT_MAX = 20_000
REFERENCE_MAX = 100
# Fields of a draft a counsellor may change (``update_draft``); the rest is set by the workflow.
EDITABLE_FIELDS = ("kind", "reason", "delivery_method", "packet_language", "urgent")

TRANSITION_CODES = {
    "submit": codes.REFERRAL_SUBMIT,
    "return": codes.REFERRAL_RETURN,
    "approve": codes.REFERRAL_APPROVE,
    "send": codes.REFERRAL_SEND,
    "acknowledge": codes.REFERRAL_ACKNOWLEDGE,
    "accept": codes.REFERRAL_ACCEPT,
    "reject": codes.REFERRAL_REJECT,
    "complete": codes.REFERRAL_COMPLETE,
    "revoke": codes.REFERRAL_REVOKE,
}

# The directory's packet language codes → the referral's.
_PACKET_LANGUAGE = {
    "sr-Cyrl": PacketLanguage.SR_CYRL,
    "sr-Latn": PacketLanguage.SR_LATN,
    "en": PacketLanguage.EN,
}


# --- small public helpers --------------------------------------------------------------------------


def canonical_json(packet: dict) -> bytes:
    """The packet as canonical JSON (sorted keys, no spaces, UTF-8): what the SHA-256 is taken of
    and what is attached to the e-mail (``packets.packet_bytes``: one definition for both)."""
    return packets.packet_bytes(packet)


def packet_digest(packet: dict) -> str:
    return packets.packet_sha256(packet)


def default_packet_language(institution) -> str:
    return _PACKET_LANGUAGE.get(institution.packet_language, PacketLanguage.SR_CYRL)


def default_delivery_method(institution) -> str:
    if institution.uses_portal:
        return DeliveryMethod.PORTAL
    if institution.email:
        return DeliveryMethod.EMAIL
    return DeliveryMethod.PAPER


def _text(value, field: str, *, limit: int = TEXT_MAX) -> str:
    """Free text from any caller: stripped, without NUL (PostgreSQL refuses it), within ``limit``."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field: _("Give text.")})
    value = value.replace("\x00", "").strip()
    if len(value) > limit:
        raise ValidationError({field: _("At most %(limit)s characters.") % {"limit": limit}})
    return value


def _check_delivery(institution, method: str) -> None:
    if method not in DeliveryMethod.values:
        raise ValidationError({"delivery_method": _("Choose how the referral is delivered.")})
    if method == DeliveryMethod.EMAIL and not institution.email:
        raise ValidationError(
            {
                "delivery_method": _(
                    "The directory has no e-mail address for this institution: choose another way."
                )
            }
        )
    if method == DeliveryMethod.PORTAL and not institution.uses_portal:
        raise ValidationError(
            {"delivery_method": _("This institution does not use the portal: choose another way.")}
        )


def _event(referral, action: str, actor, before: str, after: str, *, note: str = "", on_behalf: bool = False):
    return ReferralEvent.objects.create(
        referral=referral,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=before,
        to_state=after,
        note=note,
        on_behalf=on_behalf,
    )


def _require_work(actor, message: str | None = None) -> None:
    if not can_work_referrals(actor):
        raise PermissionDenied(message or _("Only the centre's counsellors and supervisors may do this."))


# --- drafting ---------------------------------------------------------------------------------------


@transaction.atomic
def create_referral(
    *,
    actor,
    case,
    institution,
    kind: str = ReferralKind.REPORT,
    reason: str = "",
    delivery_method: str = "",
    packet_language: str = "",
    urgent: bool | None = None,
) -> Referral:
    """A draft referral of ``case`` to ``institution`` (one live referral per case and institution)."""
    _require_work(actor, _("Only the centre's counsellors and supervisors may refer cases."))
    if not cases_visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("You may not refer this case."))
    if case.state == CaseState.CLOSED:
        raise ValidationError({"case": _("The case is closed: reopen it before referring it.")})
    if not institution.active:
        raise ValidationError({"institution": _("This institution is no longer active in the directory.")})
    if kind not in ReferralKind.values:
        raise ValidationError({"kind": _("Choose what the referral is for.")})
    packet_language = packet_language or default_packet_language(institution)
    if packet_language not in PacketLanguage.values:
        raise ValidationError({"packet_language": _("Choose the language of the packet.")})
    delivery_method = delivery_method or default_delivery_method(institution)
    _check_delivery(institution, delivery_method)
    existing = (
        Referral.objects.filter(case=case, institution=institution)
        .exclude(state=ReferralState.REVOKED)
        .first()
    )
    if existing is not None:
        raise ValidationError(
            {
                "institution": _(
                    "This case already has a referral to %(institution)s (%(state)s). "
                    "Revoke it before referring again."
                )
                % {"institution": institution.name, "state": existing.get_state_display()}
            }
        )
    referral = Referral(
        case=case,
        institution=institution,
        kind=kind,
        reason=_text(reason, "reason"),
        urgent=case.urgent if urgent is None else bool(urgent),
        created_by=actor,
        packet_language=packet_language,
        delivery_method=delivery_method,
    )
    try:
        with transaction.atomic():
            referral.save()
    except IntegrityError:
        # Someone referred the same case to the same institution a moment ago.
        raise ValidationError(
            {
                "institution": _("This case already has a referral to %(institution)s.")
                % {"institution": institution.name}
            }
        ) from None
    _event(referral, "create", actor, "", ReferralState.DRAFT, note=referral.reason[:500])
    case_actions.add_timeline_entry(
        case, "referral_create", actor, institution=institution.code, referral=referral.pk, referral_kind=kind
    )
    record(codes.REFERRAL_CREATE, actor=actor, obj=referral, institution=institution.code, kind=kind)
    return referral


@transaction.atomic
def update_draft(*, actor, referral: Referral, expected_version: int | None, **fields) -> Referral:
    """Change a draft's details. ``expected_version`` is the version the editor read."""
    _require_work(actor)
    referral = lock_for_update(Referral.objects.all(), referral.pk, expected_version=expected_version)
    if referral.state != ReferralState.DRAFT:
        raise ValidationError(_("Only a draft can be changed; return the referral to draft first."))
    changed = []
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError({name: _("This field cannot be set here.")})
        if name == "reason":
            value = _text(value, "reason")
        elif name == "urgent":
            value = bool(value)
        elif name == "kind" and value not in ReferralKind.values:
            raise ValidationError({"kind": _("Choose what the referral is for.")})
        elif name == "packet_language" and value not in PacketLanguage.values:
            raise ValidationError({"packet_language": _("Choose the language of the packet.")})
        if getattr(referral, name) != value:
            setattr(referral, name, value)
            changed.append(name)
    if "delivery_method" in changed:
        _check_delivery(referral.institution, referral.delivery_method)
    if not changed:
        return referral
    referral.save()
    _event(referral, "update", actor, referral.state, referral.state, note=", ".join(sorted(changed)))
    case_actions.add_timeline_entry(
        referral.case,
        "referral_update",
        actor,
        institution=referral.institution.code,
        referral=referral.pk,
        fields=sorted(changed),
    )
    record(codes.REFERRAL_UPDATE, actor=actor, obj=referral, fields=sorted(changed))
    return referral


# --- the state machine ------------------------------------------------------------------------------


@transaction.atomic
def transition_referral(
    *,
    actor,
    referral: Referral,
    action: str,
    note: str = "",
    reason: str = "",
    feedback: str = "",
    institution_reference: str = "",
    expected_version: int | None = None,
    on_behalf: bool = False,
) -> Referral:
    """Move ``referral`` through its state machine (``states.py``, docs/referrals.md).

    Institution actions are the liaison's; staff record them with ``on_behalf=True``. ``reject``
    and ``revoke`` need a ``reason``, ``complete`` needs ``feedback``.
    """
    if action not in TRANSITIONS:
        raise IllegalReferralTransition(action, referral.state)
    on_behalf = bool(on_behalf) and action in INSTITUTION_ACTIONS and not is_liaison_of(actor, referral)
    denial = transition_denial(actor, referral, action, on_behalf=on_behalf)
    if denial:
        raise PermissionDenied(denial)
    referral = lock_for_update(Referral.objects.all(), referral.pk, expected_version=expected_version)
    denial = transition_denial(actor, referral, action, on_behalf=on_behalf)  # the locked row decides
    if denial:
        raise PermissionDenied(denial)
    before = referral.state
    target = target_state(action, before)

    note = _text(note, "note")
    reason = _text(reason, "reason")
    feedback = _text(feedback, "feedback")
    institution_reference = _text(institution_reference, "institution_reference", limit=REFERENCE_MAX)
    if action in ("reject", "revoke") and not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if action == "complete" and not feedback:
        raise ValidationError({"feedback": _("Write the institution's feedback: what was done.")})
    if action in ("submit", "send", "approve"):
        if referral.case.state == CaseState.CLOSED:
            raise ValidationError({"case": _("The case is closed: reopen it before sending the referral.")})
        _check_delivery(referral.institution, referral.delivery_method)

    now = timezone.now()
    referral.state = target
    if target in STAGE_TIMESTAMP:  # a return to draft has no stage time of its own (its event has)
        setattr(referral, STAGE_TIMESTAMP[target], now)
    if institution_reference and action in INSTITUTION_ACTIONS:
        referral.institution_reference = institution_reference
    if action in ("acknowledge", "accept"):
        # A new stage has its own deadline: its reminder and escalation start afresh.
        referral.reminded_at = referral.escalated_at = None
        referral.acknowledged_at = referral.acknowledged_at or now
    if action == "reject":
        referral.rejection_reason = reason
    elif action == "complete":
        referral.feedback = feedback
    elif action == "revoke":
        referral.revoke_reason = reason
    elif action == "approve" or (action == "send" and is_supervisor(actor)):
        referral.approved_by = actor

    if action in ("send", "approve"):
        _dispatch(referral, actor, now)
    else:
        referral.save()

    text = note or reason or feedback
    _event(referral, action, actor, before, target, note=text, on_behalf=on_behalf)
    timeline = {
        "institution": referral.institution.code,
        "referral": referral.pk,
        "before": before,
        "after": target,
    }
    if on_behalf:
        timeline["on_behalf"] = True
    if text:
        timeline["note"] = text[:500]
    if referral.institution_reference and action in INSTITUTION_ACTIONS:
        timeline["institution_reference"] = referral.institution_reference
    case_actions.add_timeline_entry(referral.case, f"referral_{action}", actor, **timeline)
    details = {"institution": referral.institution.code, "before": before, "after": target}
    if on_behalf:
        details["on_behalf"] = True
    if action in ("send", "approve"):
        details["packet_sha256"] = referral.packet_sha256
    record(TRANSITION_CODES[action], actor=actor, obj=referral, **details)

    if action == "reject" or (action == "revoke" and before not in UNSENT_STATES):
        _unshare_unless_live(referral, actor)
    if action in INSTITUTION_ACTIONS:
        notify.notify_owner(referral, action, actor=actor, on_behalf=on_behalf)
    if action in ("send", "approve"):
        delivery.enqueue_delivery(referral)
    return referral


def _dispatch(referral: Referral, actor, now) -> None:
    """Sending: deadlines, the frozen packet and its hash, the case shared and marked referred."""
    referral.acknowledge_due_at, referral.respond_due_at = deadlines.due_dates(
        referral.institution.kind, referral.urgent, now
    )
    referral.reminded_at = referral.escalated_at = None
    # Frozen as it reads back from the database (a JSON round trip), so the hash can be re-checked.
    packet = json.loads(canonical_json(packets.build_packet(referral)))
    referral.packet = packet
    referral.packet_sha256 = packet_digest(packet)
    referral.save()

    case = referral.case
    case_actions.share_with_institution(
        actor=actor, case=case, institution=referral.institution, referral=referral
    )
    if case.kind != CaseKind.REFERRED:
        case = case_actions.update_case(actor=actor, case=case, expected_version=None, kind=CaseKind.REFERRED)
    if "await_institution" in case_allowed_actions(case.state):
        case = case_actions.transition_case(actor=actor, case=case, action="await_institution")
    referral.case = case


def _unshare_unless_live(referral: Referral, actor) -> None:
    """Stop sharing the case with the institution unless another referral to it still stands.

    Called when a sent referral is revoked or rejected (decision 0006): a rejection is the
    institution saying it will not act, so it keeps no access to the case through it. "Still
    stands" means sent and neither rejected nor revoked; a completed referral stands (the
    institution worked the case and may need to look back at it).
    """
    others = (
        Referral.objects.filter(case=referral.case, institution=referral.institution)
        .exclude(pk=referral.pk)
        .exclude(state__in=[*UNSENT_STATES, ReferralState.REVOKED, ReferralState.REJECTED])
    )
    if not others.exists():
        case_actions.revoke_share(actor=actor, case=referral.case, institution=referral.institution)


# --- messages and manual delivery ---------------------------------------------------------------------


@transaction.atomic
def post_message(*, actor, referral: Referral, body: str, on_behalf: bool = False) -> ReferralMessage:
    """A question or answer about a referral: from the centre, or from the institution (its liaison,
    or staff recording what the institution said with ``on_behalf=True``)."""
    liaison = is_liaison_of(actor, referral)
    on_behalf = bool(on_behalf) and not liaison
    if not can_post_message(actor, referral, on_behalf=on_behalf):
        raise PermissionDenied(_("You may not write about this referral."))
    body = _text(body, "body")
    if not body:
        raise ValidationError({"body": _("The message is empty.")})
    if referral.state in UNSENT_STATES:
        raise ValidationError({"body": _("The institution has not received this referral yet.")})
    if referral.state == ReferralState.REVOKED:
        raise ValidationError({"body": _("This referral was revoked.")})
    from_institution = liaison or on_behalf
    message = ReferralMessage.objects.create(
        referral=referral, author=actor, from_institution=from_institution, body=body
    )
    case_actions.add_timeline_entry(
        referral.case,
        "referral_message",
        actor,
        institution=referral.institution.code,
        referral=referral.pk,
        message=message.pk,
        from_institution=from_institution,
        **({"on_behalf": True} if on_behalf else {}),
    )
    record(
        codes.REFERRAL_MESSAGE,
        actor=actor,
        obj=referral,
        message=message.pk,
        from_institution=from_institution,
    )
    if from_institution:
        notify.notify_owner(referral, "message", actor=actor, on_behalf=on_behalf)
    return message


MANUAL_METHODS = (DeliveryMethod.PHONE, DeliveryMethod.PAPER)


@transaction.atomic
def record_manual_delivery(
    *, actor, referral: Referral, method: str, note: str = "", expected_version: int | None = None
) -> Referral:
    """The counsellor delivered the referral by phone or on paper (or by hand)."""
    _require_work(actor)
    if method not in MANUAL_METHODS:
        raise ValidationError({"method": _("Choose phone or paper.")})
    note = _text(note, "note")
    referral = lock_for_update(Referral.objects.all(), referral.pk, expected_version=expected_version)
    if referral.state not in OPEN_STATES:
        raise ValidationError({"method": _("Only a sent referral can be delivered.")})
    now = timezone.now()
    referral.delivery_method = method
    referral.delivery_status = DeliveryStatus.DELIVERED
    referral.delivered_at = now
    referral.delivery_error = ""
    referral.save()
    _event(referral, "manual_delivery", actor, referral.state, referral.state, note=note)
    case_actions.add_timeline_entry(
        referral.case,
        "referral_manual_delivery",
        actor,
        institution=referral.institution.code,
        referral=referral.pk,
        method=method,
        **({"note": note[:500]} if note else {}),
    )
    record(codes.REFERRAL_MANUAL_DELIVERY, actor=actor, obj=referral, method=method)
    return referral


# --- the scheduled job's writes ---------------------------------------------------------------------------


def mark_reminded(referral: Referral, *, deadline: str, recipients: list[str]) -> None:
    """Stamp the reminder (inside the job's transaction). An ``update()``: a system stamp must not
    bump the version a person is editing against."""
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(reminded_at=now)
    referral.reminded_at = now
    _event(referral, "remind", None, referral.state, referral.state, note=deadline)
    case_actions.add_timeline_entry(
        referral.case,
        "referral_remind",
        None,
        institution=referral.institution.code,
        referral=referral.pk,
        deadline=deadline,
        emailed=bool(recipients),
    )
    record(codes.REFERRAL_REMIND, obj=referral, deadline=deadline, recipients=len(recipients))


def mark_escalated(referral: Referral, *, recipients: list[str]) -> None:
    now = timezone.now()
    Referral.objects.filter(pk=referral.pk).update(escalated_at=now)
    referral.escalated_at = now
    _event(referral, "escalate", None, referral.state, referral.state)
    case_actions.add_timeline_entry(
        referral.case,
        "referral_escalate",
        None,
        institution=referral.institution.code,
        referral=referral.pk,
        supervisors=len(recipients),
    )
    record(codes.REFERRAL_ESCALATE, obj=referral, recipients=len(recipients))


def remind_or_escalate(pk: int, now) -> str | None:
    """The overdue job, for one referral: remind the institution, or escalate to the supervisors
    once the policy's wait after the reminder has passed. Returns what was done ("reminded",
    "escalated") or None. The row is locked and the stamps re-checked, so two workers never send
    the same e-mail twice; the mail goes out inside the transaction (a refusal rolls the stamp
    back and the next run tries again)."""
    with transaction.atomic():
        try:
            referral = lock_for_update(Referral.objects.filter(queries.overdue_q(now)), pk)
        except Referral.DoesNotExist:
            return None  # answered in the meantime
        deadline, due = deadlines.current_deadline(referral)
        if referral.reminded_at is None:
            recipients = queries.reminder_recipients(referral)
            if recipients:
                notify.send_now(*notify.reminder(referral, deadline, due), recipients)
            mark_reminded(referral, deadline=deadline, recipients=recipients)
            return "reminded"
        if referral.escalated_at is None:
            wait = deadlines.escalate_after(referral.institution.kind, referral.urgent)
            if now < referral.reminded_at + wait:
                return None
            recipients = queries.escalation_recipients()
            if recipients:
                notify.send_now(*notify.escalation(referral, deadline, due), recipients)
            mark_escalated(referral, recipients=recipients)
            return "escalated"
    return None
