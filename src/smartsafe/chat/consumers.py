"""``/ws/chat/``: the websocket of one chat, for the child, the counsellor and a watching supervisor.

The connection is accepted for anyone; nothing happens until a ``hello`` frame names the chat and
proves a right to it: the child by the chat's secret, staff by their signed-in session (the
counsellor who holds the chat, or a supervisor watching, which is audited). Every frame is parsed
by ``frames.parse``; a bad one is answered with an error frame and the connection stays open.

A message is stored (``actions.post_message``) before it is sent to the chat's group, and every
side's browser remembers the last id it saw: after a reconnect its ``hello`` (or a ``sync``)
carries that id and the consumer sends what came after it, from the database.
"""

from __future__ import annotations

import collections
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from . import actions, frames, live, permissions, queries
from .models import ChatSession, ChatState, Sender

CHILD, COUNSELLOR, WATCHER = Sender.CHILD.value, Sender.COUNSELLOR.value, "watcher"
# How often, at most, a child's connection stamps that the page is still open (chat/tasks.py).
SEEN_EVERY_SECONDS = 60


def _hello(frame: frames.Frame, user) -> tuple[ChatSession | None, str, str]:
    """(session, role, error code) for a hello frame."""
    if frame.token:
        session = queries.child_session(frame.session, frame.token)
        return (session, CHILD, "") if session else (None, "", "not_found")
    if user is None or not user.is_authenticated:
        return None, "", "not_found"
    session = ChatSession.objects.select_related("counsellor").filter(pk=frame.session).first()
    if session is None:
        return None, "", "not_found"
    if frame.watch:
        if not permissions.can_watch(user, session):
            return None, "", "forbidden"
        actions.watch_chat(actor=user, session=session)
        return session, WATCHER, ""
    if not permissions.can_see_live(user, session):
        return None, "", "forbidden"
    return session, COUNSELLOR, ""


def _queue_frame(session_id: int) -> dict:
    session = ChatSession.objects.get(pk=session_id)
    position = queries.queue_position(session)
    return {
        "type": "queue",
        "state": session.state,
        "position": position,
        "wait_seconds": queries.expected_wait_seconds(position),
    }


def _backlog(session_id: int, since: int) -> list[dict]:
    session = ChatSession.objects.get(pk=session_id)
    return [m.as_frame() for m in queries.messages_since(session, since)]


def _post(session_id: int, role: str, user, text: str, client_id: str) -> dict:
    # The chat's state and counsellor are read again for every message: a chat that ended or was
    # handed over a moment ago must refuse the next message, whatever this connection last saw.
    session = ChatSession.objects.only("state", "counsellor_id", "created_at").get(pk=session_id)
    message = actions.post_message(
        session=session,
        sender=role,
        author=user if role == COUNSELLOR else None,
        text=text,
        client_id=client_id,
    )
    return message.as_frame()


def _read(session_id: int, role: str, upto: int) -> None:
    actions.mark_read(session=ChatSession(pk=session_id), reader=role, upto=upto)


