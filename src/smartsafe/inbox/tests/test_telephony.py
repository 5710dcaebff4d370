"""The telephony events API: who may post, the call state machine, pseudonymised callers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.inbox import telephony
from smartsafe.inbox.models import Call, CallState

from .phone import EVENTS_URL, NUMBER, event, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(counsellor):
    counsellor.phone_extension = "201"
    counsellor.save()
    return counsellor


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


# --- who may post ---------------------------------------------------------------------------------


def test_without_token_401(client, db):
    response = client.post(EVENTS_URL, {"call_id": "x", "event": "ringing"}, content_type="application/json")
    assert response.status_code == 401
    assert not Call.objects.exists()


def test_a_counsellors_token_is_refused(counsellor):
    response = event(token_client(counsellor), from_=NUMBER)
    assert response.status_code == 403
    assert not Call.objects.exists()


def test_an_admin_who_is_not_the_exchange_is_refused(administrator):
    response = event(token_client(administrator), from_=NUMBER)
    assert response.status_code == 403


def test_a_deactivated_exchange_account_is_refused(pbx):
    client = token_client(pbx)
    pbx.is_active = False
    pbx.save()
    assert event(client, from_=NUMBER).status_code == 401


def test_a_signed_in_session_is_not_enough(client, pbx):
    client.force_login(pbx)
    response = client.post(EVENTS_URL, {"call_id": "x", "event": "ringing"}, content_type="application/json")
    assert response.status_code in (401, 403)
    assert not Call.objects.exists()


# --- the state machine ----------------------------------------------------------------------------


def test_ringing_answered_hung_up_completes_with_talk_time(exchange, desk):
    start = timezone.now() - dt.timedelta(minutes=10)
    assert event(exchange, "a1", "ringing", from_=NUMBER, at=iso(start)).json()["state"] == "ringing"
    answered = event(exchange, "a1", "answered", extension="201", at=iso(start + dt.timedelta(seconds=20)))
    assert answered.status_code == 200
    assert answered.json() == {
        "call_id": "a1",
        "state": "answered",
        "changed": True,
        "answered_by": desk.username,
    }
    ended = event(exchange, "a1", "hung_up", at=iso(start + dt.timedelta(seconds=320)))
    assert ended.json()["state"] == "completed"
    call = Call.objects.get(call_id="a1")
    assert call.answered_by == desk and call.extension == "201" and call.line == "19833"
    assert call.duration_seconds == 300
    assert call.started_at == start
    codes_written = list(
        AuditEvent.objects.filter(object_type="inbox.call").order_by("pk").values_list("action", flat=True)
    )
    assert codes_written == ["call.ringing", "call.answered", "call.ended"]


def test_repeated_events_change_nothing(exchange, desk):
    for _ in range(3):
        event(exchange, "r1", "ringing", from_=NUMBER)
    assert event(exchange, "r1", "answered", extension="201").json()["changed"] is True
    again = event(exchange, "r1", "answered", extension="201")
    assert again.status_code == 200 and again.json()["changed"] is False
    event(exchange, "r1", "hung_up")
    last = event(exchange, "r1", "hung_up")
    assert last.json() == {
        "call_id": "r1",
        "state": "completed",
        "changed": False,
        "answered_by": desk.username,
    }
    assert Call.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="inbox.call").count() == 3


def test_never_answered_is_missed(exchange):
    event(exchange, "m1", "ringing", from_=NUMBER)
    assert event(exchange, "m1", "hung_up", reason="no_answer").json()["state"] == "missed"


def test_caller_hanging_up_in_the_queue_is_abandoned(exchange):
    event(exchange, "q1", "ringing", from_=NUMBER)
    assert event(exchange, "q1", "hung_up", reason="caller_hangup").json()["state"] == "abandoned"
    assert Call.objects.get(call_id="q1").hangup_reason == "caller_hangup"


def test_hung_up_before_answered_is_missed_and_a_late_answer_without_time_is_ignored(exchange, desk):
    event(exchange, "o1", "ringing", from_=NUMBER)
    assert event(exchange, "o1", "hung_up").json()["state"] == "missed"
    late = event(exchange, "o1", "answered", extension="201")
    assert late.json()["state"] == "missed" and late.json()["changed"] is False


def test_an_answer_reported_after_the_hang_up_but_timed_before_it_completes_the_call(exchange, desk):
    start = timezone.now() - dt.timedelta(minutes=5)
    event(exchange, "o2", "ringing", from_=NUMBER, at=iso(start))
    event(exchange, "o2", "hung_up", at=iso(start + dt.timedelta(seconds=200)))
    late = event(exchange, "o2", "answered", extension="201", at=iso(start + dt.timedelta(seconds=10)))
    assert late.json()["state"] == "completed"
    call = Call.objects.get(call_id="o2")
    assert call.answered_by == desk and call.duration_seconds == 190


def test_events_without_ringing_still_make_a_call(exchange, desk):
    assert event(exchange, "n1", "answered", extension="201", from_=NUMBER).json()["state"] == "answered"
    assert event(exchange, "n2", "hung_up", from_=NUMBER).json()["state"] == "missed"


def test_a_transfer_moves_the_call_to_the_new_counsellor(exchange, desk, other_counsellor):
    event(exchange, "t1", "ringing", from_=NUMBER)
    event(exchange, "t1", "answered", extension="201")
    moved = event(exchange, "t1", "answered", username=other_counsellor.username)
    assert moved.json()["answered_by"] == other_counsellor.username


def test_username_wins_over_extension_and_a_shared_extension_names_nobody(exchange, desk, other_counsellor):
    other_counsellor.phone_extension = "201"
    other_counsellor.save()
    event(exchange, "s1", "ringing")
    assert event(exchange, "s1", "answered", extension="201").json()["answered_by"] is None
    assert (
        event(exchange, "s2", "answered", extension="201", username=desk.username).json()["answered_by"]
        == desk.username
    )


def test_an_analyst_on_the_extension_is_not_an_answerer(exchange, analyst):
    analyst.phone_extension = "301"
    analyst.save()
    assert event(exchange, "x1", "answered", extension="301").json()["answered_by"] is None


# --- the caller, pseudonymised -------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "+381641234567",
        "0641234567",
        "00381 64 123 4567",
        "064/123-4567",
        "tel:+381641234567",
        "sip:+381641234567@pbx.local",
        "<+381641234567>",
    ],
)
def test_every_way_of_writing_a_number_is_the_same_caller(written):
    assert telephony.caller_identity(written) == telephony.caller_identity(NUMBER)
    digest, hint = telephony.caller_identity(written)
    assert len(digest) == 64 and hint == "…567"


def test_withheld_numbers_have_no_identity():
    for written in ("", "anonymous", "Unknown", "<unknown>", "withheld"):
        assert telephony.caller_identity(written) == ("", "")


def test_the_hash_depends_on_the_key(settings):
    first = telephony.caller_identity(NUMBER)[0]
    settings.SMARTSAFE_PSEUDONYM_KEY = "another key"
    assert telephony.caller_identity(NUMBER)[0] != first


def test_the_number_is_stored_nowhere(exchange, desk):
    event(exchange, "p1", "ringing", from_=NUMBER)
    event(exchange, "p1", "answered", extension="201")
    event(exchange, "p1", "hung_up")
    call = Call.objects.get(call_id="p1")
    assert call.caller_hint == "…567" and call.caller_hash
    stored = json.dumps(list(Call.objects.values()), default=str) + json.dumps(
        list(AuditEvent.objects.values("details", "object_label")), default=str
    )
    for fragment in ("641234567", "1234567", "064 123"):
        assert fragment not in stored


# --- bad input --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"event": "ringing"}, "call_id"),
        ({"call_id": "", "event": "ringing"}, "call_id"),
        ({"call_id": "bad id with spaces", "event": "ringing"}, "call_id"),
        ({"call_id": "x" * 200, "event": "ringing"}, "call_id"),
        ({"call_id": "c", "event": "ringing_twice"}, "event"),
        ({"call_id": "c"}, "event"),
        ({"call_id": "c", "event": "ringing", "from": "not a number"}, "from"),
        ({"call_id": "c", "event": "ringing", "from": "1" * 40}, "from"),
        ({"call_id": "c", "event": "ringing", "at": "yesterday"}, "at"),
        ({"call_id": "c", "event": "ringing", "at": "2999-01-01T00:00:00Z"}, "at"),
        ({"call_id": "c", "event": "ringing", "at": "2001-01-01T00:00:00Z"}, "at"),
        ({"call_id": "c", "event": "ringing", "at": "9999-12-31T23:59:59-12:00"}, "at"),
        ({"call_id": "c", "event": "hung_up", "reason": "tired"}, "reason"),
        ({"call_id": "c", "event": "answered", "extension": None}, "extension"),
        ({"call_id": "c\x00", "event": "ringing"}, "call_id"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(exchange, body, field):
    response = exchange.post(EVENTS_URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Call.objects.exists()


@pytest.mark.parametrize(
    "raw", [b"{", b"[]", b'"ringing"', b"null", b"\xff\xfe", b'{"call_id": ["a"], "event": {}}']
)
def test_malformed_bodies_are_400(exchange, raw):
    response = exchange.post(EVENTS_URL, raw, content_type="application/json")
    assert response.status_code == 400


def test_get_is_not_allowed(exchange):
    assert exchange.get(EVENTS_URL).status_code == 405


def test_the_schema_documents_the_endpoint(client, counsellor):
    client.force_login(counsellor)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/v1/telephony/events" in schema.content.decode()


# --- call-back list -------------------------------------------------------------------------------


def test_missed_and_abandoned_calls_wait_for_a_call_back_one_row_per_caller(exchange, client, counsellor):
    for call_id, reason in (("cb1", ""), ("cb2", "caller_hangup")):
        event(exchange, call_id, "ringing", from_=NUMBER)
        event(exchange, call_id, "hung_up", reason=reason)
    event(exchange, "cb3", "ringing", from_="+381 11 765 4321")
    event(exchange, "cb3", "hung_up")
    event(exchange, "cb4", "ringing", from_="anonymous")
    event(exchange, "cb4", "hung_up")
    event(exchange, "ok1", "ringing", from_="+381 11 111 1999")
    event(exchange, "ok1", "answered", username=counsellor.username)
    event(exchange, "ok1", "hung_up")

    client.force_login(counsellor)
    page = client.get("/inbox/callbacks/")
    assert page.status_code == 200
    rows = {row["call"].call_id: row for row in page.context["rows"]}
    assert set(rows) == {"cb2", "cb3", "cb4"}  # cb1 and cb2 are one caller; ok1 was answered
    assert rows["cb2"]["attempts"] == 2
    html = page.content.decode()
    assert "…567" in html and "…321" in html and "Number withheld" in html
    assert "641234567" not in html


def test_called_back_takes_the_callers_calls_off_the_list_and_is_audited(exchange, client, counsellor):
    for call_id in ("d1", "d2"):
        event(exchange, call_id, "ringing", from_=NUMBER)
        event(exchange, call_id, "hung_up")
    client.force_login(counsellor)
    first = Call.objects.get(call_id="d2")

    tried = client.post("/inbox/callbacks/", {"call": first.pk, "outcome": "no_answer"})
    assert tried.status_code == 302
    assert [row["callback_attempts"] for row in client.get("/inbox/callbacks/").context["rows"]] == [1]

    done = client.post("/inbox/callbacks/", {"call": first.pk, "outcome": "reached"})
    assert done.status_code == 302
    assert client.get("/inbox/callbacks/").context["rows"] == []
    assert Call.objects.filter(callback_done_by=counsellor).count() == 2
    audited = AuditEvent.objects.filter(action="call.callback").order_by("pk")
    assert [e.details["result"] for e in audited] == ["no_answer", "reached"]
    assert sorted(audited.last().details["calls"]) == ["d1", "d2"]

    again = client.post("/inbox/callbacks/", {"call": first.pk, "outcome": "reached"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    "data", [{}, {"call": "x"}, {"call": "999999"}, {"call": "1" * 40}, {"outcome": "reached"}]
)
def test_call_back_with_bad_input_is_a_4xx(client, counsellor, data):
    client.force_login(counsellor)
    assert client.post("/inbox/callbacks/", data).status_code == 400


def test_call_back_with_an_unknown_outcome_is_400(exchange, client, counsellor):
    event(exchange, "u1", "ringing", from_=NUMBER)
    event(exchange, "u1", "hung_up")
    client.force_login(counsellor)
    call = Call.objects.get(call_id="u1")
    assert client.post("/inbox/callbacks/", {"call": call.pk, "outcome": "maybe"}).status_code == 400
    assert Call.objects.get(call_id="u1").callback_done_at is None


@pytest.mark.parametrize("role", ["analyst", "auditor", "prevention", "admin"])
def test_only_caseworkers_see_the_call_back_list(client, role):
    client.force_login(testing.make_user(role))
    assert client.get("/inbox/callbacks/").status_code == 403
    assert client.post("/inbox/callbacks/", {"call": "1", "outcome": "reached"}).status_code == 403


def test_the_call_back_list_is_in_the_navigation(client, counsellor, analyst):
    client.force_login(counsellor)
    assert 'href="/inbox/callbacks/"' in client.get("/contacts/").content.decode()
    client.force_login(analyst)
    assert 'href="/inbox/callbacks/"' not in client.get("/").content.decode()


def test_a_call_states_are_what_the_brief_names():
    assert {CallState.RINGING, CallState.ANSWERED, CallState.MISSED, CallState.ABANDONED} <= set(
        CallState.values
    )
