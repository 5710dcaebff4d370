"""From a phone call to a closed case, through the real pages, as the staff would do it.

A counsellor logs in, logs the call (urgent, with a topic), saves it and opens a case from it,
requests closure; a supervisor, in a separate browser context, approves it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from smartsafe.cases.models import Case, CaseState
from smartsafe.intake.models import Contact, ContactState
from smartsafe.taxonomy.models import Category, Channel, Municipality
from smartsafe.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-9"


@pytest.fixture
def centre(transactional_db):
    # The shipped taxonomy comes with the migrations, but transactional tests flush tables after
    # each test; make sure the few terms this story needs exist, with the names it reads.
    Channel.objects.update_or_create(
        code="phone", defaults={"name_sr": "Телефон", "name_en": "Phone", "kind": "phone", "active": True}
    )
    Category.objects.update_or_create(
        code="threats_blackmail",
        defaults={
            "name_sr": "Претње и уцене",
            "name_en": "Threats and blackmail",
            "kind": "referral",
            "active": True,
        },
    )
    Municipality.objects.update_or_create(
        code="vracar",
        defaults={"name_sr": "Врачар", "name_en": "Vračar", "district": "Beograd", "active": True},
    )
    return {
        "counsellor": make_user("counsellor", "ana.counsellor", password=PASSWORD),
        "supervisor": make_user("supervisor", "marko.supervisor", password=PASSWORD),
    }


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.locator('input[name="login"]').fill(username)
    page.locator('input[name="password"]').fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_call_to_closed_case(live_server, new_page, console_errors, centre):
    # --- the counsellor takes the call ---------------------------------------------------------
    page = new_page()
    log_in(page, live_server.url, "ana.counsellor")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Log a call").click()
    expect(page.get_by_role("heading", name="Log a call")).to_be_visible()
    page.get_by_label("What happened").fill(
        "A 13-year-old girl is blackmailed on Instagram with photos; he wants to meet her tonight."
    )
    page.get_by_label("Threats and blackmail").check()
    page.get_by_label("Child in immediate danger").check()
    page.get_by_role("button", name="Save and open case").click()

    # --- the case form, prefilled from the contact ---------------------------------------------
    expect(page).to_have_url(re.compile(r"/cases/new/\?contact=\d+$"))
    expect(page.get_by_role("heading", name="Open a case")).to_be_visible()
    contact = Contact.objects.get()
    expect(page.get_by_text(f"Contact {contact.reference} saved. Now open its case.")).to_be_visible()
    expect(page.get_by_label("Threats and blackmail")).to_be_checked()
    expect(page.get_by_label("Child in immediate danger")).to_be_checked()
    page.get_by_label("Title").fill("Sextortion on Instagram, meeting planned")
    page.get_by_label("Kind").select_option("referred")
    page.get_by_label("Why urgent").fill("An adult arranged to meet the child tonight")
    page.get_by_label("Municipality").select_option(label="Vračar (Beograd)")
    page.get_by_role("button", name="Open case").click()

    # --- the case page -------------------------------------------------------------------------
    expect(page.locator(".case-reference")).to_have_text(re.compile(r"^SS-\d{4}-\d{6}$"))
    reference = page.locator(".case-reference").inner_text()
    expect(page.get_by_text(f"Case {reference} opened.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="URGENT")).to_contain_text(
        "An adult arranged to meet the child tonight"
    )
    expect(page.locator("#contacts")).to_contain_text(contact.reference)
    expect(page.locator("#timeline")).to_contain_text("opened the case")

    page.get_by_text("Close the case…").click()
    page.get_by_label("Resolution").select_option(label="Referred; institution has acted")
    page.get_by_label("Closure note").fill("Police high-tech crime unit took it over.")
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_text("Closure awaiting a supervisor's approval.")).to_be_visible()
    expect(page.locator(".case-header .badge-state-pending_closure")).to_have_text(
        "Closure awaiting approval"
    )
    expect(page.get_by_role("button", name="Approve closure")).to_have_count(0)

    # --- the supervisor approves, in a browser context of their own -----------------------------
    boss = new_page()
    log_in(boss, live_server.url, "marko.supervisor")
    boss.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    row = boss.locator("tr", has_text=reference)
    expect(row).to_have_class(re.compile(r"\bis-urgent\b"))
    row.get_by_role("link", name=reference).click()
    expect(boss.get_by_text("Closure awaiting a supervisor's approval.")).to_be_visible()
    boss.get_by_role("button", name="Approve closure").click()
    expect(boss.get_by_text("The case is now “Closed”.")).to_be_visible()
    expect(boss.locator(".case-header .badge-state-closed")).to_have_text("Closed")
    expect(boss.locator("#timeline")).to_contain_text("Approve closure")

    case = Case.objects.get(reference=reference)
    assert case.state == CaseState.CLOSED and case.closed_by.username == "marko.supervisor"
    assert case.urgent and case.kind == "referred" and case.municipality.code == "vracar"
    contact.refresh_from_db()
    assert contact.state == ContactState.LINKED and contact.case == case
    # No inline script or style was blocked and no script failed (favicon 404s are not errors here).
    assert [e for e in console_errors if "favicon" not in e] == []
