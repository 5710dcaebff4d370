"""The public site as configured: the centre's logo and colours, a wider desktop page, no axe-core
finding on any public page (the receipt included), and a receipt that can be kept."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from tests.browser.test_public_report import file_report_as_a_child, open_context, public_site  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = ["/public/", "/public/report/1/", "/public/check/", "/advice/"]


def _violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in found]


def test_axe_finds_nothing_on_the_public_pages(live_server, browser, public_site):  # noqa: F811
    context = open_context(browser)
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    for path in PUBLIC_PAGES:
        page.goto(f"{live_server.url}{path}")
        assert _violations(page) == [], path
    reference, secret = file_report_as_a_child(page, live_server.url, "en")
    assert _violations(page) == [], "the receipt"
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", secret)  # 12 characters, in threes of four
    expect(page.get_by_role("button", name="Print the codes")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the codes as a file").click()
    saved = download.value
    assert saved.suggested_filename == f"{reference}.txt"
    text = open(saved.path(), encoding="utf-8").read()
    assert reference in text and secret in text
    context.close()


def test_identity_and_a_wider_desktop_page(live_server, browser, public_site, settings):  # noqa: F811
    settings.SMARTSAFE_CENTRE_NAME = "Helpline for Safe Internet"
    settings.SMARTSAFE_PORTAL_COLOUR = "#5b2a86"
    settings.SMARTSAFE_PORTAL_LOGO = "https://centre.example/logo.svg"
    context = open_context(browser)
    context.route(
        "https://centre.example/**",
        lambda route: route.fulfill(
            status=200,
            content_type="image/svg+xml",
            body='<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"/>',
        ),
    )
    page = context.new_page()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/public/")
    expect(page.locator(".public-brand")).to_contain_text("Helpline for Safe Internet")
    assert page.locator(".public-logo").get_attribute("src") == "https://centre.example/logo.svg"
    button = page.locator(".button-primary, a.big-action-report").first
    colour = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand').trim()")
    assert colour == "#5b2a86"
    assert button.count() == 1
    main = page.locator("main").bounding_box()
    assert main["width"] > 1000  # was 640 px (40rem) on every screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    context.close()
