"""The screen pop, end to end: the exchange posts events over HTTP, the answering counsellor's
websocket (the real ASGI application, session cookie and all, on the in-memory channel layer)
receives the pop; nobody else does; strangers cannot connect."""

from __future__ import annotations

import datetime as dt

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.utils import timezone

from smartsafe import testing
from smartsafe.config.asgi import application
from smartsafe.inbox.models import Call

from .phone import NUMBER, event

pytestmark = pytest.mark.django_db(transaction=False)

ORIGIN = (b"origin", b"http://localhost")


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def socket(cookie: str | None = None, origin=ORIGIN) -> WebsocketCommunicator:
    headers = [origin] if origin else []
    if cookie:
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/inbox/", headers=headers)


@pytest.fixture
def desk(counsellor):
    counsellor.phone_extension = "201"
    counsellor.save()
    return counsellor


@pytest.fixture
def on_commit():
    """Run ``fn`` in the main thread, where the test's database connection lives. The websocket
    tests use real transactions, so the broadcasts queued with on_commit go out as in production."""

    def run(fn):
        return sync_to_async(fn)()

    return run


# Consumers close stale database connections between queries (channels' database_sync_to_async);
# inside a test wrapped in one transaction that would close the test's own connection.
live = pytest.mark.django_db(transaction=True)


@live
def test_the_answering_counsellor_gets_the_pop_and_nobody_else(exchange, desk, other_counsellor, on_commit):
    earlier = testing.make_contact(desk, summary="Ranije: uznemiravanje na Instagramu, pretnje")
    from smartsafe.inbox import telephony

    digest, hint = telephony.caller_identity(NUMBER)
    type(earlier).objects.filter(pk=earlier.pk).update(sender_hash=digest, sender_hint=hint)
    stranger = testing.make_contact(desk, summary="Another caller")
    mine, theirs = session_cookie(desk), session_cookie(other_counsellor)

    async def scenario():
        a, b = socket(mine), socket(theirs)
        assert (await a.connect())[0] and (await b.connect())[0]

        def calls():
            event(exchange, "pop1", "ringing", from_=NUMBER)
            return event(exchange, "pop1", "answered", extension="201").json()

        answered = await on_commit(calls)
        assert answered["answered_by"] == desk.username
        pop = await a.receive_json_from(timeout=3)
        assert pop["type"] == "screen_pop"
        assert pop["url"] == "/contacts/new/?channel=phone&call=pop1"
        assert pop["caller_hint"] == "…567" and pop["withheld"] is False
        assert pop["earlier_count"] == 1
        assert [e["reference"] for e in pop["earlier"]] == [earlier.reference]
        assert pop["earlier"][0]["summary"].startswith("Ranije")
        assert stranger.reference not in str(pop)
        assert "641234567" not in str(pop)
        assert await b.receive_nothing(timeout=0.3)

        # A repeated answered event pops nothing again.
        await on_commit(lambda: event(exchange, "pop1", "answered", extension="201"))
        assert await a.receive_nothing(timeout=0.3)
        await a.disconnect()
        await b.disconnect()

    async_to_sync(scenario)()


@live
def test_a_transfer_pops_on_the_new_counsellors_screen(exchange, desk, other_counsellor, on_commit):
    theirs = session_cookie(other_counsellor)

    async def scenario():
        b = socket(theirs)
        assert (await b.connect())[0]
        await on_commit(lambda: event(exchange, "tr1", "answered", extension="201"))
        assert await b.receive_nothing(timeout=0.3)
        await on_commit(lambda: event(exchange, "tr1", "answered", username=other_counsellor.username))
        pop = await b.receive_json_from(timeout=3)
        assert pop["type"] == "screen_pop" and pop["call_id"] == "tr1" and pop["withheld"] is True
        await b.disconnect()

    async_to_sync(scenario)()


@live
def test_an_anonymous_connection_is_refused(db):
    async def scenario():
        connected, _code = await socket(None).connect()
        assert connected is False

    async_to_sync(scenario)()


@live
def test_a_forged_session_is_refused(db):
    async def scenario():
        connected, _code = await socket("not-a-session").connect()
        assert connected is False

    async_to_sync(scenario)()


@live
def test_a_foreign_origin_is_refused(counsellor):
    cookie = session_cookie(counsellor)

    async def scenario():
        connected, _code = await socket(cookie, origin=(b"origin", b"https://evil.example")).connect()
        assert connected is False

    async_to_sync(scenario)()


@live
@pytest.mark.parametrize("role", ["analyst", "prevention", "admin"])
def test_roles_without_contacts_are_refused(role):
    cookie = session_cookie(testing.make_user(role))

    async def scenario():
        connected, _code = await socket(cookie).connect()
        assert connected is False

    async_to_sync(scenario)()


@live
def test_without_a_second_factor_when_required_the_socket_is_refused(settings, counsellor):
    settings.SMARTSAFE_REQUIRE_MFA = True
    cookie = session_cookie(counsellor)

    async def scenario():
        connected, _code = await socket(cookie).connect()
        assert connected is False

    async_to_sync(scenario)()


