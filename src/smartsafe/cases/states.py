"""The case state machine: which action moves a case from which states to which.

    new ──start──▶ in_progress ──await_institution──▶ awaiting_institution
     │                 ▲   │                              │
     │                 └resume─────────────────────────────┘
     └──────── close (resolution required) ───────────────┐
                                                           ▼
      pending_closure ◀── close by a counsellor when approval is configured
        │approve_closure (supervisor) ──▶ closed ──reopen──▶ in_progress
        └reject_closure  (supervisor) ──▶ in_progress

Every action stamps the ``<state>_at`` field of the state it enters. Anything not in this table is
refused with ``IllegalTransition``, which lists what is allowed from the current state.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from smartsafe.core.states import IllegalStateTransition

from .models import CaseState as S


@dataclass(frozen=True)
class Transition:
    action: str
    label: object
    sources: frozenset[str]
    target: str
    supervisor_only: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition("start", _("Start work"), frozenset({S.NEW}), S.IN_PROGRESS),
        Transition(
            "await_institution",
            _("Awaiting institution"),
            frozenset({S.NEW, S.IN_PROGRESS}),
            S.AWAITING_INSTITUTION,
        ),
        Transition("resume", _("Resume work"), frozenset({S.AWAITING_INSTITUTION}), S.IN_PROGRESS),
        # The target of "close" is decided by policy (closure approval); CLOSED is the direct case.
        Transition("close", _("Close"), frozenset({S.NEW, S.IN_PROGRESS, S.AWAITING_INSTITUTION}), S.CLOSED),
        Transition("approve_closure", _("Approve closure"), frozenset({S.PENDING_CLOSURE}), S.CLOSED, True),
        Transition("reject_closure", _("Send back"), frozenset({S.PENDING_CLOSURE}), S.IN_PROGRESS, True),
        Transition("reopen", _("Reopen"), frozenset({S.CLOSED}), S.IN_PROGRESS),
    ]
}

STAGE_TIMESTAMP = {
    S.IN_PROGRESS: "in_progress_at",
    S.AWAITING_INSTITUTION: "awaiting_institution_at",
    S.PENDING_CLOSURE: "pending_closure_at",
    S.CLOSED: "closed_at",
}


class IllegalTransition(IllegalStateTransition):
    def __init__(self, action: str, state: str, allowed: list[str]):
        self.action = action
        self.state = state
        self.allowed = allowed
        state_label = S(state).label if state in S.values else state
        action_label = TRANSITIONS[action].label if action in TRANSITIONS else action
        allowed_labels = ", ".join(str(TRANSITIONS[a].label) for a in allowed) or str(_("nothing"))
        super().__init__(
            _("“%(action)s” is not possible while the case is “%(state)s”. Possible now: %(allowed)s.")
            % {"action": action_label, "state": state_label, "allowed": allowed_labels}
        )


def allowed_actions(state: str) -> list[str]:
    return [name for name, t in TRANSITIONS.items() if state in t.sources]


def transition_for(action: str, state: str) -> Transition:
    transition = TRANSITIONS.get(action)
    if transition is None or state not in transition.sources:
        raise IllegalTransition(action, state, allowed_actions(state))
    return transition
