"""The guided report through the real pages, as a child or parent would file it (no JavaScript)."""

from __future__ import annotations

import re

import pytest

from smartsafe.audit.models import AuditEvent
from smartsafe.evidence.models import EvidenceFile
from smartsafe.intake.models import Contact
from smartsafe.portal import tokens
from smartsafe.portal.models import DraftFile, PublicReport, ReportDraft

from .conftest import ABOUT, DETAILS, bad_file, png

pytestmark = pytest.mark.django_db


def _codes(html: str) -> tuple[str, str]:
    reference = re.search(r'id="reference">([^<]+)<', html).group(1)
    secret = re.search(r'id="secret">([^<]+)<', html).group(1)
    return reference, secret


def test_predators_report_with_two_screenshots(walker):
    response = walker.file("predators", uploads=[png("chat.png"), png("profile.png", color=(0, 90, 200))])
    assert response.status_code == 302 and response["Location"] == "/public/report/done/"
    done = walker.client.get("/public/report/done/")
    reference, secret = _codes(done.content.decode())
    assert tokens.normalize_reference(reference) == reference

    report = PublicReport.objects.get(reference=reference)
    assert tokens.secret_matches(secret, report.secret_hash) and secret not in report.secret_hash
    contact = report.contact
    assert contact.channel.code == "web_form"
    assert [t.code for t in contact.topics.all()] == ["predators"]
    assert contact.urgent is False
    assert contact.reporter_type.code == "child"
    assert contact.reporter_contact == "" and contact.reporter_name == ""
    assert DETAILS["description"] in contact.summary and reference in contact.summary
    assert "IG-555" in contact.summary and "Europe/Belgrade" in contact.summary
    assert EvidenceFile.objects.filter(contact=contact).count() == 2
    assert report.file_count == 2
    assert report.completeness == 100 and report.missing == []
    assert report.answers["when"]["at"] == "2025-03-14T21:30:00+01:00"
    assert {(a.kind, a.normalized) for a in report.artefacts.all()} == {
        ("url", "url:instagram.com/p/abc123"),
        ("username", "profile:instagram:bad.guy_77"),
    }
    event = AuditEvent.objects.get(action="portal.report")
    assert event.object_label == reference and event.details["files"] == 2
    assert secret not in str(event.details)
    # The draft and its sealed files are gone once the report is filed.
    assert not ReportDraft.objects.exists() and not DraftFile.objects.exists()


def test_success_page_shows_the_secret_only_once(walker):
    walker.file("cyberbullying")
    first = walker.client.get("/public/report/done/")
    reference, secret = _codes(first.content.decode())
    assert first["Cache-Control"].startswith("max-age=0") or "no-store" in first["Cache-Control"]
    second = walker.client.get("/public/report/done/").content.decode()
    assert secret not in second and reference not in second
    assert "shown only once" in second
    assert 'href="/public/check/"' in second


def test_a_child_in_danger_makes_the_contact_urgent(walker):
    walker.file("threats_blackmail", details={"in_danger": "yes"})
    contact = Contact.objects.get()
    assert contact.urgent is True
    assert PublicReport.objects.get().urgent is True


def test_csam_has_no_upload_field_and_ignores_posted_files(walker):
    client = walker.client
    client.post("/public/report/1/", {"category": "csam", "go": "next"})
    details = client.get("/public/report/2/").content.decode()
    assert "Where did you see it?" in details
    assert "take screenshots" not in details.lower() or "Do not take screenshots" in details
    client.post("/public/report/2/", {**DETAILS, "go": "next"})
    page = client.get("/public/report/3/").content.decode()
    assert 'type="file"' not in page and "multipart/form-data" not in page
    assert "Please do not send pictures" in page
    response = client.post("/public/report/3/", {"files": [png()], "go": "next"})
    assert response.status_code == 302
    assert not DraftFile.objects.exists()
    client.post("/public/report/4/", {**ABOUT, "go": "send"})
    report = PublicReport.objects.get()
    assert report.file_count == 0 and not EvidenceFile.objects.exists()
    assert "evidence" not in report.missing and report.completeness == 100


