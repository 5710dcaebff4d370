"""The public site as a child uses it, through the real pages, in each language.

A child opens the public home, switches language, reports "others are bullying me" with the
when / where / link questions answered and two screenshots attached, says who they are, sends
it, reads the reference and secret from the receipt, checks the report's status with them and
adds one more file. The same story runs with JavaScript switched off. Quick exit leaves the site
and (with JavaScript) replaces the history entry, so Back does not lead to the portal.

Fields are found by their names and values, not their words: the same steps run in Serbian
Cyrillic, Serbian Latin and English, and the page's ``lang`` proves which one was shown.
"""

from __future__ import annotations

import base64
import io
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from smartsafe.advice import starter
from smartsafe.evidence.models import EvidenceFile
from smartsafe.portal.models import PublicReport
from smartsafe.taxonomy import loading

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEUTRAL = "https://neutral.example/"
# Where quick exit goes (portal/base_public.html); the test answers it locally, nothing leaves.
EXIT_PATTERN = re.compile(r"^https://www\.google\.com/")


@pytest.fixture
def public_site(transactional_db, settings, tmp_path):
    # Transactional tests flush the tables between tests: bring back the shipped taxonomy and the
    # starter articles, exactly as the migrations load them.
    loading.load()
    starter.load()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMARTSAFE_EVIDENCE_KEY = base64.b64encode(bytes(range(32))).decode()
    settings.SMARTSAFE_EVIDENCE_KEY_FILE = ""
    settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES = []
    settings.SMARTSAFE_CLAMD_SOCKET = ""
    settings.SMARTSAFE_CLAMD_HOST = ""
    cache.clear()  # per-client rate limits
    yield
    cache.clear()


