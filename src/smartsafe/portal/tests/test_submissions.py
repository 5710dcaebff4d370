"""Reports over the API are accepted at once and registered by a worker a moment later.

While a report waits, what the child wrote is only in a sealed row; the reporter's codes already
work (status "received"; an addition is asked to wait); registering it twice makes one report; a
report with files is still filed in the request. The queue here is Django's dummy backend, which
keeps tasks without running them, so each step is seen on its own.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from smartsafe.core.samples import EXAMPLE_REPORT
from smartsafe.intake.models import Contact
from smartsafe.portal import submissions
from smartsafe.portal.models import PublicReport, ReportSubmission

from .conftest import png_bytes

pytestmark = pytest.mark.django_db

PLANTED = "planted-words-he-said-he-would-post-my-photos"
ACCEPT_STATEMENTS = 6
REGISTER_STATEMENTS = 25


@pytest.fixture(autouse=True)
def queue_without_running(settings):
    settings.SMARTSAFE_PORTAL_REPORTS_PER_HOUR = 0
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def body(**changes) -> dict:
    return {**EXAMPLE_REPORT, "description": PLANTED, **changes}


def accept(client, **changes) -> dict:
    response = client.post(
        "/api/v1/reports/", data=json.dumps(body(**changes)), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    return response.json()


def register_all() -> None:
    for pk in ReportSubmission.objects.values_list("pk", flat=True):
        submissions.register.call(pk)


def test_accepted_means_sealed_and_queued_nothing_in_clear(client):
    contacts = Contact.objects.count()
    receipt = accept(client)
    submission = ReportSubmission.objects.get()
    assert submission.reference == receipt["reference"]
    assert Contact.objects.count() == contacts and not PublicReport.objects.exists()
    # The child's words are nowhere in the database in clear while the report waits.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM portal_reportsubmission")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert PLANTED not in row and PLANTED.encode().hex() not in row
    assert PLANTED.encode() not in bytes(submission.ciphertext)


def test_registering_files_the_report_under_the_reference_the_reporter_holds(client):
    receipt = accept(client)
    accepted_at = ReportSubmission.objects.get().received_at
    register_all()
    report = PublicReport.objects.select_related("contact").get()
    assert report.reference == receipt["reference"]
    assert report.contact.received_at == accepted_at  # dated when it was accepted
    assert PLANTED in json.dumps(report.answers, ensure_ascii=False)
    assert not ReportSubmission.objects.exists()
    # The follow-up secret handed out at acceptance is the report's secret.
    status = client.get(
        f"/api/v1/reports/{receipt['reference']}/status/",
        HTTP_X_FOLLOW_UP_SECRET=receipt["follow_up_secret"],
    )
    assert status.status_code == 200 and status.json()["status"] == "received"


def test_registering_twice_makes_one_report(client):
    accept(client)
    pk = ReportSubmission.objects.get().pk
    assert "registered" in submissions.register.call(pk)
    assert submissions.register.call(pk) == {"skipped": "already registered"}
    assert PublicReport.objects.count() == 1


def test_the_codes_work_while_the_report_waits(client):
    receipt = accept(client)
    headers = {"HTTP_X_FOLLOW_UP_SECRET": receipt["follow_up_secret"]}
    status = client.get(f"/api/v1/reports/{receipt['reference']}/status/", **headers)
    assert status.status_code == 200 and status.json()["status"] == "received"
    wrong = client.get(f"/api/v1/reports/{receipt['reference']}/status/", HTTP_X_FOLLOW_UP_SECRET="nope")
    assert wrong.status_code == 404
    addition = client.post(
        f"/api/v1/reports/{receipt['reference']}/additions/",
        data=json.dumps({"text": "one more thing", "in_danger": False}),
        content_type="application/json",
        **headers,
    )
    assert addition.status_code == 409 and addition["Retry-After"] == "5"
    assert "being registered" in addition.json()["detail"]
    page = client.post(
        reverse("portal:check"),
        {"reference": receipt["reference"], "secret": receipt["follow_up_secret"]},
    )
    assert page.status_code == 200 and "being registered" in page.content.decode()
    register_all()
    addition = client.post(
        f"/api/v1/reports/{receipt['reference']}/additions/",
        data=json.dumps({"text": "one more thing", "in_danger": False}),
        content_type="application/json",
        **headers,
    )
    assert addition.status_code == 201


def test_a_report_with_files_is_filed_in_the_request():
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIClient

    shot = SimpleUploadedFile("shot.png", png_bytes(), content_type="image/png")
    data = {**body(), "consent": "true", "files": [shot]}
    response = APIClient(REMOTE_ADDR="192.0.2.45").post("/api/v1/reports/", data, format="multipart")
    assert response.status_code == 201, response.content
    assert not ReportSubmission.objects.exists()
    assert PublicReport.objects.get(reference=response.json()["reference"]).file_count == 1


def test_what_acceptance_and_registration_cost(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    accept(client)  # the first report of a process also reads the taxonomy
    register_all()
    with django_assert_max_num_queries(ACCEPT_STATEMENTS), django_capture_on_commit_callbacks(execute=True):
        accept(client)
    pk = ReportSubmission.objects.get().pk
    with django_assert_max_num_queries(REGISTER_STATEMENTS), django_capture_on_commit_callbacks(execute=True):
        submissions.register.call(pk)
    assert PublicReport.objects.count() == 2


def test_a_reference_held_by_a_waiting_report_is_never_given_to_another(client, monkeypatch):
    from smartsafe.portal import actions, tokens

    receipt = accept(client)
    drawn = iter([receipt["reference"], "PB-TEST-0001"])
    monkeypatch.setattr(tokens, "new_reference", lambda: next(drawn))
    other = actions.submit_report(answers={"category": "other", "description": "x", "language": "en"})
    assert other.reference == "PB-TEST-0001"
    assert ReportSubmission.objects.get().reference == receipt["reference"]
    register_all()
    assert set(PublicReport.objects.values_list("reference", flat=True)) == {
        receipt["reference"],
        "PB-TEST-0001",
    }