def test_errors_keep_what_was_typed_and_the_files_already_accepted(walker):
    client = walker.client
    client.post("/public/report/1/", {"category": "profile_abuse", "go": "next"})
    typed = {
        **DETAILS,
        "description": "Someone copied my photos <b>and</b> made a fake profile.",
        "urls": "https://example.com/ok\njavascript:alert(1)",
        "in_danger": "",
    }
    response = client.post("/public/report/2/", {**typed, "go": "next"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and 'href="#field-urls"' in html and 'href="#field-in_danger"' in html
    assert "Line 2" in html and "This is not a web address." in html
    assert "Someone copied my photos &lt;b&gt;and&lt;/b&gt; made a fake profile." in html
    assert "https://example.com/ok" in html
    # Step 3 is out of reach while step 2 has errors.
    assert client.get("/public/report/3/")["Location"] == "/public/report/2/"

    client.post(
        "/public/report/2/", {**typed, "urls": "https://example.com/ok", "in_danger": "no", "go": "next"}
    )
    response = client.post(
        "/public/report/3/", {"files": [png("good.png"), bad_file("evil.exe")], "go": "upload"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "evil.exe" in html and 'role="alert"' in html
    assert "good.png" in html and DraftFile.objects.count() == 1

    response = client.post("/public/report/4/", {"reporter": "parent", "reply": "contact", "go": "send"})
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert "Give an e-mail address or a phone number" in html and "Please tick the box" in html
    assert "1 file will be sent" in html
    assert 'value="parent"' in html and re.search(r'value="parent"[^>]*checked', html)

    # Back keeps everything: step 2 shows what was typed, step 3 the accepted file.
    assert (
        client.post("/public/report/4/", {"reporter": "parent", "go": "back"})["Location"]
        == "/public/report/3/"
    )
    assert "good.png" in client.get("/public/report/3/").content.decode()
    assert "Someone copied my photos" in client.get("/public/report/2/").content.decode()

    response = client.post(
        "/public/report/4/",
        {"reporter": "parent", "reply": "contact", "phone": "064 123 4567", "consent": "on", "go": "send"},
    )
    assert response.status_code == 302
    report = PublicReport.objects.get()
    assert report.contact.reporter_contact == "+381641234567"
    assert report.file_count == 1 and EvidenceFile.objects.get().filename == "good.png"


def test_removing_an_accepted_file(walker):
    client = walker.client
    client.post("/public/report/1/", {"category": "cyberbullying", "go": "next"})
    client.post("/public/report/2/", {**DETAILS, "go": "next"})
    client.post("/public/report/3/", {"files": [png("a.png"), png("b.png")], "go": "upload"})
    first = DraftFile.objects.get(name="a.png")
    client.post("/public/report/3/", {"remove": str(first.pk)})
    assert list(DraftFile.objects.values_list("name", flat=True)) == ["b.png"]


def test_honeypot_drops_the_report_but_looks_like_success(walker):
    response = walker.file("cyberbullying", uploads=[png()], about={"website": "http://spam.example"})
    assert response.status_code == 302 and response["Location"] == "/public/report/done/"
    html = walker.client.get("/public/report/done/").content.decode()
    reference, _secret = _codes(html)
    assert reference.startswith("PB-")
    assert not PublicReport.objects.exists() and not Contact.objects.exists()
    assert not EvidenceFile.objects.exists() and not DraftFile.objects.exists()


def test_steps_cannot_be_skipped(client, db):
    assert client.get("/public/report/3/")["Location"] == "/public/report/1/"
    assert client.post("/public/report/4/", {**ABOUT, "go": "send"})["Location"] == "/public/report/1/"
    assert client.get("/public/report/9/").status_code == 404
    assert not Contact.objects.exists()


def test_the_questions_follow_the_category(walker):
    client = walker.client
    client.post("/public/report/1/", {"category": "internet_addiction", "go": "next"})
    page = client.get("/public/report/2/").content.decode()
    assert 'name="urls"' not in page and 'name="people"' not in page and 'name="when_date"' not in page
    assert 'name="in_danger"' in page and 'name="age_band"' in page
    client.post("/public/report/1/", {"category": "profile_abuse", "go": "next"})
    page = client.get("/public/report/2/").content.decode()
    assert "The fake profile: its user name or link" in page and 'name="when_date"' in page
    assert 'value="Europe/Belgrade" selected' in page


def test_every_page_has_a_quick_exit_and_no_inline_script(walker):
    walker.client.post("/public/report/1/", {"category": "predators", "go": "next"})
    for url in ("/public/report/1/", "/public/report/2/", "/public/check/", "/public/report/done/"):
        html = walker.client.get(url).content.decode()
        assert "data-quick-exit" in html and "https://www.google.com/search?q=weather" in html, url
        assert "portal/quick-exit.js" in html
        assert not re.search(r"<script>\s*\S", html)


def test_time_without_a_date_and_future_dates_are_refused(walker):
    client = walker.client
    client.post("/public/report/1/", {"category": "predators", "go": "next"})
    html = client.post("/public/report/2/", {**DETAILS, "when_date": "", "go": "next"}).content.decode()
    assert "Add the date too" in html
    html = client.post(
        "/public/report/2/", {**DETAILS, "when_date": "2999-01-01", "go": "next"}
    ).content.decode()
    assert "This date is in the future." in html


def test_time_zones_and_examples_are_in_the_page_language(client):
    """Zones are named in the page's language (the IANA name is only the value); the example
    user name is a string of its own, so each language writes it in its own script."""
    from django.conf import settings

    from smartsafe.portal import forms as portal_forms

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.post("/public/report/1/", {"category": "predators", "go": "next"}).status_code == 302
    page = client.get("/public/report/2/").content.decode()
    assert '<option value="Europe/Belgrade" selected>Serbia (Belgrade)</option>' in page
    assert ">Europe/Belgrade<" not in page
    assert "For example @name or a link" in page
    assert set(portal_forms.TIME_ZONES) == set(portal_forms.TIME_ZONE_NAMES)
