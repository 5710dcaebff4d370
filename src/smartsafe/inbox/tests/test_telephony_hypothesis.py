"""Whatever an exchange (or anyone holding its token) posts, the events API answers 200 or 400."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartsafe.inbox.models import Call, CallState

from .phone import EVENTS_URL

pytestmark = pytest.mark.django_db

FIELDS = ["call_id", "event", "from", "to", "extension", "username", "at", "reason"]
TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.text(max_size=10)  # lone surrogates too
VALUES = st.one_of(
    TEXT,
    st.sampled_from(
        [
            "ringing",
            "answered",
            "hung_up",
            "caller_hangup",
            "+381641234567",
            "0641234567",
            "anonymous",
            "sip:+381641234567@x",
            "2026-01-01T00:00:00Z",
            "2999-01-01T00:00:00+14:00",
            "0001-01-01T00:00:00-12:00",
            "call-1",
            "201",
            "\x00",
            "",
            "\ud800x",
            "064\ud83d",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
BODIES = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), VALUES, max_size=9)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
def test_any_json_object_is_200_or_400(exchange, body):
    raw = json.dumps(body, allow_nan=True)
    response = exchange.post(EVENTS_URL, raw, content_type="application/json")
    assert response.status_code in (200, 400), (response.status_code, body)
    if response.status_code == 200:
        assert response.json()["state"] in CallState.values
        assert Call.objects.filter(call_id=response.json()["call_id"]).exists()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    events=st.lists(
        st.tuples(
            st.sampled_from(["ringing", "answered", "hung_up"]),
            st.sampled_from(["", "caller_hangup", "no_answer"]),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_order_of_events_ends_in_a_sensible_state(exchange, events):
    """Whatever the order, a call that saw a hang-up is over, and one that was answered and hung up
    is completed unless the hang-up came first (then it stays missed or abandoned)."""
    Call.objects.all().delete()
    for kind, reason in events:
        body = {"call_id": "h1", "event": kind, "from": "0641234567"}
        if kind == "hung_up":
            body["reason"] = reason
        assert exchange.post(EVENTS_URL, body, format="json").status_code == 200
    call = Call.objects.get(call_id="h1")
    kinds = [k for k, _ in events]
    if "hung_up" in kinds:
        assert call.is_over and call.ended_at is not None
        first_end = kinds.index("hung_up")
        answered_before = "answered" in kinds[:first_end]
        assert (call.state == CallState.COMPLETED) == answered_before
        if answered_before:
            assert call.duration_seconds is not None
    elif "answered" in kinds:
        assert call.state == CallState.ANSWERED
    else:
        assert call.state == CallState.RINGING