def screenshot_png(seed: int) -> bytes:
    """A small, distinct picture (different enough that the vault does not call it a duplicate)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (360, 640), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    for row in range(12):
        y = 20 + row * 50
        width = 80 + ((row * 37 + seed * 101) % 240)
        left = 20 if (row + seed) % 2 else 340 - width
        draw.rectangle([left, y, left + width, y + 34], fill=((seed * 70) % 255, 120, (row * 20) % 255))
    draw.ellipse([150 + seed * 10, 300, 250, 400], outline=(0, 0, 0), width=5)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def png_file(name: str, seed: int) -> dict:
    return {"name": name, "mimeType": "image/png", "buffer": screenshot_png(seed)}


def open_context(browser, *, javascript: bool = True):
    context = browser.new_context(
        locale="en-US", timezone_id="Europe/Belgrade", java_script_enabled=javascript
    )
    context.set_default_timeout(15_000)
    # The neutral sites the tests visit are answered here; a test never reaches the internet.
    context.route(
        EXIT_PATTERN,
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>Weather</title>"),
    )
    context.route(
        NEUTRAL + "**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>News</title>"),
    )
    return context


def watch(page, problems: list[str]) -> None:
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)


def choose_language(page, language: str) -> None:
    switch = page.locator("form.language-switch")
    switch.locator("select[name=language]").select_option(language)
    switch.locator("button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def file_report_as_a_child(page, base_url: str, language: str) -> tuple[str, str]:
    """From the public home to the receipt; returns (reference, secret)."""
    page.goto(f"{base_url}/public/")
    choose_language(page, language)
    expect(page.locator('a[href="tel:19833"]').first).to_be_visible()  # the helpline, one tap away
    expect(page.locator("[data-quick-exit]")).to_be_visible()
    page.locator("a.big-action-report").click()

    # Step 1: what happened — "others are bullying me".
    expect(page).to_have_url(re.compile(r"/public/report/1/$"))
    page.locator('input[name="category"][value="cyberbullying"]').check()
    page.locator('button[name="go"][value="next"]').click()

    # Step 2: when, where, the link, is anyone in danger.
    expect(page).to_have_url(re.compile(r"/public/report/2/$"))
    page.locator("#id_description").fill(
        "Kids from my class made a group and post mean pictures of me every evening."
    )
    page.locator("#id_when_date").fill("2025-03-14")
    page.locator("#id_when_time").fill("21:30")
    expect(page.locator("#id_when_timezone")).to_have_value("Europe/Belgrade")
    page.locator('input[name="platforms"][value="instagram"]').check()
    page.locator("#id_urls").fill("https://www.instagram.com/p/Cmean123/")
    page.locator('input[name="in_danger"][value="no"]').check()
    page.locator('button[name="go"][value="next"]').click()

    # Step 3: two screenshots.
    expect(page).to_have_url(re.compile(r"/public/report/3/$"))
    page.locator("#id_files").set_input_files([png_file("chat-1.png", 1), png_file("chat-2.png", 2)])
    page.locator('button[name="go"][value="upload"]').click()
    accepted = page.locator(".file-list .file-name")
    expect(accepted).to_have_text(["chat-1.png", "chat-2.png"])
    page.locator('button[name="go"][value="next"]').click()

    # Step 4: who is reporting — a child, anonymous — and consent.
    expect(page).to_have_url(re.compile(r"/public/report/4/$"))
    page.locator('input[name="reporter"][value="child"]').check()
    page.locator('input[name="reply"][value="anonymous"]').check()
    page.locator("#id_consent").check()
    page.locator('button[name="go"][value="send"]').click()

    # The receipt, shown once.
    expect(page.locator("#reference")).to_be_visible()
    reference = page.locator("#reference").inner_text().strip()
    secret = page.locator("#secret").inner_text().strip()
    assert reference and secret and reference != secret
    expect(page.locator("html")).to_have_attribute("lang", language)
    return reference, secret


def check_and_add_a_file(page, reference: str, secret: str, language: str) -> None:
    page.locator('main a[href$="/public/check/"]').click()  # "Check my report" on the receipt
    expect(page).to_have_url(re.compile(r"/public/check/$"))
    page.locator("#id_reference").fill(reference)
    page.locator("#id_secret").fill(secret)
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(re.compile(rf"/public/check/{reference}/status/$"))
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator("section.status.status-received .status-label")).not_to_be_empty()
    expect(page.locator("html")).to_have_attribute("lang", language)

    page.locator(f'a[href$="/public/check/{reference}/add/"]').click()
    page.locator("#id_text").fill("One more screenshot: they wrote again today.")
    page.locator("#id_files").set_input_files([png_file("chat-3.png", 3)])
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/public/check/{reference}/status/\?added=1$"))
    expect(page.locator(".notice")).to_be_visible()


def assert_report_stored(reference: str, language: str) -> None:
    report = PublicReport.objects.select_related(
        "contact__channel", "contact__reporter_type", "category"
    ).get(reference=reference)
    assert report.category.code == "cyberbullying"
    assert report.contact.channel.code == "web_form"
    assert report.contact.reporter_type.code == "child"
    assert report.contact.language == ("en" if language == "en" else "sr")
    first = EvidenceFile.objects.filter(contact=report.contact)
    assert sorted(first.values_list("filename", flat=True)) == ["chat-1.png", "chat-2.png"]
    (addition,) = report.additions.select_related("contact")
    assert list(EvidenceFile.objects.filter(contact=addition.contact).values_list("filename", flat=True)) == [
        "chat-3.png"
    ]


@pytest.mark.parametrize("language", ["sr", "sr-latn", "en"])
def test_child_reports_bullying_with_two_screenshots(live_server, browser, public_site, language):
    context = open_context(browser)
    problems: list[str] = []
    try:
        page = context.new_page()
        watch(page, problems)
        reference, secret = file_report_as_a_child(page, live_server.url, language)
        check_and_add_a_file(page, reference, secret, language)
    finally:
        context.close()
    assert_report_stored(reference, language)
    assert problems == []


def test_the_same_report_without_javascript(live_server, browser, public_site):
    context = open_context(browser, javascript=False)
    problems: list[str] = []
    try:
        page = context.new_page()
        watch(page, problems)
        reference, secret = file_report_as_a_child(page, live_server.url, "sr-latn")
        check_and_add_a_file(page, reference, secret, "sr-latn")
    finally:
        context.close()
    assert_report_stored(reference, "sr-latn")
    assert problems == []


def test_quick_exit_replaces_the_history_entry(live_server, browser, public_site):
    context = open_context(browser)
    try:
        page = context.new_page()
        page.goto(NEUTRAL)
        page.goto(f"{live_server.url}/public/report/1/")
        before = page.evaluate("history.length")
        page.locator("[data-quick-exit]").click()
        expect(page).to_have_url(EXIT_PATTERN)
        assert page.evaluate("history.length") == before  # replaced, not added
        page.go_back()
        expect(page).to_have_url(NEUTRAL)  # Back skips the portal
    finally:
        context.close()


def test_quick_exit_leaves_without_javascript(live_server, browser, public_site):
    context = open_context(browser, javascript=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/advice/")
        page.locator("[data-quick-exit]").click()
        expect(page).to_have_url(EXIT_PATTERN)
    finally:
        context.close()