def _end_by_child(session_id: int) -> None:
    actions.end_chat(session=ChatSession.objects.get(pk=session_id), by="child")


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.session_id: int | None = None
        self.role = ""
        self.language = settings.LANGUAGE_CODE
        self.groups_joined: list[str] = []
        self.sent_at: collections.deque = collections.deque()
        self.seen_stamped_at: float | None = None
        await self.accept()

    async def disconnect(self, code):
        await self._leave()

    async def _leave(self):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = []

    async def _join(self, group: str):
        if group not in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
            self.groups_joined.append(group)

    async def send_json(self, content: dict):
        import json

        await self.send(text_data=json.dumps(content, ensure_ascii=False))

    async def error(self, code: str, detail: str = ""):
        with translation.override(self.language):
            message = frames.error_message(code)
        await self.send_json(frames.FrameError(code, detail).as_frame(message))

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        frame = frames.parse(text_data if text_data is not None else bytes_data)
        if isinstance(frame, frames.FrameError):
            await self.error(frame.code, frame.detail)
            return
        if frame.type == "ping":
            if self.role == CHILD and self.session_id is not None:
                await self._seen()
            await self.send_json({"type": "pong"})
            return
        if frame.type == "hello":
            await self.hello(frame)
            return
        if self.session_id is None:
            await self.error("no_hello")
            return
        try:
            await getattr(self, "on_" + frame.type)(frame)
        except PermissionDenied:
            await self.error("forbidden")
        except ChatSession.DoesNotExist:
            await self.error("not_found")
        except ValidationError:
            await self.error("ended")

    async def hello(self, frame):
        await self._leave()
        self.session_id, self.role = None, ""
        session, role, problem = await database_sync_to_async(_hello)(frame, self.scope.get("user"))
        if session is None:
            await self.error(problem)
            return
        self.session_id, self.role, self.language = session.pk, role, session.language
        if role == CHILD:
            self.seen_stamped_at = None
            await self._seen()
        await self._join(live.session_group(session.pk))
        if role == CHILD and session.state == ChatState.WAITING:
            await self._join(live.QUEUE_GROUP)
        for message in await database_sync_to_async(_backlog)(session.pk, frame.since):
            await self.send_json(message)
        state = await database_sync_to_async(_queue_frame)(session.pk)
        await self.send_json({**state, "type": "state", "role": role})

    async def _seen(self):
        """The child's page is here: stamped at its hello and then at most once a minute (its
        pings come every 30 s), so presence costs the database next to nothing."""
        now = time.monotonic()
        if self.seen_stamped_at is None or now - self.seen_stamped_at >= SEEN_EVERY_SECONDS:
            self.seen_stamped_at = now
            await database_sync_to_async(actions.child_seen)(self.session_id)

    def _too_fast(self) -> bool:
        limit = settings.SMARTSAFE_CHAT_MESSAGES_PER_MINUTE
        if limit <= 0:
            return False
        now = time.monotonic()
        while self.sent_at and now - self.sent_at[0] > 60:
            self.sent_at.popleft()
        if len(self.sent_at) >= limit:
            return True
        self.sent_at.append(now)
        return False

    async def on_message(self, frame):
        if self.role not in (CHILD, COUNSELLOR):
            await self.error("forbidden")
            return
        if self._too_fast():
            await self.error("slow_down")
            return
        # Not thread-sensitive: the messages of many chats are stored side by side, each in a
        # worker thread with its own connection, instead of queueing behind one thread.
        message = await database_sync_to_async(_post, thread_sensitive=False)(
            self.session_id, self.role, self.scope.get("user"), frame.text, frame.client_id
        )
        await self.channel_layer.group_send(
            live.session_group(self.session_id), {"type": live.EVENT_TYPE, "payload": message}
        )

    async def on_typing(self, frame):
        if self.role in (CHILD, COUNSELLOR):
            await self.channel_layer.group_send(
                live.session_group(self.session_id),
                {"type": live.EVENT_TYPE, "payload": {"type": "typing", "sender": self.role}},
            )

    async def on_read(self, frame):
        if self.role not in (CHILD, COUNSELLOR):
            return  # a watching supervisor leaves no trace, read receipts included
        await database_sync_to_async(_read)(self.session_id, self.role, frame.upto)
        await self.channel_layer.group_send(
            live.session_group(self.session_id),
            {"type": live.EVENT_TYPE, "payload": {"type": "read", "reader": self.role, "upto": frame.upto}},
        )

    async def on_sync(self, frame):
        for message in await database_sync_to_async(_backlog)(self.session_id, frame.since):
            await self.send_json(message)

    async def on_end(self, frame):
        if self.role != CHILD:
            await self.error("forbidden")  # staff end a chat on its page (with the block option)
            return
        await database_sync_to_async(_end_by_child)(self.session_id)

    async def chat_event(self, event):
        payload = event["payload"]
        if payload.get("type") == "queue_changed":
            if self.role == CHILD and self.session_id is not None:
                state = await database_sync_to_async(_queue_frame)(self.session_id)
                if state["state"] != ChatState.WAITING and live.QUEUE_GROUP in self.groups_joined:
                    await self.channel_layer.group_discard(live.QUEUE_GROUP, self.channel_name)
                    self.groups_joined.remove(live.QUEUE_GROUP)
                await self.send_json(state)
            return
        await self.send_json(payload)
