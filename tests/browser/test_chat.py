"""Live chat in two real browsers, a child and a counsellor, over real websockets, per language.

The project's ASGI application is served by uvicorn in a thread (as in test_screen_pop.py), so the
websockets and the pages share this test's database and settings (in-memory channel layer).
"""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest
import uvicorn
from channels.routing import ProtocolTypeRouter
from chat_steps import (
    child_page,
    child_says,
    child_starts_chat,
    counsellor_takes_chat,
    staff_page,
)
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.core.cache import cache
from django.db import connections
from playwright.sync_api import expect

from smartsafe import testing
from smartsafe.chat.models import ChatSession, ChatState
from smartsafe.config import asgi
from smartsafe.inbox.models import CannedReply
from smartsafe.taxonomy import loading
from smartsafe.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def chat_site(transactional_db, settings, tmp_path):
    loading.load()  # transactional tests flush the shipped taxonomy (the web_chat channel)
    testing.use_test_vault(settings, tmp_path / "media")  # a throw-away evidence vault
    settings.SMARTSAFE_CHAT_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    settings.SMARTSAFE_CHAT_OPENS, settings.SMARTSAFE_CHAT_CLOSES = "00:00", "24:00"
    settings.SMARTSAFE_CLOSED_DAYS = []
    cache.clear()
    db_settings = connections.settings["default"]
    max_age = db_settings.get("CONN_MAX_AGE", 0)
    db_settings["CONN_MAX_AGE"] = 0
    app = ProtocolTypeRouter(
        {
            "http": ASGIStaticFilesHandler(asgi.django_asgi_app),
            "websocket": asgi.application.application_mapping["websocket"],
        }
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
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
    cache.clear()


GREETING = {
    "sr": "Здраво, неко ми прети на Инстаграму.",
    "sr-latn": "Zdravo, neko mi preti na Instagramu.",
    "en": "Hi, someone is threatening me on Instagram.",
}
QUESTION = {
    "sr": "Да ли си сада безбедан?",
    "sr-latn": "Da li si sada bezbedan?",
    "en": "Are you safe right now?",
}
ANSWER = {"sr": "јесам, код куће сам", "sr-latn": "jesam, kod kuće sam", "en": "yes, I am at home"}
# SMARTSAFE_SCREENSHOT=docs/chat.png: the English run also draws the child's and the counsellor's
# pages side by side into that file (the picture in docs/chat.md).
SCREENSHOT = os.environ.get("SMARTSAFE_SCREENSHOT", "")


def png_bytes() -> bytes:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 160), (250, 250, 250))
    ImageDraw.Draw(image).rectangle([20, 20, 200, 60], fill=(180, 30, 30))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def screenshot(child, staff, path: str) -> None:
    import io

    from PIL import Image

    child.set_viewport_size({"width": 420, "height": 860})
    staff.set_viewport_size({"width": 1180, "height": 860})
    shots = [Image.open(io.BytesIO(page.screenshot())) for page in (child, staff)]
    canvas = Image.new(
        "RGB", (sum(s.width for s in shots) + 24, max(s.height for s in shots)), (200, 202, 209)
    )
    canvas.paste(shots[0], (0, 0))
    canvas.paste(shots[1], (shots[0].width + 24, 0))
    canvas.save(path, optimize=True)


@pytest.mark.parametrize("language", ["sr", "sr-latn", "en"])
def test_child_and_counsellor_chat_end_to_end(chat_site, browser, language):
    base = chat_site
    problems: list[str] = []
    counsellor = make_user("counsellor", f"ana-{language}")
    canned = {"sr": "Здраво, ту смо.", "sr-latn": "Zdravo, tu smo.", "en": "Hello, we are here."}[language]
    CannedReply.objects.create(
        language="en" if language == "en" else "sr",
        title="Поздрав/Hello",
        body="Hello, we are here." if language == "en" else "Здраво, ту смо.",
    )
    child = child_page(browser, problems)
    staff = staff_page(browser, base, counsellor, problems)
    frames_seen = []
    for name, p in (("staff", staff), ("child", child)):
        p.on(
            "websocket",
            lambda ws, name=name: (
                ws.on("framereceived", lambda f: frames_seen.append((name + "<", f))),
                ws.on("framesent", lambda f: frames_seen.append((name + ">", f))),
                ws.on("close", lambda w: frames_seen.append((name, "CLOSE"))),
            ),
        )
    try:
        child_starts_chat(child, base, language)
        child_says(child, GREETING[language])

        counsellor_takes_chat(staff, base)
        expect(staff.locator(".chat-msg-child").filter(has_text=GREETING[language])).to_be_visible()
        expect(child.locator(".chat-msg-system")).to_be_visible()  # "a counsellor has joined"
        # The child's message was shown to the counsellor: the child sees it read.
        expect(child.locator(".chat-msg-child .chat-read")).to_be_visible()

        # Canned reply of the chat's language (Latin script for a Serbian Latin chat).
        canned = {"sr": "Здраво, ту смо.", "sr-latn": "Zdravo, tu smo.", "en": "Hello, we are here."}[
            language
        ]
        staff.locator("[data-chat-canned]").select_option(
            label="Pozdrav/Hello" if language == "sr-latn" else "Поздрав/Hello"
        )
        expect(staff.locator("[data-chat-text]")).to_have_value(canned)
        staff.locator("[data-chat-text]").fill("")
        staff.locator("[data-chat-text]").press_sequentially(QUESTION[language], delay=20)
        expect(child.locator("[data-chat-typing]")).to_be_visible()
        staff.locator("[data-chat-text]").press("Enter")
        expect(child.locator(".chat-msg-counsellor").filter(has_text=QUESTION[language])).to_be_visible()
        expect(staff.locator(".chat-msg-counsellor .chat-read")).to_be_visible()

        child.locator("[data-chat-text]").press_sequentially(ANSWER[language], delay=20)
        expect(staff.locator("[data-chat-typing]")).to_be_visible()
        child.locator("[data-chat-text]").press("Enter")
        expect(staff.locator(".chat-msg-child").filter(has_text=ANSWER[language])).to_have_count(1)

        if SCREENSHOT and language == "en":
            screenshot(child, staff, SCREENSHOT)

        # A screenshot of the threats, sent in the chat: into the evidence vault, shown to both.
        child.locator("[data-chat-file]").set_input_files(
            {"name": "threat.png", "mimeType": "image/png", "buffer": png_bytes()}
        )
        expect(staff.locator(".chat-msg-child").filter(has_text="threat.png")).to_be_visible()
        expect(child.locator(".chat-msg-child[data-id]").filter(has_text="threat.png")).to_be_visible()

        # A reload of the child's page resumes the chat with everything in it.
        child.reload()
        expect(child.locator(".chat-msg-counsellor").filter(has_text=QUESTION[language])).to_be_visible()
        expect(child.locator(".chat-msg-child[data-id]")).to_have_count(3)  # the file too

        staff.get_by_role("button", name="End the chat").click()
        expect(child.locator("[data-chat-compose]")).to_be_hidden()
        expect(child.locator("[data-chat-status]")).not_to_be_empty()
    except BaseException:
        print("\n".join(map(str, frames_seen)), problems)
        raise
    finally:
        child.context.close()
        staff.context.close()
    session = ChatSession.objects.get()
    assert session.state == ChatState.ENDED and session.language == language
    assert session.contact.channel.code == "web_chat"
    assert [m.body for m in session.messages.filter(sender="child")] == [
        GREETING[language],
        ANSWER[language],
        "threat.png",
    ]
    assert session.messages.get(body="threat.png").evidence.contact == session.contact
    assert problems == []


