"""Steps of a chat in real browsers, shared by the chat's browser tests (one process, two processes)."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

EXIT_PATTERN = re.compile(r"^https://www\.google\.com/")


def watch(page, problems: list[str]) -> None:
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)


def record_frames(page, name: str, log: list) -> None:
    """Every websocket frame of ``page`` into ``log`` (printed when a test fails)."""

    def on_socket(ws):
        ws.on("framereceived", lambda frame: log.append((name + " <", frame)))
        ws.on("framesent", lambda frame: log.append((name + " >", frame)))
        ws.on("close", lambda _ws: log.append((name, "closed")))

    page.on("websocket", on_socket)


def child_page(browser, problems: list[str]):
    context = browser.new_context(locale="en-US", timezone_id="Europe/Belgrade")
    context.set_default_timeout(15_000)
    context.route(
        EXIT_PATTERN,
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>"),
    )
    page = context.new_page()
    watch(page, problems)
    return page


def staff_page(browser, base: str, user, problems: list[str]):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en-US", timezone_id="Europe/Belgrade")
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
          "url": base}]
    )  # fmt: skip
    page = context.new_page()
    watch(page, problems)
    return page


def child_starts_chat(page, base: str, language: str) -> None:
    """From the public home page: switch language, follow the chat link, start, write."""
    page.goto(base + "/public/")
    switch = page.locator("form.language-switch")
    switch.locator("select[name=language]").select_option(language)
    switch.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator('a[href="/public/chat/"]').first.click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("[data-chat-nojs]")).to_be_hidden()
    page.locator("[data-chat-start] button[type=submit]").click()
    expect(page.locator("[data-chat-status]")).to_contain_text("1")  # first in the queue


def child_says(page, text: str) -> None:
    page.locator("[data-chat-text]").fill(text)
    page.locator("[data-chat-text]").press("Enter")
    expect(page.locator(".chat-msg-child[data-id]").filter(has_text=text)).to_be_visible()


def counsellor_takes_chat(page, base: str) -> None:
    page.goto(base + "/contacts/")
    panel = page.locator("[data-chat-waiting]")
    expect(panel.locator(".chat-badge")).to_have_text("1")
    panel.get_by_role("button", name="Take").click()
    expect(page).to_have_url(re.compile(r"/chat/\d+/$"))
    expect(page.locator("#chat[data-ready]")).to_be_attached()  # the chat's script is running


def counsellor_says(page, text: str) -> None:
    page.locator("[data-chat-text]").fill(text)
    page.locator("[data-chat-text]").press("Enter")
    expect(page.locator(".chat-msg-counsellor[data-id]").filter(has_text=text)).to_be_visible()
