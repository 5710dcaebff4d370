""" "Check my report": the four public statuses, additions that land with the original, sameness of
failures, and the rate limit."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from smartsafe.audit.models import AuditEvent
from smartsafe.cases.actions import transition_case, update_case
from smartsafe.evidence.models import EvidenceFile
from smartsafe.intake.actions import close_contact, triage_contact
from smartsafe.portal.models import ReportAddition
from smartsafe.testing import make_case

from .conftest import png

pytestmark = pytest.mark.django_db


def _csrfless(html: str) -> str:
    """The page without its CSRF token and the reference the person typed (echoed back)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'value="PB-[^"]*"', "", html)


def _check(client, reference, secret):
    return client.post("/public/check/", {"reference": reference, "secret": secret})


def _status(client, report, secret) -> str:
    response = _check(client, report.reference, secret)
    assert response.status_code == 302, response.content.decode()[:2000]
    html = client.get(response["Location"]).content.decode()
    return re.search(r'class="status-label">([^<]+)<', html).group(1)


def test_codes_are_forgiving_about_case_spaces_and_dashes(filed, client):
    report, secret = filed
    typed_ref = report.reference.lower().replace("-", " ")
    typed_secret = secret.lower().replace("-", "")
    response = _check(client, typed_ref, typed_secret)
    assert response.status_code == 302 and response["Location"] == f"/public/check/{report.reference}/status/"


def test_all_four_statuses(filed, counsellor, supervisor):
    report, secret = filed
    client = Client()
    assert _status(client, report, secret) == "Received"
    triage_contact(actor=counsellor, contact=report.contact)
    assert _status(client, report, secret) == "Being handled"
    report.contact.refresh_from_db()
    case = make_case(counsellor, contacts=[report.contact])
    assert _status(client, report, secret) == "Being handled"
    case = update_case(actor=counsellor, case=case, expected_version=None, kind="referred")
    assert _status(client, report, secret) == "Forwarded to an institution"
    transition_case(actor=supervisor, case=case, action="close", resolution="advice_given")
    assert _status(client, report, secret) == "Closed"
    assert AuditEvent.objects.filter(action="portal.status").count() == 5


def test_a_closed_contact_without_a_case_reads_closed(filed, counsellor):
    report, secret = filed
    close_contact(actor=counsellor, contact=report.contact)
    assert _status(Client(), report, secret) == "Closed"


def test_status_page_shows_nothing_internal(filed, counsellor):
    report, secret = filed
    case = make_case(counsellor, contacts=[report.contact], title="Internal title: grooming suspect")
    client = Client()
    _check(client, report.reference, secret)
    html = client.get(f"/public/check/{report.reference}/status/").content.decode()
    assert case.reference not in html and "Internal title" not in html and counsellor.username not in html
    assert report.contact.reference not in html


def test_wrong_secret_and_unknown_reference_look_the_same(filed, client):
    report, secret = filed
    wrong = _check(client, report.reference, "AAAAA-BBBBB-CCCCC-DDDDD-EEEEE-FF")
    unknown = _check(client, "PB-2222-3333", secret)
    assert wrong.status_code == unknown.status_code == 200
    assert _csrfless(wrong.content.decode()) == _csrfless(unknown.content.decode())
    assert "We could not find that report" in wrong.content.decode()
    # Without a successful check the status and add pages lead back to the form.
    assert (
        client.get(f"/public/check/{report.reference}/status/")["Location"]
        == f"/public/check/{report.reference}/"
    )
    assert client.get(f"/public/check/{report.reference}/add/").status_code == 302


def test_addition_lands_on_the_case_of_the_original(filed, counsellor):
    report, secret = filed
    case = make_case(counsellor, contacts=[report.contact])
    client = Client()
    _check(client, report.reference, secret)
    response = client.post(
        f"/public/check/{report.reference}/add/",
        {"text": "He wrote again today from a new account @bully_two.", "files": [png("new.png")]},
    )
    assert response.status_code == 302 and response["Location"].endswith("/status/?added=1")
    assert "We added it to your report" in client.get(response["Location"]).content.decode()
    addition = ReportAddition.objects.get()
    contact = addition.contact
    assert contact.case_id == case.pk and contact.state == "linked"
    assert contact.channel.code == "web_form" and "@bully_two" in contact.summary
    assert report.reference in contact.summary
    assert EvidenceFile.objects.filter(contact=contact).count() == 1
    assert case.timeline.filter(kind="contact_linked", data__contact=contact.reference).exists()
    report.refresh_from_db()
    assert report.file_count == 2
    assert AuditEvent.objects.filter(action="portal.addition").count() == 1


def test_addition_without_a_case_waits_in_the_inbox_with_the_report(filed):
    report, secret = filed
    client = Client()
    _check(client, report.reference, secret)
    client.post(
        f"/public/check/{report.reference}/add/", {"text": "More: it happened again.", "in_danger": "on"}
    )
    addition = ReportAddition.objects.get()
    assert addition.contact.case_id is None and addition.contact.state == "new"
    assert addition.contact.urgent is True
    assert report.reference in addition.contact.subject


def test_addition_to_a_closed_case_stays_in_the_inbox(filed, counsellor, supervisor):
    report, secret = filed
    case = make_case(counsellor, contacts=[report.contact])
    transition_case(actor=supervisor, case=case, action="close", resolution="advice_given")
    client = Client()
    _check(client, report.reference, secret)
    client.post(f"/public/check/{report.reference}/add/", {"text": "It started again."})
    assert ReportAddition.objects.get().contact.case_id is None


def test_an_empty_addition_is_refused_and_keeps_nothing(filed):
    report, secret = filed
    client = Client()
    _check(client, report.reference, secret)
    response = client.post(f"/public/check/{report.reference}/add/", {"text": "   "})
    assert response.status_code == 200 and "Write something or choose a file" in response.content.decode()
    response = client.post(
        f"/public/check/{report.reference}/add/", {"text": "keep this text", "files": [png("x.exe")]}
    )
    html = response.content.decode()
    assert "keep this text" in html and 'role="alert"' in html
    assert not ReportAddition.objects.exists()


def test_check_attempts_are_rate_limited(filed, settings):
    settings.SMARTSAFE_PORTAL_CHECKS_PER_HOUR = 3
    report, _secret = filed
    client = Client(REMOTE_ADDR="198.51.100.9")
    for _attempt in range(3):
        assert _check(client, report.reference, "WRONG").status_code == 200
    response = _check(client, report.reference, "WRONG")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert re.search(r"try again in \d+ minutes?", response.content.decode())
    # Another client is not affected.
    assert _check(Client(REMOTE_ADDR="198.51.100.10"), report.reference, "WRONG").status_code == 200


def test_report_submissions_are_rate_limited(walker, settings):
    settings.SMARTSAFE_PORTAL_REPORTS_PER_HOUR = 1
    assert walker.file("cyberbullying").status_code == 302
    response = walker.file("cyberbullying")
    assert response.status_code == 429 and response["Retry-After"]
