"""The referral state machine.

    draft ──submit──▶ pending_approval ──approve──▶ sent      (approval configured)
    draft ──send────────────────────────────────▶ sent        (no approval, or a supervisor)
    pending_approval ──return──▶ draft
    sent ──acknowledge──▶ acknowledged ──accept──▶ accepted ──complete──▶ completed
    sent / acknowledged ──reject──▶ rejected  (reason required)
    sent / acknowledged ──accept──▶ accepted   (acknowledging is implied)
    draft / pending_approval / sent / acknowledged / accepted ──revoke──▶ revoked (reason required)

``INSTITUTION_ACTIONS`` are what a liaison may do in the portal (or a counsellor records on the
institution's behalf). Anything outside the table → ``IllegalReferralTransition`` (HTTP 409) with
the allowed actions listed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smartsafe.core.states import IllegalStateTransition

from .models import ReferralState as S

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.DRAFT}), S.PENDING_APPROVAL),
    "return": (frozenset({S.PENDING_APPROVAL}), S.DRAFT),
    "approve": (frozenset({S.PENDING_APPROVAL}), S.SENT),
    "send": (frozenset({S.DRAFT}), S.SENT),
    "acknowledge": (frozenset({S.SENT}), S.ACKNOWLEDGED),
    "accept": (frozenset({S.SENT, S.ACKNOWLEDGED}), S.ACCEPTED),
    "reject": (frozenset({S.SENT, S.ACKNOWLEDGED}), S.REJECTED),
    "complete": (frozenset({S.ACCEPTED}), S.COMPLETED),
    "revoke": (frozenset({S.DRAFT, S.PENDING_APPROVAL, S.SENT, S.ACKNOWLEDGED, S.ACCEPTED}), S.REVOKED),
}

LABELS = {
    "submit": _("Submit for approval"),
    "return": _("Return to draft"),
    "approve": _("Approve and send"),
    "send": _("Send"),
    "acknowledge": _("Acknowledge receipt"),
    "accept": _("Accept"),
    "reject": _("Reject"),
    "complete": _("Complete with feedback"),
    "revoke": _("Revoke"),
}

INSTITUTION_ACTIONS = frozenset({"acknowledge", "accept", "reject", "complete"})
CENTRE_ACTIONS = frozenset({"submit", "return", "approve", "send", "revoke"})
SUPERVISOR_ACTIONS = frozenset({"approve", "return"})

STAGE_TIMESTAMP = {
    S.PENDING_APPROVAL: "submitted_at",
    S.SENT: "sent_at",
    S.ACKNOWLEDGED: "acknowledged_at",
    S.ACCEPTED: "accepted_at",
    S.REJECTED: "rejected_at",
    S.COMPLETED: "completed_at",
    S.REVOKED: "revoked_at",
}


class IllegalReferralTransition(IllegalStateTransition):
    def __init__(self, action: str, state: str):
        self.action = action
        self.state = state
        self.allowed = allowed_actions(state)
        state_label = S(state).label if state in S.values else state
        allowed = ", ".join(str(LABELS[a]) for a in self.allowed) or str(_("nothing"))
        super().__init__(
            _("“%(action)s” is not possible while the referral is “%(state)s”. Possible now: %(allowed)s.")
            % {"action": LABELS.get(action, action), "state": state_label, "allowed": allowed}
        )


def allowed_actions(state: str) -> list[str]:
    return [name for name, (sources, _target) in TRANSITIONS.items() if state in sources]


def target_state(action: str, state: str) -> str:
    sources, target = TRANSITIONS.get(action, (frozenset(), ""))
    if state not in sources:
        raise IllegalReferralTransition(action, state)
    return target
