"""The unified inbox: every channel with its icon, unread state, waiting time, take, live refresh."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import transaction
from django.test import AsyncClient, Client
from django.utils import timezone

from smartsafe import testing
from smartsafe.config.asgi import application
from smartsafe.inbox import live
from smartsafe.inbox.models import ContactOpened
from smartsafe.intake import actions

pytestmark = pytest.mark.django_db

INBOX = "/contacts/"


def row(html: str, contact) -> str:
    match = re.search(
        rf'<tr[^>]*>\s*<td[^>]*><a href="/contacts/{contact.pk}/" class="ref">.*?</tr>', html, re.S
    )
    assert match, f"no row for {contact.reference}"
    return match.group(0)


def received(channel_code: str, **fields):
    fields.setdefault("summary", "Poruka sa kanala")
    contact, _created = actions.receive_contact(channel=testing.channel(channel_code), **fields)
    return contact


# --- one list for every channel -----------------------------------------------------------------


def test_every_channel_has_its_icon_drawn_in_the_page(client, counsellor):
    contacts = {code: received(code) for code in ("email", "viber", "web_form", "phone")}
    client.force_login(counsellor)
    html = client.get(INBOX).content.decode()
    for code, contact in contacts.items():
        assert f'<symbol id="channel-{code}"' in html
        assert f'<use href="#channel-{code}">' in row(html, contact)
    assert "<img" not in html and "http://" not in html.split("<body", 1)[1].replace("http://www.w3.org", "")


def test_a_contact_is_unread_until_a_caseworker_opens_it(client, counsellor, auditor):
    contact = received("email")
    client.force_login(auditor)
    assert "Unread" in row(client.get(INBOX).content.decode(), contact)
    client.get(f"/contacts/{contact.pk}/")  # an auditor's read does not count
    assert not ContactOpened.objects.exists()

    client.force_login(counsellor)
    assert "Unread" in row(client.get(INBOX).content.decode(), contact)
    client.get(f"/contacts/{contact.pk}/")
    opened = ContactOpened.objects.get(contact=contact)
    assert opened.first_opened_by == counsellor
    assert "Unread" not in row(client.get(INBOX).content.decode(), contact)
    client.force_login(testing.make_user("supervisor"))
    client.get(f"/contacts/{contact.pk}/")
    assert ContactOpened.objects.get(contact=contact).first_opened_by == counsellor  # the first one stays


def test_waiting_time_shows_for_new_contacts_only(client, counsellor):
    waiting = received("viber", received_at=timezone.now() - dt.timedelta(minutes=12))
    done = received("viber", received_at=timezone.now() - dt.timedelta(minutes=30))
    actions.close_contact(actor=counsellor, contact=done)
    client.force_login(counsellor)
    html = client.get(INBOX).content.decode()
    assert re.search(r"waiting 12\xa0minutes", row(html, waiting))
    assert "waiting" not in row(html, done)


def test_urgent_first_in_the_queues_whatever_the_channel(client, counsellor):
    now = timezone.now()
    old_urgent = received("telegram", urgent=True, received_at=now - dt.timedelta(days=1))
    newest = received("email", received_at=now)
    client.force_login(counsellor)
    html = client.get(INBOX, {"queue": "new"}).content.decode()
    assert html.index(f">{old_urgent.reference}<") < html.index(f">{newest.reference}<")
    html = client.get(INBOX, {"queue": "urgent"}).content.decode()
    assert f">{old_urgent.reference}<" in html and f">{newest.reference}<" not in html


def test_take_from_the_list(client, counsellor):
    contact = received("email")
    client.force_login(counsellor)
    html = row(client.get(INBOX).content.decode(), contact)
    assert f'action="/contacts/{contact.pk}/assign/"' in html and 'value="me"' in html
    client.post(f"/contacts/{contact.pk}/assign/", {"assignee": "me"})
    contact.refresh_from_db()
    assert contact.assigned_to == counsellor
    assert "Take" not in row(client.get(INBOX).content.decode(), contact)


def test_the_page_loads_live_updates_without_inline_scripts(client, counsellor):
    asgi = AsyncClient()  # served as under uvicorn: an ASGIRequest
    asgi.force_login(counsellor)
    response = async_to_sync(asgi.get)(INBOX)
    html = response.content.decode()
    assert re.search(r'<script src="/static/inbox/live\.js" defer', html)
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))  # no inline script
    assert 'hx-trigger="live:contact from:body"' in html and 'hx-include="#inbox-filters"' in html
    assert "script-src 'self'" in response["Content-Security-Policy"]
    # The partial the live refresh asks for keeps the filters.
    client.force_login(counsellor)
    received("email")
    partial = client.get(INBOX, {"channel": "viber"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "0 contacts" in partial


def test_no_socket_where_it_cannot_work(client, counsellor, analyst):
    """Under WSGI there is no websocket to open; roles the socket refuses are not sent to knock."""
    client.force_login(counsellor)
    assert "inbox/live.js" not in client.get(INBOX).content.decode()
    asgi = AsyncClient()
    asgi.force_login(analyst)
    page = async_to_sync(asgi.get)("/")
    assert page.status_code == 200 and "inbox/live.js" not in page.content.decode()


def test_live_js_is_served(client):
    from django.contrib.staticfiles import finders

    path = finders.find("inbox/live.js")
    assert path and "/ws/inbox/" in open(path, encoding="utf-8").read()


# --- broadcasts ------------------------------------------------------------------------------------


def test_a_layer_that_is_missing_or_broken_never_fails_the_write(settings):
    settings.CHANNEL_LAYERS = {}
    assert live.send_now("inbox", {"type": "contact"}) is False
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "no.such.Layer"}}
    assert live.send_now("inbox", {"type": "contact"}) is False


def test_a_broadcast_waits_for_the_commit(django_capture_on_commit_callbacks, settings):
    settings.CHANNEL_LAYERS = {}
    with django_capture_on_commit_callbacks() as callbacks:
        received("email")
    # receive_contact queued exactly one broadcast, run after commit (beside the audit seal)
    broadcasts = [c for c in callbacks if getattr(c, "__name__", "") != "_seal_after_commit"]
    assert len(broadcasts) == 1


def _cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def _socket(cookie: bytes) -> WebsocketCommunicator:
    return WebsocketCommunicator(
        application, "/ws/inbox/", headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)]
    )


@pytest.mark.django_db(transaction=True)
def test_every_open_inbox_hears_of_an_arrival_and_of_a_first_opening(counsellor, supervisor):
    testing.channel("email")
    cookies = _cookie(counsellor), _cookie(supervisor)

    async def scenario():
        a, b = _socket(cookies[0]), _socket(cookies[1])
        assert (await a.connect())[0] and (await b.connect())[0]
        contact = await sync_to_async(received)("email", urgent=True)
        for ws in (a, b):
            assert await ws.receive_json_from(timeout=3) == {
                "type": "contact",
                "id": contact.pk,
                "urgent": True,
            }

        def rolled_back():
            try:
                with transaction.atomic():
                    received("email", summary="never committed")
                    raise RuntimeError
            except RuntimeError:
                pass

        await sync_to_async(rolled_back)()
        assert await a.receive_nothing(timeout=0.3)

        def open_it():
            client = Client()
            client.force_login(counsellor)
            return client.get(f"/contacts/{contact.pk}/").status_code

        assert await sync_to_async(open_it)() == 200
        assert (await b.receive_json_from(timeout=3))["type"] == "read"
        await a.disconnect()
        await b.disconnect()

    async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_missed_calls_refresh_the_call_back_list(counsellor):
    from .phone import event, token_client

    exchange = token_client(testing.make_user("admin", username="pbx"))
    cookie = _cookie(counsellor)

    async def scenario():
        ws = _socket(cookie)
        assert (await ws.connect())[0]
        await sync_to_async(lambda: event(exchange, "lv1", "ringing", from_="0641234567"))()
        assert await ws.receive_nothing(timeout=0.3)
        await sync_to_async(lambda: event(exchange, "lv1", "hung_up"))()
        assert await ws.receive_json_from(timeout=3) == {"type": "calls"}
        await ws.disconnect()

    async_to_sync(scenario)()


def test_the_call_back_page_refreshes_itself_on_live_events(client, counsellor):
    client.force_login(counsellor)
    html = client.get("/inbox/callbacks/").content.decode()
    assert 'hx-trigger="live:calls from:body"' in html
    partial = client.get("/inbox/callbacks/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Nobody is waiting" in partial


def test_in_embedded_mode_a_group_nobody_joined_costs_no_trip_through_the_event_loop():
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    layer.groups.pop(live.INBOX_GROUP, None)
    assert live.send_now(live.INBOX_GROUP, {"type": "contact", "id": 1}) is False
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(live.INBOX_GROUP, channel)
    try:
        assert live.send_now(live.INBOX_GROUP, {"type": "contact", "id": 2}) is True
        message = async_to_sync(layer.receive)(channel)
        assert message["payload"] == {"type": "contact", "id": 2}
    finally:
        async_to_sync(layer.group_discard)(live.INBOX_GROUP, channel)
