"""Statistics at a desktop width: the page is as wide as the window, wide tables scroll inside
their card, and every chart label is drawn whole inside its chart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from smartsafe.taxonomy import loading
from smartsafe.taxonomy.models import Category, Channel
from smartsafe.testing import make_case, make_contact, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-9"


@pytest.fixture
def figures(transactional_db):
    loading.load()
    counsellor = make_user("counsellor", "ana.counsellor", password=PASSWORD)
    counsellor.display_name = "Ана Јовановић-Милосављевић"
    counsellor.save()
    make_user("supervisor", "marko.supervisor", password=PASSWORD)
    now = timezone.now()
    channels = list(Channel.objects.filter(code__in=["messenger", "web_form", "phone", "email", "viber"]))
    categories = list(Category.objects.filter(kind="referral"))
    for i in range(40):
        contact = make_contact(
            counsellor, channel=channels[i % len(channels)], received_at=now - dt.timedelta(days=17 * i)
        )
        if i % 3 == 0:
            make_case(counsellor, contacts=[contact], categories=categories[i % 4 :: 3], kind="referred")


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator('input[name="login"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.mark.parametrize("width", [1440, 1024])
def test_statistics_fit_the_window(live_server, new_page, console_errors, figures, width):
    page = new_page()
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "marko.supervisor")
    page.goto(f"{live_server.url}/statistics/")
    expect(page.get_by_role("heading", name="Contacts by channel")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # A table wider than its card scrolls inside it: its wrapper is what overflows, never the card.
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.stats-block')].filter(
             card => card.scrollWidth > card.clientWidth + 1).map(card => card.id)"""
    )
    assert overflowing == []

    # Every label of every chart lies inside its picture ("acebook Messenger" lost its "F").
    clipped = page.evaluate(
        """() => {
          const out = [];
          for (const svg of document.querySelectorAll('svg.chart')) {
            const box = svg.getBoundingClientRect();
            for (const text of svg.querySelectorAll('text')) {
              const r = text.getBoundingClientRect();
              const outside = r.left < box.left - 0.5 || r.right > box.right + 0.5;
              if (r.width && outside) out.push(text.textContent);
            }
          }
          return out;
        }"""
    )
    assert clipped == []
    expect(page.locator("svg.chart text", has_text="Facebook Messenger").first).to_be_visible()
    assert console_errors == []