@live
def test_ping_is_answered_and_junk_is_ignored(counsellor):
    cookie = session_cookie(counsellor)

    async def scenario():
        ws = socket(cookie)
        assert (await ws.connect())[0]
        await ws.send_to(text_data="{not json")
        await ws.send_to(bytes_data=b"\x00\x01")
        await ws.send_to(text_data="[1, 2]")
        await ws.send_json_to({"type": "ping"})
        assert await ws.receive_json_from(timeout=3) == {"type": "pong"}
        await ws.disconnect()

    async_to_sync(scenario)()


def test_the_call_form_opened_by_the_pop_logs_the_call(exchange, desk, client):
    start = timezone.now() - dt.timedelta(minutes=7)
    event(exchange, "f1", "ringing", from_=NUMBER, at=start.isoformat())
    event(exchange, "f1", "answered", extension="201", at=(start + dt.timedelta(seconds=15)).isoformat())
    event(exchange, "f1", "hung_up", at=(start + dt.timedelta(seconds=255)).isoformat())
    earlier = testing.make_contact(desk, summary="First call about a fake profile")
    from smartsafe.inbox import telephony

    type(earlier).objects.filter(pk=earlier.pk).update(sender_hash=telephony.caller_identity(NUMBER)[0])

    client.force_login(desk)
    form = client.get("/contacts/new/", {"channel": "phone", "call": "f1"})
    assert form.status_code == 200
    html = form.content.decode()
    assert 'name="call" value="f1"' in html
    assert "…567" in html and earlier.reference in html and "First call about a fake profile" in html

    saved = client.post(
        "/contacts/new/",
        {
            "channel": "phone",
            "language": "sr",
            "summary": "Caller asked about blocking",
            "call": "f1",
            "started_at": timezone.now().isoformat(),
            "intent": "save",
        },
    )
    assert saved.status_code == 302
    call = Call.objects.select_related("contact").get(call_id="f1")
    contact = call.contact
    assert contact is not None and contact.summary == "Caller asked about blocking"
    assert contact.received_at == start  # the call's start, not the form's
    assert contact.duration_seconds == 255 and contact.ended_at == call.ended_at
    assert contact.sender_hash == call.caller_hash and contact.sender_hint == "…567"
    assert contact.created_by == desk

    # Saving the same call twice (a double click) is refused with a message, the text kept.
    twice = client.post(
        "/contacts/new/",
        {"channel": "phone", "language": "sr", "summary": "Second try", "call": "f1", "intent": "save"},
    )
    assert twice.status_code == 200
    assert "logged already as" in twice.content.decode() and "Second try" in twice.content.decode()
    assert type(contact).objects.filter(summary="Second try").count() == 0

    # The next call from the same number finds both earlier contacts.
    event(exchange, "f2", "ringing", from_="0641234567")
    event(exchange, "f2", "answered", extension="201")
    page = client.get("/contacts/new/", {"call": "f2"}).content.decode()
    assert contact.reference in page and earlier.reference in page


def test_a_typed_duration_wins_over_the_exchanges(exchange, desk, client):
    event(exchange, "f3", "answered", extension="201", from_=NUMBER)
    event(exchange, "f3", "hung_up")
    client.force_login(desk)
    client.post(
        "/contacts/new/",
        {
            "channel": "phone",
            "language": "sr",
            "summary": "s",
            "call": "f3",
            "duration": "12:30",
            "intent": "save",
        },
    )
    assert Call.objects.get(call_id="f3").contact.duration_seconds == 750


def test_calls_logged_by_hand_work_without_any_exchange(client, counsellor):
    testing.channel("phone")
    assert not Call.objects.exists()
    client.force_login(counsellor)
    form = client.get("/contacts/new/")
    assert form.status_code == 200 and 'name="call"' in form.content.decode()
    saved = client.post(
        "/contacts/new/",
        {"channel": "phone", "language": "sr", "summary": "Walk-up call", "duration": "5", "intent": "save"},
    )
    assert saved.status_code == 302
    contact = type(counsellor).objects.none().model  # noqa: F841  (keeps the import list short)
    from smartsafe.intake.models import Contact

    logged = Contact.objects.get(summary="Walk-up call")
    assert logged.duration_seconds == 300 and logged.sender_hash == "" and not logged.calls.exists()


@pytest.mark.parametrize("call", ["unknown-call", "bad id", "x" * 300, "../../etc"])
def test_a_call_form_for_an_unknown_call_is_an_ordinary_call_form(client, counsellor, call):
    testing.channel("phone")
    client.force_login(counsellor)
    assert client.get("/contacts/new/", {"call": call}).status_code == 200
    saved = client.post(
        "/contacts/new/",
        {"channel": "phone", "language": "sr", "summary": "s", "call": call[:128], "intent": "save"},
    )
    assert saved.status_code in (200, 302)
