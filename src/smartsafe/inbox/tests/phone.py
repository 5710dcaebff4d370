"""Shared by the phone-line tests: the exchange's service account and its events."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from smartsafe import testing
from smartsafe.accounts.actions import create_api_token

EVENTS_URL = "/api/v1/telephony/events"
NUMBER = "+381 64 123 4567"


def token_client(user) -> APIClient:
    _token, key = create_api_token(actor=None, user=user, name="exchange")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def pbx(db):
    return testing.make_user("admin", username="pbx")


@pytest.fixture
def exchange(pbx):
    """An API client holding the exchange's token."""
    testing.channel("phone")
    return token_client(pbx)


def event(client, call_id="c1", kind="ringing", **fields):
    body = {"call_id": call_id, "event": kind, "to": "19833", **fields}
    if "from_" in body:
        body["from"] = body.pop("from_")
    return client.post(EVENTS_URL, body, format="json")
