"""Builders for the referral tests: a referral driven through the real actions to any state."""

from __future__ import annotations

import pytest

from smartsafe import testing
from smartsafe.referrals import actions
from smartsafe.referrals.models import ReferralState as S

# How to reach each state from a fresh draft, and who does each step.
PATHS = {
    S.DRAFT: [],
    S.PENDING_APPROVAL: ["submit"],
    S.SENT: ["send"],
    S.ACKNOWLEDGED: ["send", "acknowledge"],
    S.ACCEPTED: ["send", "acknowledge", "accept"],
    S.REJECTED: ["send", "reject"],
    S.COMPLETED: ["send", "acknowledge", "accept", "complete"],
    S.REVOKED: ["revoke"],
}


def drive(referral, state, *, supervisor, liaison=None):
    """Move a draft ``referral`` to ``state`` through ``transition_referral`` (the real workflow)."""
    for step in PATHS[state]:
        kwargs = {"reason": "Разлог", "feedback": "Поступљено"}
        if step in ("acknowledge", "accept", "reject", "complete"):
            actor = liaison or supervisor
            kwargs["on_behalf"] = liaison is None
        else:
            actor = supervisor
        referral = actions.transition_referral(actor=actor, referral=referral, action=step, **kwargs)
    return referral


@pytest.fixture
def make_referral(supervisor):
    """``make_referral(actor, institution, state=..., case=..., liaison=...)``."""

    def make(actor, institution, *, state=S.DRAFT, case=None, liaison=None, **fields):
        case = case or testing.make_case(actor)
        referral = actions.create_referral(actor=actor, case=case, institution=institution, **fields)
        return drive(referral, state, supervisor=supervisor, liaison=liaison)

    return make


@pytest.fixture
def client_for(db):
    """``client_for(user)``: an API client signed in as ``user`` (None: anonymous)."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def token_for(db):
    """``token_for(user)``: a fresh personal API token's key (what an institution's system uses)."""
    from smartsafe.accounts.models import ApiToken

    def make(user) -> str:
        key = ApiToken.generate_key()
        ApiToken.objects.create(user=user, name="test", prefix=key[:8], key_hash=ApiToken.hash_key(key))
        return key

    return make
