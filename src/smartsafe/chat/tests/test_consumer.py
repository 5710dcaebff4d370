"""The chat's websocket end to end in one process (in-memory layer): child, counsellor, watcher."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from smartsafe.audit.models import AuditEvent
from smartsafe.chat import actions, queries
from smartsafe.chat.consumers import ChatConsumer
from smartsafe.chat.models import ChatMessage, ChatSession, ChatState
from smartsafe.chat.tests.conftest import run_async

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user=None):
    communicator = WebsocketCommunicator(ChatConsumer.as_asgi(), "/ws/chat/")
    if user is not None:
        communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def until(communicator, kind, **match):
    """The next frame of ``kind`` (others skipped)."""
    for _ in range(20):
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == kind and all(frame.get(k) == v for k, v in match.items()):
            return frame
    raise AssertionError(f"no {kind} frame")


def test_a_whole_chat_over_websockets(counsellor, supervisor):
    session, secret = actions.start_chat(client=queries.client_hash("10.1.1.1"), language="en")

    async def run():
        child = await connect()
        await child.send_json_to({"type": "hello", "session": session.pk, "token": secret, "since": 0})
        state = await until(child, "state")
        assert state["state"] == "waiting" and state["position"] == 1 and state["wait_seconds"] > 0

        await child.send_json_to({"type": "message", "text": "Someone threatens me", "client_id": "c1"})
        first = await until(child, "message")
        assert first["text"] == "Someone threatens me" and first["client_id"] == "c1"
        # Stored before it came back.
        assert await database_sync_to_async(ChatMessage.objects.filter(pk=first["id"]).exists)()

        await database_sync_to_async(actions.take_chat)(actor=counsellor, session=session)
        joined = await until(child, "message", sender="system")
        assert joined["text"] == "joined"
        assert (await until(child, "state"))["state"] == "active"

        staff = await connect(counsellor)
        await staff.send_json_to({"type": "hello", "session": session.pk, "since": 0})
        backlog = [await until(staff, "message"), await until(staff, "message")]
        assert [m["text"] for m in backlog] == ["Someone threatens me", "joined"]
        assert (await until(staff, "state"))["role"] == "counsellor"

        watcher = await connect(supervisor)
        await watcher.send_json_to(
            {"type": "hello", "session": session.pk, "since": joined["id"], "watch": True}
        )
        assert (await until(watcher, "state"))["role"] == "watcher"
        await watcher.send_json_to({"type": "message", "text": "I should not be heard"})
        assert (await until(watcher, "error"))["code"] == "forbidden"

        await staff.send_json_to({"type": "typing"})
        assert (await until(child, "typing"))["sender"] == "counsellor"
        await staff.send_json_to({"type": "message", "text": "We are here. Are you safe?", "client_id": "s1"})
        reply = await until(child, "message", sender="counsellor")
        assert reply["text"] == "We are here. Are you safe?"
        assert (await until(watcher, "message", sender="counsellor"))["id"] == reply["id"]
        await child.send_json_to({"type": "read", "upto": reply["id"]})
        assert (await until(staff, "read"))["upto"] == reply["id"]

        # The child's connection drops; meanwhile the counsellor writes; the reconnect catches up.
        await child.disconnect()
        await staff.send_json_to({"type": "message", "text": "Still there?"})
        missed = await until(staff, "message", text="Still there?")
        child = await connect()
        await child.send_json_to(
            {"type": "hello", "session": session.pk, "token": secret, "since": reply["id"]}
        )
        assert (await until(child, "message"))["id"] == missed["id"]

        await child.send_json_to({"type": "end"})
        assert (await until(staff, "state"))["state"] == "ended"
        for communicator in (child, staff, watcher):
            await communicator.disconnect()

    run_async(run)
    assert ChatSession.objects.get(pk=session.pk).state == ChatState.ENDED
    assert AuditEvent.objects.filter(action="chat.watch", actor=supervisor).count() == 1
    assert not ChatMessage.objects.filter(body="I should not be heard").exists()


def test_waiting_children_learn_their_place_as_the_queue_moves(counsellor):
    first, _ = actions.start_chat(client=queries.client_hash("a"), language="sr")
    second, secret = actions.start_chat(client=queries.client_hash("b"), language="sr")

    async def run():
        child = await connect()
        await child.send_json_to({"type": "hello", "session": second.pk, "token": secret})
        assert (await until(child, "state"))["position"] == 2
        await database_sync_to_async(actions.take_chat)(actor=counsellor, session=first)
        assert (await until(child, "queue"))["position"] == 1
        await child.disconnect()

    run_async(run)


def test_another_chats_secret_or_another_counsellor_gets_nothing(counsellor, other_counsellor):
    session, secret = actions.start_chat(client=queries.client_hash("a"), language="sr")
    other, _ = actions.start_chat(client=queries.client_hash("b"), language="sr")
    actions.take_chat(actor=counsellor, session=session)

    async def run():
        stranger = await connect()
        await stranger.send_json_to({"type": "hello", "session": other.pk, "token": secret})
        assert (await until(stranger, "error"))["code"] == "not_found"
        await stranger.send_json_to({"type": "message", "text": "hi"})
        assert (await until(stranger, "error"))["code"] == "no_hello"
        colleague = await connect(other_counsellor)
        await colleague.send_json_to({"type": "hello", "session": session.pk})
        assert (await until(colleague, "error"))["code"] == "forbidden"
        await stranger.disconnect()
        await colleague.disconnect()

    run_async(run)


def test_a_child_writing_too_fast_is_asked_to_slow_down(settings):
    settings.SMARTSAFE_CHAT_MESSAGES_PER_MINUTE = 3
    session, secret = actions.start_chat(client=queries.client_hash("a"), language="sr-latn")

    async def run():
        child = await connect()
        await child.send_json_to({"type": "hello", "session": session.pk, "token": secret})
        await until(child, "state")
        for n in range(3):
            await child.send_json_to({"type": "message", "text": f"m{n}"})
            await until(child, "message")
        await child.send_json_to({"type": "message", "text": "flood"})
        error = await until(child, "error")
        assert error["code"] == "slow_down" and "sporo" not in error["message"].lower()
        await child.disconnect()

    run_async(run)
    assert ChatMessage.objects.filter(session=session).count() == 3


def test_the_childs_page_is_stamped_at_hello_and_by_its_pings(counsellor, monkeypatch):
    from smartsafe.chat import consumers

    session, secret = actions.start_chat(client=queries.client_hash("10.1.1.9"), language="sr")

    def seen():
        return ChatSession.objects.get(pk=session.pk).child_seen_at

    async def run():
        child = await connect()
        await child.send_json_to({"type": "ping"})  # before its hello: nothing to stamp
        assert (await child.receive_json_from(timeout=5))["type"] == "pong"
        assert await database_sync_to_async(seen)() is None

        await child.send_json_to({"type": "hello", "session": session.pk, "token": secret, "since": 0})
        await until(child, "state")
        first = await database_sync_to_async(seen)()
        assert first is not None

        await child.send_json_to({"type": "ping"})  # within the minute: no second write
        await until(child, "pong")
        assert await database_sync_to_async(seen)() == first

        monkeypatch.setattr(consumers, "SEEN_EVERY_SECONDS", 0)
        await child.send_json_to({"type": "ping"})
        await until(child, "pong")
        assert await database_sync_to_async(seen)() > first

        # The counsellor's connection says nothing about the child's page.
        await database_sync_to_async(actions.take_chat)(actor=counsellor, session=session)
        before = await database_sync_to_async(seen)()
        staff = await connect(counsellor)
        await staff.send_json_to({"type": "hello", "session": session.pk, "since": 0})
        await until(staff, "state")
        await staff.send_json_to({"type": "ping"})
        await until(staff, "pong")
        assert await database_sync_to_async(seen)() == before
        for communicator in (child, staff):
            await communicator.disconnect()

    run_async(run)
