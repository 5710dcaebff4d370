"""What staff see of a public report: escaped text, completeness, the artefacts as text."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from smartsafe.portal import actions
from smartsafe.portal.models import PublicReport
from smartsafe.portal.queries import completeness_for_contact, staff_completeness_for
from smartsafe.testing import make_case

from .conftest import answers

pytestmark = pytest.mark.django_db

HOSTILE = 'Look: <script>alert("x")</script> and <a href="javascript:alert(1)">click</a> javascript:alert(2)'


def _file(**overrides) -> PublicReport:
    receipt = actions.submit_report(answers=answers(**overrides))
    return PublicReport.objects.get(reference=receipt.reference)


def _panel(obj, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = Template("{% load portal_tags %}{% portal_completeness obj %}")
    return template.render(Context({"obj": obj, "request": request, "csrf_token": "t"}))


def test_hostile_text_is_shown_as_text_on_the_staff_contact_page(client, counsellor):
    report = _file(description=HOSTILE, people=["@evil"], urls=["https://evil.example/x?a=<b>"])
    client.force_login(counsellor)
    html = client.get(f"/contacts/{report.contact.pk}/").content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")' not in html
    assert 'href="javascript:' not in html.lower()
    assert "javascript:alert(2)" in html  # present, as text


def test_completeness_for_contact(counsellor):
    report = _file(category="predators", urls=[], people=[], municipality="")
    score, missing = completeness_for_contact(report.contact)
    assert score == report.completeness == round(100 * 7 / 11)
    assert missing == [
        "Where: exact web addresses (URLs)",
        "Who: user names or profile links of the person responsible",
        "The child's municipality",
        "Screenshots or chat exports",
    ]
    from smartsafe.testing import make_contact

    assert completeness_for_contact(make_contact(counsellor)) == (None, [])


def test_the_panel_shows_gaps_and_artefacts_as_text(counsellor, analyst):
    report = _file(urls=["https://evil.example/<script>x"], people=["@bully_one"])
    html = _panel(report.contact, counsellor)
    assert report.reference in html and "Screenshots or chat exports" in html
    assert "<code>https://evil.example/&lt;script&gt;x</code>" in html
    assert 'href="https://evil' not in html
    assert "Add to the case" not in html  # no case yet
    case = make_case(counsellor, contacts=[report.contact])
    html = _panel(case, counsellor)
    assert f'action="/cases/{case.reference}/artefacts/"' in html and "Add to the case" in html
    assert "Add to the case" not in _panel(case, analyst)


def test_the_panel_is_empty_for_other_contacts(counsellor):
    from smartsafe.testing import make_contact

    contact = make_contact(counsellor)
    assert staff_completeness_for(contact) == []
    assert _panel(contact, counsellor).strip() == ""


def test_addition_contacts_show_the_report_panel_too(counsellor):
    report = _file()
    addition = actions.add_information(report=report, text="more")
    assert staff_completeness_for(addition.contact)[0].report == report
    assert addition.contact.reference in _panel(report.contact, counsellor)
