"""Waiting chats whose child's page has gone quiet leave the queue by themselves (chat/tasks.py)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from smartsafe.audit.models import AuditEvent
from smartsafe.chat import actions, queries, tasks
from smartsafe.chat.models import ChatMessage, ChatSession, ChatState

pytestmark = pytest.mark.django_db


def waiting(address: str, *, seen_minutes_ago: float | None, started_minutes_ago: float = 30) -> ChatSession:
    session, _secret = actions.start_chat(client=queries.client_hash(address), language="sr")
    now = timezone.now()
    seen = None if seen_minutes_ago is None else now - dt.timedelta(minutes=seen_minutes_ago)
    ChatSession.objects.filter(pk=session.pk).update(
        created_at=now - dt.timedelta(minutes=started_minutes_ago), child_seen_at=seen
    )
    return session


def state(session: ChatSession) -> str:
    return ChatSession.objects.get(pk=session.pk).state


def test_a_waiting_chat_silent_past_the_timeout_is_abandoned_and_says_so(settings):
    settings.SMARTSAFE_CHAT_WAITING_TIMEOUT_MINUTES = 5
    gone = waiting("10.0.0.1", seen_minutes_ago=6)
    here = waiting("10.0.0.2", seen_minutes_ago=1)
    never_said_hello = waiting("10.0.0.3", seen_minutes_ago=None, started_minutes_ago=10)
    just_started = waiting("10.0.0.4", seen_minutes_ago=None, started_minutes_ago=1)

    assert tasks.abandon_unattended_chats.call() == 2

    assert state(gone) == ChatState.ABANDONED and state(never_said_hello) == ChatState.ABANDONED
    assert state(here) == ChatState.WAITING and state(just_started) == ChatState.WAITING
    ended = ChatSession.objects.get(pk=gone.pk)
    assert ended.ended_by == "system" and ended.ended_at is not None and ended.contact is None
    # The page, should it come back, reads that the chat ended; the audit log names the sweep.
    assert ChatMessage.objects.filter(session=gone, sender="system", body=actions.ENDED).exists()
    event = AuditEvent.objects.filter(action="chat.end", object_id=str(gone.pk)).get()
    assert event.details["by"] == "system" and event.details["state"] == ChatState.ABANDONED
    assert [s.pk for s in queries.waiting()] == [here.pk, just_started.pk]
    assert tasks.abandon_unattended_chats.call() == 0  # a second sweep finds nothing more


def test_the_timeout_is_a_setting(settings):
    chat = waiting("10.0.0.1", seen_minutes_ago=6)
    settings.SMARTSAFE_CHAT_WAITING_TIMEOUT_MINUTES = 10
    assert actions.abandon_unattended() == 0 and state(chat) == ChatState.WAITING
    settings.SMARTSAFE_CHAT_WAITING_TIMEOUT_MINUTES = 5
    assert actions.abandon_unattended() == 1 and state(chat) == ChatState.ABANDONED


def test_a_chat_a_counsellor_took_is_never_swept(counsellor):
    chat = waiting("10.0.0.1", seen_minutes_ago=60)
    actions.take_chat(actor=counsellor, session=chat)
    assert actions.abandon_unattended() == 0
    assert state(chat) == ChatState.ACTIVE


def test_only_an_open_chats_page_is_stamped():
    chat = waiting("10.0.0.1", seen_minutes_ago=60)
    actions.child_seen(chat.pk)
    stamped = ChatSession.objects.get(pk=chat.pk).child_seen_at
    assert timezone.now() - stamped < dt.timedelta(seconds=5)
    assert actions.abandon_unattended() == 0

    actions.end_chat(session=chat, by="child")
    actions.child_seen(chat.pk)
    assert ChatSession.objects.get(pk=chat.pk).child_seen_at == stamped


def test_the_sweep_is_scheduled_every_minute(settings):
    [job] = [job for job in settings.SMARTSAFE_SCHEDULE if job["name"] == "abandon-unattended-chats"]
    assert job["task"] == "smartsafe.chat.tasks.abandon_unattended_chats"
    assert job["every"] == dt.timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_a_sweep_and_a_counsellor_taking_the_same_chat_at_once(counsellor):
    """Each on its own connection: the chat ends up taken or abandoned, never both, no error."""

    for round_number in range(5):
        chat = waiting(f"10.0.1.{round_number}", seen_minutes_ago=60)
        start = threading.Barrier(2)
        errors: list[str] = []

        def run(work, start=start, errors=errors):
            try:
                start.wait(timeout=10)
                work()
            except Exception as error:  # reported by the assertion below
                errors.append(repr(error))
            finally:
                connection.close()

        def take(chat=chat):
            try:
                actions.take_chat(actor=counsellor, session=chat)
            except ValidationError:
                pass  # it was abandoned first: a counsellor is told so, not given an error page

        threads = [
            threading.Thread(target=run, args=(take,), daemon=True),
            threading.Thread(target=run, args=(actions.abandon_unattended,), daemon=True),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        final = ChatSession.objects.get(pk=chat.pk)
        if final.state == ChatState.ACTIVE:
            assert final.counsellor == counsellor and final.contact is not None
        else:
            assert final.state == ChatState.ABANDONED and final.contact is None
