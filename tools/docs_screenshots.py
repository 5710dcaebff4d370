#!/usr/bin/env python3
"""The screenshots in docs/screenshots/, taken with Playwright and the system Chromium against a
running demo (``make run``; the demo's people log in with ``demo-<username>``).

    .venv/bin/python tools/docs_screenshots.py http://127.0.0.1:8000

Each picture is the window at 1440 × 900 (a desktop), in English.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.locator('input[name="login"]').fill(username)
    page.locator('input[name="password"]').fill(f"demo-{username}")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def shoot(page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(OUT / f"{name}.png"))
    print(OUT / f"{name}.png")


def main(base: str) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
        context.add_cookies([{"name": "django_language", "value": "en", "url": base}])

        public = browser.new_context(locale="en-US", viewport={"width": 1440, "height": 900})
        public.add_cookies([{"name": "django_language", "value": "en", "url": base}])
        child = public.new_page()
        child.goto(f"{base}/public/")
        shoot(child, "portal-home")
        child.goto(f"{base}/public/report/1/")
        child.locator('input[name="category"][value="cyberbullying"]').check()
        child.locator('button[name="go"][value="next"]').click()
        child.locator("#id_description").fill("Kids from my class post mean pictures of me every evening.")
        child.locator("#id_when_date").fill("2026-12-06")
        child.locator("#id_when_time").fill("21:30")
        child.locator('input[name="platforms"][value="instagram"]').check()
        child.locator("#id_urls").fill("https://www.instagram.com/p/Cmean123/")
        child.locator("#id_people").fill("@mean.group_7b")
        child.locator('input[name="in_danger"][value="no"]').check()
        child.locator('button[name="go"][value="next"]').click()
        child.locator('button[name="go"][value="next"]').click()
        child.locator('input[name="reporter"][value="child"]').check()
        child.locator('input[name="reply"][value="anonymous"]').check()
        child.locator("#id_consent").check()
        child.locator('button[name="go"][value="send"]').click()
        shoot(child, "portal-receipt")

        # The counsellor's side, the report just filed among today's.
        staff = context.new_page()
        log_in(staff, base, "counsellor")
        staff.goto(f"{base}/contacts/")
        shoot(staff, "inbox")
        staff.goto(f"{base}/contacts/?queue=new")
        shoot(staff, "inbox-new-queue")
        staff.goto(f"{base}/contacts/?queue=unread_today&channel=web_form")
        staff.locator("a.row-link").first.click()
        shoot(staff, "contact-web-report")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8000"))
