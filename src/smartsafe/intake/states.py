"""The contact state machine: new → triaged → linked | closed (docs/domain.md §2).

A contact may also go straight from new to linked or closed (a counsellor who answers a call and
closes it in one go), and a closed contact may still be linked to a case later (the caller rings
again and it turns out to be serious). A linked contact is final.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smartsafe.core.states import IllegalStateTransition

from .models import ContactState as S

TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "triage": (frozenset({S.NEW}), S.TRIAGED),
    "link": (frozenset({S.NEW, S.TRIAGED, S.CLOSED}), S.LINKED),
    "close": (frozenset({S.NEW, S.TRIAGED}), S.CLOSED),
}
LABELS = {"triage": _("Triage"), "link": _("Link to a case"), "close": _("Close")}
STAGE_TIMESTAMP = {S.TRIAGED: "triaged_at", S.LINKED: "linked_at", S.CLOSED: "closed_at"}


class IllegalContactTransition(IllegalStateTransition):
    def __init__(self, action: str, state: str):
        self.action = action
        self.state = state
        self.allowed = [name for name, (sources, _t) in TRANSITIONS.items() if state in sources]
        allowed = ", ".join(str(LABELS[a]) for a in self.allowed) or str(_("nothing"))
        state_label = S(state).label if state in S.values else state
        super().__init__(
            _("“%(action)s” is not possible while the contact is “%(state)s”. Possible now: %(allowed)s.")
            % {"action": LABELS.get(action, action), "state": state_label, "allowed": allowed}
        )


def target_state(action: str, state: str) -> str:
    sources, target = TRANSITIONS.get(action, (frozenset(), ""))
    if state not in sources:
        raise IllegalContactTransition(action, state)
    return target
