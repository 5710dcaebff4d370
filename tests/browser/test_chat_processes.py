"""The chat across two real web processes joined by the Redis channel layer, and through restarts.

The child's browser talks to one ``uvicorn`` process, the counsellor's to another; both serve the
test's database and share one Redis (a prefix of their own). Then each process in turn is stopped
mid-chat while the other side writes, and started again on the same port: the browser that lost
its connection reconnects by itself and shows every message written meanwhile (they were stored
before they were delivered, and the reconnect asks for what came after the last one it saw).
"""

from __future__ import annotations

import contextlib
import secrets

import pytest
import redis
from chat_steps import child_page, child_says, child_starts_chat, record_frames, staff_page
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from playwright.sync_api import expect

from smartsafe.chat.models import ChatMessage, ChatSession, ChatState
from smartsafe.core.liveserver import Platform
from smartsafe.taxonomy import loading
from smartsafe.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REDIS_URL = "redis://127.0.0.1:6379/0"


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def platform_env(transactional_db, tmp_path):
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"Redis is not running at {REDIS_URL} (the chat across processes needs it)")
    loading.load()
    cache.clear()
    return {
        "SMARTSAFE_SECRET_KEY": settings.SECRET_KEY,  # the test's sessions sign the staff's cookie
        "SMARTSAFE_PSEUDONYM_KEY": settings.SMARTSAFE_PSEUDONYM_KEY,
        "SMARTSAFE_DEMO": "1",
        "SMARTSAFE_DATA_DIR": str(tmp_path),
        "SMARTSAFE_REDIS_URL": REDIS_URL,
        "SMARTSAFE_CHANNELS_PREFIX": f"test-chat-{secrets.token_hex(4)}",
        "SMARTSAFE_CHAT_DAYS": "mon,tue,wed,thu,fri,sat,sun",
        "SMARTSAFE_CHAT_OPENS": "00:00",
        "SMARTSAFE_CHAT_CLOSES": "24:00",
        "SMARTSAFE_CLOSED_DAYS": "",
        "SMARTSAFE_CHAT_STARTS_PER_HOUR": "0",  # the Redis cache may be shared with other runs
        "SMARTSAFE_DB_POOL_SIZE": "4",
    }


def stored(text: str) -> bool:
    return ChatMessage.objects.filter(body=text).exists()


def test_chat_across_two_web_processes_survives_restarts(platform_env, browser, tmp_path):
    problems: list[str] = []
    frames: list = []
    counsellor = make_user("counsellor", "ana-two-processes")
    log = tmp_path / "platform.log"
    url = database_url()
    stack = contextlib.ExitStack()
    child_site = stack.enter_context(Platform(url, env=platform_env, log_path=log))
    staff_site = Platform(url, env=platform_env, log_path=log)
    stack.enter_context(staff_site)
    child = child_page(browser, problems)
    staff = staff_page(browser, staff_site.base_url, counsellor, problems)
    record_frames(child, "child", frames)
    record_frames(staff, "staff", frames)
    try:
        # The counsellor's inbox (process B) learns of the chat started on process A, live.
        staff.goto(staff_site.base_url + "/contacts/")
        panel = staff.locator("[data-chat-waiting]")
        expect(panel).to_contain_text("No chat is waiting.")
        child_starts_chat(child, child_site.base_url, "sr-latn")
        expect(panel.locator(".chat-badge")).to_have_text("1")
        child_says(child, "Zdravo, neko mi preti.")
        panel.get_by_role("button", name="Take").click()
        expect(staff.locator(".chat-msg-child").filter(has_text="Zdravo, neko mi preti.")).to_be_visible()
        expect(child.locator(".chat-msg-system")).to_be_visible()

        staff.locator("[data-chat-text]").fill("Tu sam. Reci mi šta se desilo.")
        staff.locator("[data-chat-text]").press("Enter")
        expect(child.locator(".chat-msg-counsellor").filter(has_text="Tu sam.")).to_be_visible()

        # The counsellor's web process stops mid-chat; the child writes; it starts again.
        staff_site.__exit__()
        child_says(child, "Dok te nije bilo: poslao mi je sliku.")
        assert stored("Dok te nije bilo: poslao mi je sliku.")
        staff_site = Platform(url, env=platform_env, log_path=log, port=staff_site.port)
        staff_site.__enter__()
        missed = staff.locator(".chat-msg-child").filter(has_text="Dok te nije bilo")
        expect(missed).to_be_visible(timeout=30_000)

        # Now the child's web process: the counsellor writes while it is down.
        child_site.__exit__()
        staff.locator("[data-chat-text]").fill("Ne odgovaraj mu. Sačuvaj sliku.")
        staff.locator("[data-chat-text]").press("Enter")
        expect(staff.locator(".chat-msg-counsellor[data-id]").filter(has_text="Ne odgovaraj")).to_be_visible()
        child_site = Platform(url, env=platform_env, log_path=log, port=child_site.port)
        child_site.__enter__()
        missed = child.locator(".chat-msg-counsellor").filter(has_text="Ne odgovaraj")
        expect(missed).to_be_visible(timeout=30_000)
        child_says(child, "Hvala.")
        expect(staff.locator(".chat-msg-child").filter(has_text="Hvala.")).to_be_visible()
    except BaseException:
        print("\n".join(map(str, frames)))
        print(log.read_text(errors="replace")[-5000:] if log.exists() else "")
        raise
    finally:
        child.context.close()
        staff.context.close()
        stack.close()
        staff_site.__exit__()
        child_site.__exit__()
    session = ChatSession.objects.get()
    assert session.state == ChatState.ACTIVE
    child_lines = list(session.messages.filter(sender="child").values_list("body", flat=True))
    assert child_lines == ["Zdravo, neko mi preti.", "Dok te nije bilo: poslao mi je sliku.", "Hvala."]
    # Every message stored once, the resends after the reconnects included.
    assert session.messages.filter(sender="counsellor").count() == 2
    # The page errors expected while a process is down are refused websockets, not answers >= 400.
    assert [p for p in problems if not p.startswith("WebSocket")] == []
