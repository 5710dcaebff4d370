"""Fixtures for the API tests: taxonomy terms by code and clients signed in as a persona."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from rest_framework.test import APIClient

from smartsafe import testing
from smartsafe.accounts.models import ApiToken
from smartsafe.taxonomy.models import AgeBand, Municipality, ReporterType, Sex


def _term(model, code, **extra):
    obj, _ = model.objects.get_or_create(
        code=code, defaults={"name_sr": f"назив {code}", "name_en": f"name {code}", **extra}
    )
    return obj


@pytest.fixture
def terms(db):
    return SimpleNamespace(
        phone=testing.channel("phone"),
        email=testing.channel("email"),
        cyberbullying=testing.category("cyberbullying"),
        predators=testing.category("predators"),
        privacy=testing.category("privacy_settings", "advisory"),
        instagram=testing.platform("instagram"),
        tiktok=testing.platform("tiktok"),
        parent=_term(ReporterType, "parent"),
        age=_term(AgeBand, "age-13-15", min_age=13, max_age=15),
        sex=_term(Sex, "female"),
        municipality=_term(Municipality, "beograd-vracar"),
    )


@pytest.fixture
def client_for(db):
    """``client_for(user)``: an API client with a session for ``user`` (None: anonymous)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def token_for(db):
    """``token_for(user)``: a fresh personal API token's key."""

    def make(user) -> str:
        key = ApiToken.generate_key()
        ApiToken.objects.create(user=user, name="test", prefix=key[:8], key_hash=ApiToken.hash_key(key))
        return key

    return make


@pytest.fixture
def api(client_for, counsellor):
    """A counsellor's client: the usual caller."""
    return client_for(counsellor)
