"""``/api/v1/reports/``: anonymous JSON and multipart reports, status by secret, additions, limits."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from smartsafe.audit.models import AuditEvent
from smartsafe.cases.actions import update_case
from smartsafe.evidence.models import EvidenceFile
from smartsafe.portal.models import PublicReport, ReportAddition
from smartsafe.testing import make_case

from .conftest import bad_file, png

pytestmark = pytest.mark.django_db

BODY = {
    "category": "threats_blackmail",
    "description": "Someone says they will post my photos unless I pay 100 euros.",
    "when_date": "2025-04-01",
    "when_time": "18:05",
    "platforms": ["instagram", "viber"],
    "urls": ["https://www.instagram.com/p/xyz/"],
    "people": ["https://www.instagram.com/blackmailer.99/", "+381 64 555 1234"],
    "age_band": "16-17",
    "municipality": "rs-beograd",
    "in_danger": "yes",
    "reported_to": ["police"],
    "report_tickets": "KU-123/25",
    "reporter": "parent",
    "email": "parent@example.com",
    "consent": True,
}


@pytest.fixture
def api():
    # Enforce CSRF checks as a browser would: the public API must not need a token.
    return APIClient(enforce_csrf_checks=True, REMOTE_ADDR="192.0.2.44")


def _create(api, body=None, **extra):
    return api.post("/api/v1/reports/", body or BODY, format="json", **extra)


def test_create_json_returns_reference_secret_and_status_url(api):
    response = _create(api)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"reference", "follow_up_secret", "status_url"}
    assert body["status_url"] == f"http://testserver/api/v1/reports/{body['reference']}/status/"
    report = PublicReport.objects.get(reference=body["reference"])
    contact = report.contact
    assert contact.urgent is True and contact.reporter_contact == "parent@example.com"
    assert contact.reporter_type.code == "parent" and report.via == "api"
    assert {a.normalized for a in report.artefacts.all()} == {
        "url:instagram.com/p/xyz",
        "profile:instagram:blackmailer.99",
        "phone:+381645551234",
    }
    assert report.missing == ["evidence"]


def test_status_with_the_secret_and_identical_404s(api, counsellor):
    body = _create(api).json()
    ok = api.get(
        f"/api/v1/reports/{body['reference']}/status/", HTTP_X_FOLLOW_UP_SECRET=body["follow_up_secret"]
    )
    assert ok.status_code == 200
    assert set(ok.json()) == {"reference", "status", "updated_at"} and ok.json()["status"] == "received"
    wrong = api.get(f"/api/v1/reports/{body['reference']}/status/", HTTP_X_FOLLOW_UP_SECRET="nope")
    unknown = api.get(
        "/api/v1/reports/PB-2222-3333/status/", HTTP_X_FOLLOW_UP_SECRET=body["follow_up_secret"]
    )
    missing = api.get(f"/api/v1/reports/{body['reference']}/status/")
    junk = api.get("/api/v1/reports/%00%3Cscript%3E/status/", HTTP_X_FOLLOW_UP_SECRET="x")
    assert wrong.status_code == unknown.status_code == missing.status_code == junk.status_code == 404
    assert wrong.content == unknown.content == missing.content == junk.content
    report = PublicReport.objects.get(reference=body["reference"])
    case = make_case(counsellor, contacts=[report.contact])
    update_case(actor=counsellor, case=case, expected_version=None, kind="referred")
    again = api.get(body["status_url"], HTTP_X_FOLLOW_UP_SECRET=body["follow_up_secret"])
    assert again.json()["status"] == "forwarded"


def test_multipart_with_files(api):
    data = {**BODY, "files": [png("one.png"), png("two.png", color=(1, 2, 3))]}
    data["consent"] = "true"
    response = api.post("/api/v1/reports/", data, format="multipart")
    assert response.status_code == 201, response.json()
    report = PublicReport.objects.get(reference=response.json()["reference"])
    assert report.file_count == 2 and EvidenceFile.objects.filter(contact=report.contact).count() == 2
    assert report.completeness == 100


def test_a_refused_file_is_a_400_and_nothing_is_filed(api):
    response = api.post(
        "/api/v1/reports/", {**BODY, "consent": "true", "files": [bad_file()]}, format="multipart"
    )
    assert response.status_code == 400 and "files" in response.json()
    assert not PublicReport.objects.exists()


def test_csam_refuses_files_and_accepts_urls(api):
    body = {**BODY, "category": "csam", "consent": "true"}
    response = api.post("/api/v1/reports/", {**body, "files": [png()]}, format="multipart")
    assert response.status_code == 400 and "Never send" in response.json()["files"][0]
    assert not PublicReport.objects.exists() and not EvidenceFile.objects.exists()
    response = _create(api, {**BODY, "category": "csam"})
    assert response.status_code == 201
    assert "evidence" not in PublicReport.objects.get().missing


def test_bad_input_is_a_400_with_field_errors(api):
    response = _create(
        api,
        {
            "category": "nonsense",
            "urls": ["javascript:alert(1)"],
            "consent": False,
            "when_date": ["not", "a", "date"],
            "platforms": "instagram",
            "reply": "contact",
        },
    )
    assert response.status_code == 400
    errors = response.json()
    for field in (
        "category",
        "description",
        "urls",
        "consent",
        "when_date",
        "in_danger",
        "reporter",
        "email",
    ):
        assert field in errors, (field, errors)
    assert api.post("/api/v1/reports/", "[1, 2]", content_type="application/json").status_code == 400
    assert api.post("/api/v1/reports/", "{not json", content_type="application/json").status_code == 400


def test_honeypot_looks_like_success_and_keeps_nothing(api):
    response = _create(api, {**BODY, "website": "spam"})
    assert response.status_code == 201 and response.json()["reference"].startswith("PB-")
    assert not PublicReport.objects.exists()


def test_additions_land_with_the_original(api, counsellor):
    body = _create(api).json()
    report = PublicReport.objects.get(reference=body["reference"])
    case = make_case(counsellor, contacts=[report.contact])
    url = f"/api/v1/reports/{body['reference']}/additions/"
    response = api.post(
        url,
        {"text": "Another message came tonight.", "files": [png("late.png")]},
        format="multipart",
        HTTP_X_FOLLOW_UP_SECRET=body["follow_up_secret"],
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"reference": body["reference"], "files": 1}
    addition = ReportAddition.objects.get()
    assert addition.contact.case_id == case.pk
    assert api.post(url, {"text": "x"}, format="json", HTTP_X_FOLLOW_UP_SECRET="wrong").status_code == 404
    assert (
        api.post(
            url, {"text": " "}, format="json", HTTP_X_FOLLOW_UP_SECRET=body["follow_up_secret"]
        ).status_code
        == 400
    )


def test_creating_reports_is_rate_limited_per_client(api, settings):
    settings.SMARTSAFE_PORTAL_REPORTS_PER_HOUR = 2
    assert _create(api).status_code == 201
    assert _create(api).status_code == 201
    response = _create(api)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "try again in" in response.json()["detail"]
    other = APIClient(REMOTE_ADDR="192.0.2.45")
    assert _create(other).status_code == 201


def test_status_checks_are_rate_limited(api, settings):
    settings.SMARTSAFE_PORTAL_CHECKS_PER_HOUR = 2
    for _attempt in range(2):
        assert api.get("/api/v1/reports/PB-2222-3333/status/", HTTP_X_FOLLOW_UP_SECRET="x").status_code == 404
    response = api.get("/api/v1/reports/PB-2222-3333/status/", HTTP_X_FOLLOW_UP_SECRET="x")
    assert response.status_code == 429 and response["Retry-After"]


def test_the_api_report_is_audited_without_the_secret(api):
    body = _create(api).json()
    event = AuditEvent.objects.get(action="portal.report")
    assert event.via == "api" and event.actor is None
    assert body["follow_up_secret"] not in str(event.details)
