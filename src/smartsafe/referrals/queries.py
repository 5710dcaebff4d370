"""Every read of referrals goes through here: the role's scope first, then the audit record.

Counsellors, supervisors and auditors see every referral. A liaison sees only the referrals to
their own institution, and never one that has not left the centre (draft, awaiting approval).
Anything outside the scope is indistinguishable from a missing referral (404), so an institution
cannot even learn that another's referral exists.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartsafe.accounts.roles import Role
from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases.models import CaseState

from .models import Referral, ReferralMessage, ReferralState
from .permissions import UNSENT_STATES, can_read_all_referrals, liaison_institution_id
from .presenters import with_events


def referrals_visible_to(user):
    if can_read_all_referrals(user):
        return Referral.objects.all()
    institution_id = liaison_institution_id(user)
    if institution_id is not None:
        # Only what was actually sent: never drafts, nor a draft revoked before it went out.
        return Referral.objects.filter(institution_id=institution_id, sent_at__isnull=False).exclude(
            state__in=UNSENT_STATES
        )
    return Referral.objects.none()


def referral_list(user):
    return referrals_visible_to(user).select_related("case", "institution", "created_by", "approved_by")


def access_referral(user, pk, *, audit: bool = True) -> Referral:
    """One referral by id if ``user`` may see it; the read is audited (``referral.view``).

    ``audit=False`` when the referral is fetched for a write (the write's own event is the record);
    it locks nothing, actions lock what they change.
    """
    key = str(pk).strip()
    if not (key.isascii() and key.isdigit() and len(key) <= 18):
        raise Http404("No such referral.")
    try:
        referral = referral_list(user).get(pk=int(key))
    except Referral.DoesNotExist:
        raise Http404("No such referral.") from None
    if audit:
        record(codes.REFERRAL_VIEW, actor=user, obj=referral)
    return referral


def record_list_read(user, *, filters: dict, count: int) -> None:
    record(codes.REFERRAL_LIST, actor=user, object_type="referrals.referral", filters=filters, count=count)


def messages_of(referral):
    return ReferralMessage.objects.filter(referral=referral).select_related("author")


def events_of(referral):
    return referral.events.select_related("actor")


def overdue_q(now=None) -> Q:
    """Open referrals past the deadline of their current stage."""
    now = now or timezone.now()
    return Q(state=ReferralState.SENT, acknowledge_due_at__lt=now) | Q(
        state__in=[ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED], respond_due_at__lt=now
    )


def overdue_referrals(user=None, *, now=None):
    """Overdue referrals, most overdue first (the supervisor's dashboard); scoped when ``user`` is given."""
    queryset = (
        referral_list(user) if user is not None else Referral.objects.select_related("case", "institution")
    )
    return queryset.filter(overdue_q(now)).order_by("-urgent", "acknowledge_due_at", "respond_due_at")


def pending_approval_referrals(user=None):
    """Referrals waiting for a supervisor's approval, oldest first."""
    queryset = (
        referral_list(user) if user is not None else Referral.objects.select_related("case", "institution")
    )
    return queryset.filter(state=ReferralState.PENDING_APPROVAL).order_by("-urgent", "submitted_at")


def referrals_of_case(user, case):
    return referral_list(user).filter(case=case).order_by("created_at")


# --- the reporter's "check my report" page -----------------------------------------------------

PUBLIC_STATUS_LABELS = {
    "received": _("Received: your report is waiting for a counsellor."),
    "being_handled": _("Being handled by a counsellor."),
    "forwarded": _("Forwarded to the competent institution."),
    "closed": _("Closed."),
}

# Referrals that have reached an institution and were not withdrawn.
_FORWARDED = Q(sent_at__isnull=False) & ~Q(state=ReferralState.REVOKED)


def public_status(case) -> str:
    """What a reporter may know about their report: "received", "being_handled", "forwarded" or
    "closed". Never who handles it, nor which institution (see ``public_institutions``)."""
    if case is None or case.state == CaseState.NEW:
        status = "received"
    else:
        status = "being_handled"
    if case is not None and Referral.objects.filter(_FORWARDED, case=case).exists():
        status = "forwarded"
    if case is not None and case.state == CaseState.CLOSED:
        status = "closed"
    return status


def public_institutions(case) -> list[str]:
    """Names of the institutions a report was forwarded to — only when the centre configured
    ``SMARTSAFE_PUBLIC_STATUS_NAMES_INSTITUTION``; otherwise always an empty list."""
    if case is None or not getattr(settings, "SMARTSAFE_PUBLIC_STATUS_NAMES_INSTITUTION", False):
        return []
    referrals = (
        Referral.objects.filter(_FORWARDED, case=case).select_related("institution").order_by("sent_at")
    )
    return list(dict.fromkeys(r.institution.name for r in referrals))


# --- the overdue job (tasks.check_overdue_referrals) ---------------------------------------------


def overdue_to_chase(now) -> list[int]:
    """Ids of the overdue referrals not yet escalated, urgent ones first."""
    candidates = Referral.objects.filter(overdue_q(now), escalated_at__isnull=True).order_by("-urgent", "pk")
    return list(candidates.values_list("pk", flat=True))


def reminder_recipients(referral) -> list[str]:
    """Where an overdue referral's reminder goes: the institution's referral address and its
    active liaisons, each once."""
    addresses = [referral.institution.email] if referral.institution.email else []
    liaisons = (
        get_user_model()
        .objects.filter(
            is_active=True, role=Role.LIAISON, institution_membership__institution=referral.institution
        )
        .exclude(email="")
    )
    addresses += [user.email for user in liaisons]
    return list(dict.fromkeys(addresses))


def escalation_recipients() -> list[str]:
    """Every active supervisor with an e-mail address, each once."""
    users = get_user_model().objects.filter(is_active=True, role=Role.SUPERVISOR).exclude(email="")
    return list(dict.fromkeys(users.order_by("pk").values_list("email", flat=True)))


def referral_to_deliver(pk: int) -> Referral | None:
    """The referral a delivery attempt works on (the worker: no person, no audit of its own)."""
    return Referral.objects.select_related("case", "institution").filter(pk=pk).first()


def with_events_of(referral: Referral, *related: str) -> Referral:
    """``referral`` again with its events (one more query) and ``related`` joined: what the
    referral pages show. The caller has reached it through ``access_referral``."""
    return with_events(Referral.objects.filter(pk=referral.pk)).select_related(*related).get()
