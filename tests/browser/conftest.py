"""Browser tests: Playwright's sync API driving the system Chromium against ``live_server``.

No browser is ever downloaded: the tests use ``/usr/bin/chromium`` (Debian's package; CI installs
it) and fail — not skip — when it is missing, so a broken setup cannot pass silently.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django's ORM (used by the test to set
# up data while the live server runs) refuses to run in a thread with a loop unless told it is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# A test machine running the suite in parallel may take seconds to answer: assertions wait up to
# 15 s (Playwright's default is 5) before they count as failed; a passing one returns at once.
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("SMARTSAFE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install the 'chromium' package (apt-get install chromium)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console_errors():
    """Errors the pages logged (a CSP violation shows up here); tests assert it stays empty."""
    return []


@pytest.fixture
def new_page(browser, console_errors):
    """Pages in fresh contexts (separate cookies: one per person logged in)."""
    contexts = []

    def make():
        context = browser.new_context(locale="en-US", timezone_id="Europe/Belgrade")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: console_errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda error: console_errors.append(str(error)))
        page.on(
            "response", lambda r: console_errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
        )
        return page

    yield make
    for context in contexts:
        context.close()
