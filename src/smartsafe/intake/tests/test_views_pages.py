"""The dashboard, the landing pages of other roles, and page hygiene (CSP, no inline code)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from smartsafe import testing
from smartsafe.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_dashboard_puts_urgent_work_first(client, counsellor):
    calm = testing.make_contact(counsellor, summary="Питање о подешавањима приватности")
    danger = testing.make_contact(counsellor, urgent=True, summary="Састанак са одраслим вечерас")
    case = testing.make_case(
        counsellor, contacts=[testing.make_contact(counsellor)], urgent=True, urgent_reason="Састанак вечерас"
    )
    client.force_login(counsellor)
    html = client.get(reverse("home")).content.decode()
    assert 'class="urgent-banner"' in html
    assert html.index('class="urgent-banner"') < html.index(calm.reference)
    assert html.index(danger.reference) < html.index(calm.reference)
    assert case.reference in html
    assert reverse("intake:new") in html
    # One list read audited for contacts and one for cases.
    assert AuditEvent.objects.filter(action="contact.list", actor=counsellor).count() == 1
    assert AuditEvent.objects.filter(action="case.list", actor=counsellor).count() == 1


def test_dashboard_without_urgent_work_has_no_banner(client, counsellor):
    testing.make_contact(counsellor)
    client.force_login(counsellor)
    html = client.get(reverse("home")).content.decode()
    assert "urgent-banner" not in html
    assert "My open cases" in html


def test_supervisor_sees_unassigned_count(client, supervisor, counsellor):
    contact = testing.make_contact(counsellor)
    from smartsafe.intake.actions import assign_contact

    assign_contact(actor=counsellor, contact=contact, assignee=None)
    client.force_login(supervisor)
    response = client.get(reverse("home"))
    assert response.context["unassigned_count"] == 1
    assert "open contacts nobody has taken" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("police_liaison", "referrals"),
        ("analyst", "/api/docs/"),
        ("prevention", "/api/docs/"),
        ("auditor", "/audit/"),
        ("administrator", "/admin/"),
    ],
)
def test_other_roles_get_a_landing_page(client, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert expected in response.content.decode()
    assert "urgent-banner" not in response.content.decode()


def test_navigation_follows_the_role_and_marks_the_current_section(client, counsellor, analyst):
    client.force_login(counsellor)
    html = client.get(reverse("intake:inbox")).content.decode()
    nav = html[html.index('class="mainnav"') : html.index("</nav>", html.index('class="mainnav"'))]
    assert re.search(r'class="nav-inbox is-active" aria-current="page"', nav)
    assert "nav-log" in nav and "nav-cases" in nav and "nav-audit" not in nav
    assert "Counsellor" in html  # the role is shown in the header
    client.force_login(analyst)
    nav_html = client.get(reverse("home")).content.decode()
    assert "nav-inbox" not in nav_html and "nav-log" not in nav_html and "nav-api" in nav_html


def test_language_switch_offers_three_languages(client, counsellor):
    client.force_login(counsellor)
    html = client.get(reverse("home")).content.decode()
    assert all(f'value="{code}"' in html for code in ("sr", "sr-latn", "en"))
    assert 'action="/i18n/setlang/"' in html


def pages(user, contact):
    return [
        reverse("home"),
        reverse("intake:inbox"),
        reverse("intake:inbox") + "?search=nasilje&state=new",
        reverse("intake:new"),
        reverse("intake:detail", args=[contact.pk]),
        reverse("intake:edit", args=[contact.pk]),
    ]


def test_pages_have_csp_and_no_inline_script_or_style(client, counsellor):
    contact = testing.make_contact(counsellor, urgent=True)
    client.force_login(counsellor)
    for url in pages(counsellor, contact):
        response = client.get(url)
        assert response.status_code == 200, url
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, url
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert not re.search(r"<script\b[^>]*>(?!\s*</script>)", html), url  # nothing between the tags
        assert not re.search(r"\sstyle\s*=", html), url
        assert "<style" not in html, url
        assert not re.search(r"\son[a-z]+\s*=", html), url  # no inline event handlers
        assert "django_htmx/htmx-2.min.js" in html


def test_error_pages_render_in_the_layout(client, analyst):
    client.force_login(analyst)
    response = client.get(reverse("intake:inbox"))
    assert response.status_code == 403
    assert b"You may not do this" in response.content
    assert b"Your role does not include working with contacts." in response.content
    missing = client.get("/contacts/424242/")
    assert missing.status_code == 404 and b"Not found" in missing.content


def test_static_files_referenced_by_the_layout_exist():
    from django.contrib.staticfiles import finders

    for path in ("smartsafe/app.css", "smartsafe/app.js", "django_htmx/htmx-2.min.js"):
        assert finders.find(path), path
