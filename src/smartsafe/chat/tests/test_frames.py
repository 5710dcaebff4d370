"""Whatever a browser sends, the parser answers a frame or an error, and the consumer stays up."""

from __future__ import annotations

import json

import pytest
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartsafe.chat import frames
from smartsafe.chat.consumers import ChatConsumer
from smartsafe.chat.tests.conftest import run_async

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
frame_like = st.fixed_dictionaries(
    {"type": st.sampled_from([*frames.KINDS, "nope", ""])},
    optional={
        "session": json_values,
        "token": json_values,
        "since": json_values,
        "upto": json_values,
        "text": json_values,
        "client_id": json_values,
        "watch": json_values,
    },
)
anything = st.one_of(st.text(max_size=200), json_values.map(json.dumps), frame_like.map(json.dumps))


@given(anything)
def test_parse_never_raises(text):
    result = frames.parse(text)
    assert isinstance(result, (frames.Frame, frames.FrameError))
    if isinstance(result, frames.Frame):
        assert result.type in frames.KINDS
        assert isinstance(result.since, int) and isinstance(result.upto, int)
        assert len(result.text) <= frames.MAX_TEXT_CHARS


def test_examples():
    assert frames.parse('{"type": "hello", "session": 3, "token": "t", "since": 9}') == frames.Frame(
        "hello", session=3, token="t", since=9
    )
    assert frames.parse('{"type": "message", "text": " hi ", "client_id": "x"}').text == "hi"
    assert frames.parse('{"type": "hello", "session": true}') == frames.FrameError("bad_field", "session")
    assert frames.parse('{"type": "read", "upto": -1}').code == "bad_field"
    assert frames.parse('{"type": "message", "text": ""}').code == "empty"
    assert frames.parse("x" * (frames.MAX_FRAME_CHARS + 1)).code == "too_long"
    assert frames.parse("[" * 100_000).code in ("too_long", "not_json")
    assert frames.parse(b"bytes").code == "not_text"
    assert frames.parse("[1]").code == "not_object"


@pytest.mark.django_db(transaction=True)
@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(anything, min_size=1, max_size=5))
def test_the_consumer_answers_bad_frames_with_an_error_frame_and_stays_open(texts):
    async def run():
        communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
        connected, _ = await communicator.connect()
        assert connected
        for text in texts:
            await communicator.send_input({"type": "websocket.receive", "text": text})
            parsed = frames.parse(text)
            if isinstance(parsed, frames.FrameError) or parsed.type != "hello":
                answer = await communicator.receive_json_from(timeout=5)
                if isinstance(parsed, frames.FrameError):
                    assert answer["type"] == "error" and answer["code"] == parsed.code and answer["message"]
                elif parsed.type == "ping":
                    assert answer == {"type": "pong"}
                else:
                    assert answer["type"] == "error" and answer["code"] == "no_hello"
            else:
                answer = await communicator.receive_json_from(timeout=5)
                assert answer["type"] == "error" and answer["code"] in ("not_found", "forbidden")
        await communicator.send_to(bytes_data=b"\x00\xff")
        assert (await communicator.receive_json_from(timeout=5))["code"] == "not_text"
        await communicator.send_to(text_data='{"type": "ping"}')
        assert await communicator.receive_json_from(timeout=5) == {"type": "pong"}
        await communicator.disconnect()

    run_async(run)
