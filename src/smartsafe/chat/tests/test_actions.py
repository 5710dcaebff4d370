"""The chat's writes, reads and permissions (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from smartsafe.audit.models import AuditEvent
from smartsafe.cases.actions import open_case
from smartsafe.chat import actions, hours, permissions, queries
from smartsafe.chat.models import ChatBlock, ChatMessage, ChatSession, ChatState, Sender
from smartsafe.portal.models import PublicReport

pytestmark = pytest.mark.django_db


def start(address="10.0.0.1", **kw):
    kw.setdefault("language", "sr")
    return actions.start_chat(client=queries.client_hash(address), **kw)


def codes():
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_a_chat_starts_anonymous_with_a_secret_only_the_child_holds():
    session, secret = start(language="sr-latn")
    assert session.state == ChatState.WAITING and session.language == "sr-latn"
    assert secret not in session.secret_hash and len(secret) > 30
    assert "10.0.0.1" not in session.client_hash
    assert queries.child_session(session.pk, secret) == session
    assert queries.child_session(session.pk, secret + "x") is None
    assert queries.child_session(session.pk, "") is None
    assert queries.child_session("nonsense", secret) is None
    event = AuditEvent.objects.get(action="chat.start")
    assert event.actor is None and "10.0.0.1" not in str(event.details)


def test_messages_are_stored_once_per_client_id():
    session, _ = start()
    first = actions.post_message(session=session, sender=Sender.CHILD, text=" hello ", client_id="a1")
    again = actions.post_message(session=session, sender=Sender.CHILD, text="hello", client_id="a1")
    assert first.pk == again.pk and first.body == "hello"
    assert ChatMessage.objects.filter(session=session).count() == 1
    with pytest.raises(ValidationError):
        actions.post_message(session=session, sender=Sender.CHILD, text="   ")


def test_taking_a_chat_makes_its_contact_on_the_chat_channel(counsellor):
    session, _ = start(urgent=True)
    actions.post_message(session=session, sender=Sender.CHILD, text="Neko mi preti")
    actions.take_chat(actor=counsellor, session=session)
    session.refresh_from_db()
    contact = session.contact
    assert session.state == ChatState.ACTIVE and session.counsellor == counsellor
    assert contact.channel.code == "web_chat" and contact.channel.kind == "chat"
    assert contact.assigned_to == counsellor and contact.urgent
    assert [m.body for m in queries.transcript(session)] == ["Neko mi preti", actions.JOINED]
    assert "chat.take" in codes()


def test_only_one_of_two_counsellors_gets_the_chat(counsellor, other_counsellor):
    session, _ = start()
    actions.take_chat(actor=counsellor, session=session)
    with pytest.raises(ValidationError):
        actions.take_chat(actor=other_counsellor, session=ChatSession.objects.get(pk=session.pk))
    assert ChatSession.objects.get(pk=session.pk).counsellor == counsellor


def test_roles_that_do_not_answer_chats_cannot_take_or_write(analyst, auditor, counsellor, other_counsellor):
    session, _ = start()
    for user in (analyst, auditor):
        with pytest.raises(PermissionDenied):
            actions.take_chat(actor=user, session=session)
    actions.take_chat(actor=counsellor, session=session)
    with pytest.raises(PermissionDenied):
        actions.post_message(session=session, sender=Sender.COUNSELLOR, author=other_counsellor, text="x")
    with pytest.raises(PermissionDenied):
        actions.post_message(session=session, sender=Sender.SYSTEM, text="x")
    message = actions.post_message(
        session=session, sender=Sender.COUNSELLOR, author=counsellor, text="Tu sam"
    )
    assert message.author == counsellor


def test_the_queue_is_urgent_first_then_longest_waiting():
    first, _ = start()
    second, _ = start()
    urgent, _ = start(urgent=True)
    ChatSession.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(minutes=5))
    assert list(queries.waiting()) == [urgent, ChatSession.objects.get(pk=first.pk), second]
    assert [queries.queue_position(ChatSession.objects.get(pk=s.pk)) for s in (urgent, first, second)] == [
        1,
        2,
        3,
    ]


def test_expected_wait_grows_with_the_place_in_the_queue(settings, counsellor):
    settings.SMARTSAFE_CHAT_DEFAULT_WAIT_SECONDS = 120
    assert queries.expected_wait_seconds(1) == 120
    assert queries.expected_wait_seconds(3) == 360
    session, _ = start()
    ChatSession.objects.filter(pk=session.pk).update(created_at=timezone.now() - dt.timedelta(seconds=600))
    actions.take_chat(actor=counsellor, session=ChatSession.objects.get(pk=session.pk))
    assert 590 <= queries.expected_wait_seconds(1) <= 610  # the median of what was answered


def test_ending_and_blocking_by_keyed_hash(counsellor, settings):
    settings.SMARTSAFE_CHAT_BLOCK_HOURS = 2
    session, _ = start("192.0.2.7")
    actions.take_chat(actor=counsellor, session=session)
    actions.end_chat(session=session, actor=counsellor, block=True)
    session.refresh_from_db()
    assert session.state == ChatState.ENDED and session.contact.ended_at is not None
    block = ChatBlock.objects.get()
    assert block.client_hash == queries.client_hash("192.0.2.7")
    assert "192.0.2.7" not in block.client_hash
    assert dt.timedelta(hours=1, minutes=59) < block.expires_at - timezone.now() <= dt.timedelta(hours=2)
    with pytest.raises(actions.ChatRefused) as refused:
        start("192.0.2.7")
    assert refused.value.reason == "blocked"
    start("192.0.2.8")  # another client is not blocked
    ChatBlock.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    start("192.0.2.7")  # the block has run out
    assert {"chat.end", "chat.block"} <= set(codes())
    with pytest.raises(PermissionDenied):
        actions.post_message(session=session, sender=Sender.CHILD, text="still there?")


def test_a_child_leaving_before_an_answer_abandons_the_chat():
    session, _ = start()
    actions.end_chat(session=session, by="child")
    session.refresh_from_db()
    assert session.state == ChatState.ABANDONED and session.contact is None
    actions.end_chat(session=session, by="child")  # twice is not an error


def test_a_counsellor_ends_only_their_own_chat(counsellor, other_counsellor, supervisor):
    session, _ = start()
    actions.take_chat(actor=counsellor, session=session)
    with pytest.raises(PermissionDenied):
        actions.end_chat(session=session, actor=other_counsellor)
    actions.end_chat(session=session, actor=supervisor)
    assert ChatSession.objects.get(pk=session.pk).state == ChatState.ENDED


def test_transfer_hands_over_chat_and_contact(counsellor, other_counsellor, analyst):
    session, _ = start()
    actions.take_chat(actor=counsellor, session=session)
    with pytest.raises(PermissionDenied):
        actions.transfer_chat(actor=counsellor, session=session, to=analyst)
    with pytest.raises(PermissionDenied):
        actions.transfer_chat(actor=other_counsellor, session=session, to=other_counsellor)
    actions.transfer_chat(actor=counsellor, session=session, to=other_counsellor)
    session.refresh_from_db()
    assert session.counsellor == other_counsellor and session.contact.assigned_to == other_counsellor
    assert permissions.can_write_in(other_counsellor, session)
    assert not permissions.can_write_in(counsellor, session)
    assert queries.transcript(session)[-1].body == actions.TRANSFERRED
    assert AuditEvent.objects.get(action="chat.transfer").details["to"] == other_counsellor.username


def test_only_a_supervisor_watches_and_it_is_audited(counsellor, supervisor):
    session, _ = start()
    actions.take_chat(actor=counsellor, session=session)
    with pytest.raises(PermissionDenied):
        actions.watch_chat(actor=counsellor, session=session)
    actions.watch_chat(actor=supervisor, session=session)
    event = AuditEvent.objects.get(action="chat.watch")
    assert event.actor == supervisor and event.details["counsellor"] == counsellor.username
    assert queries.access_chat(supervisor, session.pk, watch=True) == session
    with pytest.raises(Http404):
        queries.access_chat(counsellor, session.pk, watch=True)


def test_staff_reach_only_their_own_or_waiting_chats(counsellor, other_counsellor, analyst):
    session, _ = start()
    assert queries.access_chat(other_counsellor, session.pk) == session  # waiting: anyone may take it
    actions.take_chat(actor=counsellor, session=session)
    assert queries.access_chat(counsellor, session.pk) == session
    for user in (other_counsellor, analyst):
        with pytest.raises(Http404):
            queries.access_chat(user, session.pk)
    assert list(queries.waiting_for(analyst)) == []


def test_read_receipts_mark_the_other_sides_messages(counsellor):
    session, _ = start()
    child = actions.post_message(session=session, sender=Sender.CHILD, text="hi")
    actions.take_chat(actor=counsellor, session=session)
    reply = actions.post_message(session=session, sender=Sender.COUNSELLOR, author=counsellor, text="hello")
    assert actions.mark_read(session=session, reader=Sender.CHILD, upto=reply.pk) == 2  # joined + reply
    child.refresh_from_db()
    assert child.read_at is None
    assert actions.mark_read(session=session, reader=Sender.COUNSELLOR, upto=child.pk) == 1


def test_a_chat_contact_opens_a_case_like_any_contact(counsellor):
    session, _ = start()
    actions.take_chat(actor=counsellor, session=session)
    session.refresh_from_db()
    case = open_case(actor=counsellor, contacts=[session.contact], title="Pretnje na chatu")
    session.contact.refresh_from_db()
    assert session.contact.case == case


def test_leaving_a_message_files_a_public_report():
    receipt = actions.leave_message(text="Neko mi šalje poruke", language="sr-latn", urgent=True)
    report = PublicReport.objects.get(reference=receipt.reference)
    assert report.via == "chat" and report.urgent
    assert "Neko mi šalje poruke" in report.contact.summary
    assert report.contact.channel.code == "web_form"


def test_hours_days_and_public_holidays(settings):
    settings.SMARTSAFE_CHAT_DAYS = ["mon", "tue", "wed", "thu", "fri"]
    settings.SMARTSAFE_CHAT_OPENS, settings.SMARTSAFE_CHAT_CLOSES = "08:00", "20:00"
    settings.SMARTSAFE_COUNTRY = "rs"
    zone = timezone.get_current_timezone()
    monday = dt.datetime(2026, 12, 7, 10, 0, tzinfo=zone)
    assert hours.is_open(monday)
    assert not hours.is_open(monday.replace(hour=7, minute=59))
    assert not hours.is_open(monday.replace(hour=20))
    assert not hours.is_open(monday + dt.timedelta(days=5))  # Saturday
    assert not hours.is_open(dt.datetime(2027, 1, 7, 10, 0, tzinfo=zone))  # Orthodox Christmas, a Thursday
    settings.SMARTSAFE_CLOSED_DAYS = ["2026-12-08"]
    assert not hours.is_open(monday + dt.timedelta(days=1))
    with pytest.raises(actions.ChatRefused):
        settings.SMARTSAFE_CHAT_DAYS = []
        start()


def test_canned_replies_per_language_and_script():
    from smartsafe.chat import canned
    from smartsafe.inbox.models import CannedReply

    CannedReply.objects.create(language="sr", title="Поздрав", body="Здраво, ту смо. Шта се догодило?")
    CannedReply.objects.create(language="en", title="Hello", body="Hello, we are here.")
    assert canned.for_language("sr") == [{"title": "Поздрав", "body": "Здраво, ту смо. Шта се догодило?"}]
    assert canned.for_language("sr-latn") == [
        {"title": "Pozdrav", "body": "Zdravo, tu smo. Šta se dogodilo?"}
    ]
    assert [r["title"] for r in canned.for_language("en")] == ["Hello"]
