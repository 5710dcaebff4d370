"""The screen pop in a real browser, over a real websocket.

Django's live server speaks WSGI only, so this test serves the project's ASGI application with
uvicorn in a thread (HTTP and websockets, static files through Django's finders). The exchange
posts its events to that same server, as it would in production; the counsellor's Chromium
receives the pop and opens the call form — or, with unsaved text on the page, shows a banner.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
import urllib.request

import pytest
import uvicorn
from channels.routing import ProtocolTypeRouter
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections
from django.test import Client
from playwright.sync_api import expect

from smartsafe.accounts.actions import create_api_token
from smartsafe.config import asgi
from smartsafe.inbox.models import Call
from smartsafe.taxonomy.models import Channel
from smartsafe.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def asgi_server(transactional_db):
    # The server's worker threads open their own connections: close each after its request, so
    # none is left holding the test database when it is dropped (PostgreSQL refuses then).
    db_settings = connections.settings["default"]
    max_age = db_settings.get("CONN_MAX_AGE", 0)
    db_settings["CONN_MAX_AGE"] = 0
    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(asgi.django_asgi_app),
            "websocket": asgi.application.application_mapping["websocket"],
        }
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://localhost:{port}"
    server.should_exit = True
    thread.join(10)
    db_settings["CONN_MAX_AGE"] = max_age


@pytest.fixture
def people(transactional_db):
    Channel.objects.update_or_create(
        code="phone", defaults={"name_sr": "Телефон", "name_en": "Phone", "kind": "phone", "active": True}
    )
    counsellor = make_user("counsellor", "ana.counsellor")
    counsellor.phone_extension = "201"
    counsellor.save()
    _token, key = create_api_token(actor=None, user=make_user("admin", "pbx"), name="exchange")
    return counsellor, key


def post_event(base: str, key: str, **body) -> dict:
    request = urllib.request.Request(
        base + "/api/v1/telephony/events",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Token {key}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def signed_in_page(new_page, base: str, user):
    client = Client()
    client.force_login(user)
    page = new_page()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": base}]
    )  # fmt: skip
    return page


def open_with_socket(page, url: str) -> None:
    with page.expect_websocket(lambda ws: ws.url.endswith("/ws/inbox/")) as opened:
        page.goto(url)
    ws = opened.value
    # Wait until the handshake is through: the server answers the page's ping only then.
    page.wait_for_timeout(300)
    assert not ws.is_closed()


def test_answering_a_call_opens_the_call_form(asgi_server, people, new_page, console_errors):
    counsellor, key = people
    page = signed_in_page(new_page, asgi_server, counsellor)
    open_with_socket(page, asgi_server + "/contacts/")

    post_event(asgi_server, key, call_id="b1", event="ringing", to="19833", **{"from": "+381641234567"})
    assert (
        post_event(asgi_server, key, call_id="b1", event="answered", extension="201")["answered_by"]
        == counsellor.username
    )

    expect(page).to_have_url(re.compile(r"/contacts/new/\?channel=phone&call=b1$"))
    expect(page.get_by_role("heading", name="Caller")).to_be_visible()
    expect(page.get_by_text("…567")).to_be_visible()
    page.get_by_label("What happened").fill("Asked how to report a fake profile")

    # A second call while this form holds unsaved text: a banner, nothing lost.
    post_event(asgi_server, key, call_id="b2", event="answered", extension="201", **{"from": "0111234999"})
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("Call answered")
    expect(banner).to_contain_text("…999")
    expect(banner.get_by_role("link", name="Open the call form")).to_have_attribute(
        "href", "/contacts/new/?channel=phone&call=b2"
    )
    expect(page).to_have_url(re.compile(r"call=b1$"))
    assert page.get_by_label("What happened").input_value() == "Asked how to report a fake profile"

    page.get_by_role("button", name="Save", exact=True).click()
    expect(page).to_have_url(re.compile(r"/contacts/\d+/$"))
    assert Call.objects.get(call_id="b1").contact.summary == "Asked how to report a fake profile"
    assert console_errors == []


def test_a_missed_call_appears_on_the_open_call_back_list(asgi_server, people, new_page, console_errors):
    counsellor, key = people
    page = signed_in_page(new_page, asgi_server, counsellor)
    open_with_socket(page, asgi_server + "/inbox/callbacks/")
    expect(page.get_by_text("Nobody is waiting for a call-back.")).to_be_visible()

    post_event(asgi_server, key, call_id="m1", event="ringing", **{"from": "+381641234321"})
    post_event(asgi_server, key, call_id="m1", event="hung_up", reason="caller_hangup")
    expect(page.get_by_text("…321")).to_be_visible()
    page.get_by_role("button", name="Called back").click()
    expect(page.get_by_text("Call-back recorded.")).to_be_visible()
    assert Call.objects.get(call_id="m1").callback_done_by == counsellor
    assert console_errors == []
