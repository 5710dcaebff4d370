"""A counsellor answers a Viber message from the browser, and the reply reaches Viber.

Viber here is the local fake provider (smartsafe/inbox/tests/fake_providers.py), a real HTTP server
that checks every request as Viber does. A person writes to the centre's Viber bot: Viber's signed
callback is posted to the live server's webhook. A counsellor logs in through the login form, finds
the conversation in the inbox, reads it, sees the 24-hour reply window, answers, and the fake
provider receives ``send_message`` addressed to that person with the counsellor's text.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from smartsafe.inbox.models import OutboundMessage, OutboundStatus
from smartsafe.inbox.tests import fake_providers
from smartsafe.inbox.tests.fake_providers import VIBER_TOKEN, make_account, viber_message
from smartsafe.intake.models import Contact
from smartsafe.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The fake providers' server and its per-test reset (which also fails the test when an adapter
# sent a request the provider would refuse).
fake_provider_server = fake_providers.fake_provider_server
fake_provider = fake_providers.fake_provider

PASSWORD = "correct-horse-9"
VIBER_USER = "pWzX0mSx3DAbQXq1bWJ7TQ=="  # the person's id on Viber, as Viber sends it
QUESTION = "Neko mi šalje pretnje preko Vibera, šta da radim?"
ANSWER = "Ovde smo. Ne briši poruke, napravi snimke ekrana i piši nam šta se desilo."


def deliver_signed_webhook(base_url: str, account, payload: dict) -> int:
    """POST ``payload`` as Viber does: the raw body signed with the bot token (hex HMAC-SHA256)."""
    raw = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        f"{base_url}/inbox/webhooks/{account.webhook_token}/",
        data=raw,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Viber-Content-Signature": hmac.new(VIBER_TOKEN.encode(), raw, hashlib.sha256).hexdigest(),
        },
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        return response.status


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator('input[name="login"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def _websocket_refused(error: str) -> bool:
    # The live inbox's websocket: ``live_server`` speaks WSGI only, and the pages work without it.
    return "WebSocket connection to" in error and "/ws/" in error


def test_counsellor_answers_a_viber_message(live_server, new_page, console_errors, fake_provider):
    make_user("counsellor", "jelena.counsellor", password=PASSWORD)
    viber = make_account("viber", fake_provider, name="Pametno i bezbedno Viber")

    # --- a person writes on Viber; Viber calls the centre's webhook ---------------------------------
    payload = viber_message(7001, VIBER_USER, text=QUESTION)
    assert deliver_signed_webhook(live_server.url, viber, payload) == 200
    contact = Contact.objects.get()
    assert contact.channel.code == "viber"

    # --- the counsellor finds it in the inbox and opens it -----------------------------------------
    page = new_page()
    log_in(page, live_server.url, "jelena.counsellor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Inbox").click()
    row = page.locator("tr", has=page.get_by_role("link", name=contact.reference))
    expect(row).to_contain_text("Viber")
    row.get_by_role("link", name=contact.reference).click()
    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/$"))

    conversation = page.locator("#messenger-thread")
    expect(conversation.get_by_role("heading", name="Viber conversation")).to_be_visible()
    expect(conversation).to_contain_text(QUESTION)
    expect(conversation).to_contain_text("Reply window open until")

    # --- the answer -----------------------------------------------------------------------------
    conversation.get_by_label("Reply on Viber").fill(ANSWER)
    conversation.get_by_role("button", name="Send reply").click()

    expect(page).to_have_url(re.compile(rf"/contacts/{contact.pk}/#messenger-thread$"))
    expect(page.get_by_text("Your reply was sent on Viber.")).to_be_visible()
    sent_reply = page.locator("#messenger-thread .email-out", has_text=ANSWER)
    expect(sent_reply).to_be_visible()
    expect(sent_reply.locator(".email-status-sent")).to_have_text("Sent")

    # --- what Viber received ------------------------------------------------------------------------
    [request] = fake_provider.sent("/viber/pa/send_message")
    assert request.headers["X-Viber-Auth-Token"] == VIBER_TOKEN
    assert request.json["receiver"] == VIBER_USER
    assert request.json["type"] == "text" and request.json["text"] == ANSWER
    outbound = OutboundMessage.objects.get()
    assert outbound.status == OutboundStatus.SENT and outbound.contact == contact
    assert outbound.created_by.username == "jelena.counsellor"
    assert outbound.headers["provider_message_id"]

    # No inline script or style was blocked and no script failed (favicon 404s are not errors here).
    assert [e for e in console_errors if "favicon" not in e and not _websocket_refused(e)] == []