def test_quick_exit_ends_the_chat_and_forgets_it(chat_site, browser):
    base = chat_site
    problems: list[str] = []
    child = child_page(browser, problems)
    try:
        child_starts_chat(child, base, "en")
        child_says(child, "I want to leave")
        child.locator("[data-quick-exit]").click()
        expect(child).to_have_title("Weather")
        child.goto(base + "/public/chat/")
        expect(child.locator("[data-chat-start]")).to_be_visible()  # nothing of the chat is left
        assert child.evaluate("sessionStorage.length") == 0
    finally:
        child.context.close()
    deadline = time.monotonic() + 10
    while ChatSession.objects.get().state != ChatState.ABANDONED:
        assert time.monotonic() < deadline, "quick exit did not end the chat"
        time.sleep(0.1)
    assert problems == []


def test_without_javascript_the_page_is_the_message_form(chat_site, browser):
    context = browser.new_context(java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        page.goto(chat_site + "/public/chat/")
        expect(page.locator("#chat")).to_be_hidden()
        page.locator("[data-chat-leave]").get_by_label("Your message").fill(
            "Someone is blackmailing my friend"
        )
        page.get_by_role("button", name="Send the message").click()
        expect(page.locator("#reference")).to_be_visible()
    finally:
        context.close()


def test_the_snippet_on_a_school_site_opens_the_chat(chat_site, browser, tmp_path):
    # The school's page on a server of its own (another origin than the centre's "localhost").
    import functools
    import http.server

    (tmp_path / "index.html").write_text(
        "<!doctype html><title>OŠ Vuk Karadžić</title><h1>Naša škola</h1>"
        f'<script src="{chat_site}/static/chat/embed.js" data-language="sr-latn" defer></script>',
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    school = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=school.serve_forever, daemon=True).start()
    context = browser.new_context(locale="en-US")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{school.server_address[1]}/")
        with context.expect_page() as opened:
            page.get_by_role("button", name="Razgovaraj sa savetnikom").click()
        chat = opened.value
        expect(chat.locator("html")).to_have_attribute("lang", "sr-latn")
        chat.wait_for_load_state("load")
        expect(chat.locator("[data-chat-nojs]")).to_be_hidden()  # the chat's script is running
        chat.locator("[data-chat-start] button[type=submit]").click()
        expect(chat.locator("[data-chat-status]")).to_contain_text("1")
        # The school's page stays where it was, and the chat window cannot reach back into it.
        assert page.url == f"http://127.0.0.1:{school.server_address[1]}/"
        assert chat.evaluate("window.opener === null")
    finally:
        context.close()
        school.shutdown()
    assert ChatSession.objects.get().via == "embed"


def test_a_refused_start_says_so_and_keeps_the_start_button(chat_site, browser):
    """The start view's refusal is not JSON here (Django's CSRF page: the cookie went away)."""
    problems: list[str] = []
    child = child_page(browser, problems)
    try:
        child.goto(chat_site + "/public/chat/")
        expect(child.locator("[data-chat-nojs]")).to_be_hidden()
        child.context.clear_cookies()
        child.locator("[data-chat-start] button[type=submit]").click()
        expect(child.locator("[data-chat-error]")).to_contain_text("could not start")
        expect(child.locator("[data-chat-start] button[type=submit]")).to_be_visible()
        expect(child.locator("[data-chat-compose]")).to_be_hidden()
    finally:
        child.context.close()
    assert not ChatSession.objects.exists()
    # The one problem is the refusal itself (its response, and the console's line for it).
    assert [p for p in problems if "403" not in p] == []
