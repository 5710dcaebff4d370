"""A case opened from a web report starts with what the report holds: nobody retypes it."""

import pytest
from django.urls import reverse

from smartsafe.cases.actions import open_case
from smartsafe.cases.models import Case

pytestmark = pytest.mark.django_db


def _carried(case):
    assert case.child_age_band.code == "13-15"
    assert case.municipality.code == "rs-beograd"
    assert {p.code for p in case.platforms.all()} == {"instagram"}
    assert {(a.kind, a.value) for a in case.artefacts.all()} == {
        ("url", "https://www.instagram.com/p/abc123/"),
        ("username", "@bully_one"),
    }


def test_action_carries_the_report_into_the_case(counsellor, filed):
    report, _secret = filed
    case = open_case(actor=counsellor, contacts=[report.contact], title="From the portal")
    _carried(case)
    assert case.timeline.filter(kind="artefact_added").count() == 2


def test_open_page_prefills_and_the_post_records_artefacts(client, counsellor, filed):
    report, _secret = filed
    contact = report.contact
    client.force_login(counsellor)
    page = client.get(reverse("cases:open") + f"?contact={contact.pk}")
    form = page.context["form"]
    assert form.initial["child_age_band"] and form.initial["municipality"] and form.initial["platforms"]
    assert "@bully_one" in page.content.decode()
    data = {
        "contact": contact.pk,
        "title": "From the portal",
        "summary": "",
        "kind": "advisory",
        "child_age_band": form.initial["child_age_band"],
        "municipality": form.initial["municipality"],
        "platforms": form.initial["platforms"],
        "assignee": counsellor.pk,
    }
    response = client.post(reverse("cases:open"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    _carried(Case.objects.get())


def test_a_counsellor_who_clears_a_fact_clears_it(counsellor, filed):
    report, _secret = filed
    case = open_case(
        actor=counsellor, contacts=[report.contact], title="t", child_age_band=None, platforms=[]
    )
    assert case.child_age_band is None
    assert case.municipality.code == "rs-beograd"


def test_two_reports_of_the_same_profile_link_their_cases(counsellor, filed):
    from smartsafe.portal import actions
    from smartsafe.portal.models import PublicReport
    from smartsafe.portal.tests.conftest import answers

    report, _secret = filed
    first = open_case(actor=counsellor, contacts=[report.contact], title="first")
    receipt = actions.submit_report(answers=answers(urls=[]))
    second_report = PublicReport.objects.get(reference=receipt.reference)
    second = open_case(actor=counsellor, contacts=[second_report.contact], title="second")
    assert first.links_out.filter(to_case=second, reason="same_artefact").exists()
