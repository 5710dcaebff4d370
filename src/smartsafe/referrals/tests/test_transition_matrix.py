"""Every action × every role × every state (× on behalf or not, × approval on or off).

The expected outcome is written out here from the rules in docs/referrals.md — not computed by
the code under test — and each attempt runs for real inside a savepoint that is rolled back.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from smartsafe import testing
from smartsafe.referrals import actions
from smartsafe.referrals.models import Referral
from smartsafe.referrals.models import ReferralState as S
from smartsafe.referrals.states import IllegalReferralTransition

from .conftest import drive

ACTIONS = ["submit", "return", "approve", "send", "acknowledge", "accept", "reject", "complete", "revoke"]
INSTITUTION = {"acknowledge", "accept", "reject", "complete"}

# The state machine as documented: action → (states it may start from, state it ends in).
LEGAL = {
    "submit": ({S.DRAFT}, S.PENDING_APPROVAL),
    "return": ({S.PENDING_APPROVAL}, S.DRAFT),
    "approve": ({S.PENDING_APPROVAL}, S.SENT),
    "send": ({S.DRAFT}, S.SENT),
    "acknowledge": ({S.SENT}, S.ACKNOWLEDGED),
    "accept": ({S.SENT, S.ACKNOWLEDGED}, S.ACCEPTED),
    "reject": ({S.SENT, S.ACKNOWLEDGED}, S.REJECTED),
    "complete": ({S.ACCEPTED}, S.COMPLETED),
    "revoke": ({S.DRAFT, S.PENDING_APPROVAL, S.SENT, S.ACKNOWLEDGED, S.ACCEPTED}, S.REVOKED),
}
ROLES = [
    "counsellor",
    "supervisor",
    "auditor",
    "analyst",
    "prevention",
    "admin",
    "own_liaison",
    "other_liaison",
]


def allowed_from(state) -> list[str]:
    return [a for a in ACTIONS if state in LEGAL[a][0]]


def expected(role: str, action: str, state: str, on_behalf: bool, approval: bool) -> str:
    """ "ok", "denied" (PermissionDenied) or "illegal" (IllegalReferralTransition)."""
    legal = "ok" if state in LEGAL[action][0] else "illegal"
    if role in ("auditor", "analyst", "prevention", "admin", "other_liaison"):
        return "denied"
    if role == "own_liaison":
        # A liaison never reaches an unsent referral; this matrix revokes from the draft, unsent.
        if state in (S.DRAFT, S.PENDING_APPROVAL, S.REVOKED):
            return "denied"
        return legal if action in INSTITUTION else "denied"
    # counsellor, supervisor
    if action in INSTITUTION:
        return legal if on_behalf else "denied"
    if role == "counsellor" and action in ("approve", "return"):
        return "denied"
    if role == "counsellor" and action == "send" and approval:
        return "denied"
    return legal


class Rollback(Exception):
    pass


def attempt(actor, referral, action, on_behalf):
    try:
        with transaction.atomic():
            result = actions.transition_referral(
                actor=actor,
                referral=referral,
                action=action,
                on_behalf=on_behalf,
                reason="Разлог",
                feedback="Урађено",
                note="Белешка",
            )
            outcome = ("ok", result.state)
            raise Rollback
    except Rollback:
        return outcome
    except PermissionDenied:
        return ("denied", None)
    except IllegalReferralTransition as exc:
        return ("illegal", exc.allowed)


@pytest.mark.parametrize("approval", [True, False], ids=["approval", "no-approval"])
@pytest.mark.parametrize("state", list(S.values))
def test_matrix(state, approval, settings, counsellor, supervisor, police, police_liaison, school_liaison):
    settings.SMARTSAFE_REFERRAL_NEEDS_APPROVAL = approval
    people = {
        "counsellor": counsellor,
        "supervisor": supervisor,
        "auditor": testing.make_user("auditor"),
        "analyst": testing.make_user("analyst"),
        "prevention": testing.make_user("prevention"),
        "admin": testing.make_user("admin"),
        "own_liaison": police_liaison,
        "other_liaison": school_liaison,
    }
    referral = actions.create_referral(
        actor=counsellor, case=testing.make_case(counsellor), institution=police
    )
    referral = drive(referral, state, supervisor=supervisor)
    assert referral.state == state
    checked = 0
    for role, actor in people.items():
        for action in ACTIONS:
            for on_behalf in (False, True):
                want = expected(role, action, state, on_behalf, approval)
                got = attempt(actor, referral, action, on_behalf)
                where = f"{role} {action} from {state} (on_behalf={on_behalf}, approval={approval})"
                assert got[0] == want, where
                if want == "ok":
                    assert got[1] == LEGAL[action][1], where
                if want == "illegal":
                    assert got[1] == allowed_from(state), where
                checked += 1
    assert checked == len(ROLES) * len(ACTIONS) * 2
    assert Referral.objects.get(pk=referral.pk).state == state  # every attempt was rolled back
