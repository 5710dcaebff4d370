"""The documented Asterisk bridge (tools/asterisk_bridge.py): a recorded AMI transcript, mapped and
posted to the real events API, gives the calls Asterisk saw."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest

from smartsafe.inbox.models import Call, CallState

from .phone import EVENTS_URL

pytestmark = pytest.mark.django_db

BRIDGE = Path(__file__).resolve().parents[4] / "tools" / "asterisk_bridge.py"

TRANSCRIPT = b"""Event: FullyBooted\r
Privilege: system,all\r
\r
Event: Newchannel\r
Channel: PJSIP/trunk-00000001\r
CallerIDNum: 0641234567\r
Exten: 19833\r
Uniqueid: 1700000000.1\r
Linkedid: 1700000000.1\r
Timestamp: 1700000000.000000\r
\r
Event: Newchannel\r
Channel: PJSIP/201-00000002\r
CallerIDNum: 201\r
Exten: 201\r
Uniqueid: 1700000000.2\r
Linkedid: 1700000000.1\r
\r
Event: BridgeEnter\r
Channel: PJSIP/trunk-00000001\r
Uniqueid: 1700000000.1\r
Linkedid: 1700000000.1\r
\r
Event: BridgeEnter\r
Channel: PJSIP/201-00000002\r
Uniqueid: 1700000000.2\r
Linkedid: 1700000000.1\r
Timestamp: 1700000012.000000\r
\r
Event: Hangup\r
Channel: PJSIP/201-00000002\r
Uniqueid: 1700000000.2\r
Linkedid: 1700000000.1\r
Cause: 16\r
\r
Event: Hangup\r
Channel: PJSIP/trunk-00000001\r
Uniqueid: 1700000000.1\r
Linkedid: 1700000000.1\r
Cause: 16\r
Timestamp: 1700000192.000000\r
\r
Event: Newchannel\r
Channel: PJSIP/trunk-00000003\r
CallerIDNum: <unknown>\r
Exten: 19833\r
Uniqueid: 1700000300.3\r
Linkedid: 1700000300.3\r
\r
Event: Hangup\r
Channel: PJSIP/trunk-00000003\r
Uniqueid: 1700000300.3\r
Linkedid: 1700000300.3\r
Cause: 16\r
\r
Event: Newchannel\r
Channel: PJSIP/trunk-00000004\r
CallerIDNum: 0112223334\r
Exten: 0800100200\r
Uniqueid: 1700000400.4\r
Linkedid: 1700000400.4\r
\r
Event: Hangup\r
Channel: PJSIP/trunk-00000004\r
Uniqueid: 1700000400.4\r
Linkedid: 1700000400.4\r
Cause: 19\r
\r
"""


def load_bridge():
    spec = importlib.util.spec_from_file_location("asterisk_bridge", BRIDGE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_transcript_maps_to_call_events():
    bridge = load_bridge()
    mapper = bridge.Mapper({"19833"})
    events = [e for e in map(mapper.map, bridge.read_blocks(io.BytesIO(TRANSCRIPT))) if e]
    assert [(e["call_id"], e["event"]) for e in events] == [
        ("1700000000.1", "ringing"),
        ("1700000000.1", "answered"),
        ("1700000000.1", "hung_up"),
        ("1700000300.3", "ringing"),
        ("1700000300.3", "hung_up"),
    ]  # the call to another number is not the helpline's
    assert events[0]["from"] == "0641234567" and events[0]["to"] == "19833"
    assert events[1]["extension"] == "201" and events[2]["reason"] == ""
    assert events[3]["from"] == "" and events[4]["reason"] == "caller_hangup"


def test_posted_to_the_api_they_make_the_calls(exchange, counsellor, time_machine):
    time_machine.move_to("2023-11-14T22:20:00Z")
    counsellor.phone_extension = "201"
    counsellor.save()
    bridge = load_bridge()
    mapper = bridge.Mapper({"19833"})
    for body in filter(None, map(mapper.map, bridge.read_blocks(io.BytesIO(TRANSCRIPT)))):
        assert exchange.post(EVENTS_URL, body, format="json").status_code == 200
    answered = Call.objects.get(call_id="1700000000.1")
    assert answered.state == CallState.COMPLETED and answered.answered_by == counsellor
    assert answered.duration_seconds == 180 and answered.caller_hint == "…567"
    assert Call.objects.get(call_id="1700000300.3").state == CallState.ABANDONED
