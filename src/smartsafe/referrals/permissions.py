"""Who may do what with referrals. Plain functions; the query layer decides *which* referrals.

The centre's staff (counsellors, supervisors) draft, send and revoke referrals. An institution's
liaison answers only referrals to their own institution (acknowledge, accept, reject, complete,
messages). For institutions that are not on the portal a counsellor or supervisor records the
answer "on the institution's behalf" (the phone call, the letter) — only then may staff perform an
institution action, so the record always says who really answered.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from smartsafe.accounts.roles import CASE_READER_ROLES, CASEWORK_ROLES, Role
from smartsafe.directory.permissions import liaison_institution_id

from .models import ReferralState
from .states import INSTITUTION_ACTIONS, SUPERVISOR_ACTIONS, TRANSITIONS, allowed_actions

# States a liaison never sees: the referral has not left the centre yet.
UNSENT_STATES = frozenset({ReferralState.DRAFT, ReferralState.PENDING_APPROVAL})


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_read_referrals(user) -> bool:
    """Staff who read casework, and liaisons (scoped to their institution by the queries)."""
    return _active(user) and (user.role in CASE_READER_ROLES or user.role == Role.LIAISON)


def can_read_all_referrals(user) -> bool:
    """Counsellors, supervisors and auditors: every referral (each read audited)."""
    return _active(user) and user.role in CASE_READER_ROLES


def can_work_referrals(user) -> bool:
    """Draft, submit, send, revoke, write to the institution, record its answers."""
    return _active(user) and user.role in CASEWORK_ROLES


def is_supervisor(user) -> bool:
    return _active(user) and user.role == Role.SUPERVISOR


def is_liaison_of(user, referral) -> bool:
    """A liaison of the referral's institution, for a referral that has left the centre."""
    institution_id = liaison_institution_id(user)
    return (
        institution_id is not None
        and institution_id == referral.institution_id
        and referral.sent_at is not None
        and referral.state not in UNSENT_STATES
    )


def needs_approval() -> bool:
    return bool(getattr(settings, "SMARTSAFE_REFERRAL_NEEDS_APPROVAL", True))


def transition_denial(user, referral, action: str, *, on_behalf: bool = False) -> str | None:
    """Why ``user`` may not perform ``action`` on ``referral`` (whatever its state), or None.

    Only the role, the institution and the configuration count here; whether the state allows the
    action is ``states.py``'s business, checked afterwards, so the answer is the same in any state.
    """
    if action not in TRANSITIONS:
        return None  # the state machine refuses it with the list of what is possible
    if action in INSTITUTION_ACTIONS:
        if is_liaison_of(user, referral):
            return None
        if can_work_referrals(user):
            if on_behalf:
                return None
            return _(
                "Only the institution does this. To record its answer given by phone or on paper, "
                "act on the institution's behalf."
            )
        return _("Only the institution the referral was sent to may answer it.")
    # The centre's actions.
    if not can_work_referrals(user):
        return _("Only the centre's counsellors and supervisors may do this.")
    if action in SUPERVISOR_ACTIONS and not is_supervisor(user):
        return _("Only a supervisor may approve a referral or return it to draft.")
    if action == "send" and needs_approval() and not is_supervisor(user):
        return _("A supervisor approves referrals before they are sent: submit it for approval.")
    return None


def can_transition(user, referral, action: str, *, on_behalf: bool = False) -> bool:
    return transition_denial(user, referral, action, on_behalf=on_behalf) is None


def actions_for(user, referral, *, on_behalf: bool | None = None) -> list[str]:
    """The actions ``user`` may perform on ``referral`` now (allowed by its state and their role).

    ``on_behalf=None`` lists institution actions for staff too (as answers they may record);
    the pages show those apart from the centre's own actions.
    """
    staff_records = can_work_referrals(user) if on_behalf is None else on_behalf
    return [
        action
        for action in allowed_actions(referral.state)
        if can_transition(user, referral, action, on_behalf=staff_records and action in INSTITUTION_ACTIONS)
    ]


def can_post_message(user, referral, *, on_behalf: bool = False) -> bool:
    return can_work_referrals(user) or (is_liaison_of(user, referral) and not on_behalf)
