"""The staff pages: no content without a reason, safe download headers, access per role."""

import pytest
from django.urls import reverse

from smartsafe.audit.models import AuditEvent
from smartsafe.evidence import actions
from smartsafe.evidence.models import EvidenceFile
from smartsafe.testing import make_case, make_contact

from . import samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def picture(counsellor):
    case = make_case(counsellor)
    return actions.receive_file(data=samples.png(), filename="screenshot.png", case=case, via="web")


def test_the_file_page_shows_the_record_never_the_content(client, counsellor, picture):
    client.force_login(counsellor)
    response = client.get(reverse("evidence:detail", args=[picture.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    assert picture.sha256 in text and picture.md5 in text and "screenshot.png" in text
    assert "data:image" not in text and "<img" not in text
    assert "Why do you need to open this file?" in text and "received" in text
    assert response["Cache-Control"] == "no-store, private"
    assert not picture.custody.filter(action__in=["viewed", "downloaded"]).exists()


def test_opening_without_a_reason_is_refused_next_to_the_field(client, counsellor, picture):
    client.force_login(counsellor)
    response = client.post(reverse("evidence:open", args=[picture.pk]), {"reason": "  ", "mode": "download"})
    assert response.status_code == 400
    assert "field-error" in response.content.decode()
    assert not picture.custody.filter(action="downloaded").exists()


def test_download_is_an_attachment_that_no_browser_runs(client, counsellor, picture):
    client.force_login(counsellor)
    response = client.post(
        reverse("evidence:open", args=[picture.pk]), {"reason": "referral to the police", "mode": "download"}
    )
    assert response.status_code == 200
    assert response.content == samples.png()
    assert response["Content-Disposition"] == 'attachment; filename="screenshot.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("sandbox")
    assert response["Cache-Control"] == "no-store, private"
    assert picture.custody.get(action="downloaded").reason == "referral to the police"


def test_a_picture_is_shown_only_on_its_own_page_after_the_click(client, counsellor, picture):
    client.force_login(counsellor)
    response = client.post(
        reverse("evidence:open", args=[picture.pk]), {"reason": "check the profile", "mode": "view"}
    )
    text = response.content.decode()
    assert response.status_code == 200 and '<img src="data:image/png;base64,' in text
    assert picture.custody.get(action="viewed").actor == counsellor
    assert AuditEvent.objects.filter(action="evidence.view", actor=counsellor).exists()


def test_a_text_file_is_never_shown_inline(client, counsellor):
    file = actions.receive_file(
        data=b"chat *bold*", filename="chat.txt", contact=make_contact(counsellor), via="web"
    )
    client.force_login(counsellor)
    response = client.post(reverse("evidence:open", args=[file.pk]), {"reason": "r", "mode": "view"})
    assert response["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("counsellor", 200),
        ("supervisor", 200),
        ("auditor", 200),
        ("analyst", 404),
        ("prevention", 404),
        ("administrator", 404),
        ("police_liaison", 404),
    ],
)
def test_access_per_role(request, client, picture, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("evidence:detail", args=[picture.pk])).status_code == status
    response = client.post(reverse("evidence:open", args=[picture.pk]), {"reason": "r", "mode": "download"})
    assert response.status_code == status
    assert (response.content == samples.png()) == (status == 200)


def test_anonymous_visitors_are_sent_to_sign_in(client, picture):
    response = client.get(reverse("evidence:detail", args=[picture.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_unknown_files_are_404(client, counsellor):
    client.force_login(counsellor)
    assert client.get("/evidence/999999/").status_code == 404
    assert client.get("/evidence/99999999999999999999999/").status_code == 404


def test_only_a_supervisor_deletes_and_only_with_a_reason(client, counsellor, supervisor, picture):
    url = reverse("evidence:delete", args=[picture.pk])
    client.force_login(counsellor)
    assert client.post(url, {"reason": "duplicate"}).status_code == 403
    client.force_login(supervisor)
    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "asked by the parent"}, follow=True)
    assert response.status_code == 200 and "content was deleted" in response.content.decode()
    picture.refresh_from_db()
    assert picture.is_deleted
    response = client.post(reverse("evidence:open", args=[picture.pk]), {"reason": "r", "mode": "download"})
    assert response.status_code == 410
    assert response.content != samples.png()
    assert client.post(url, {"reason": "again"}).status_code == 409


def test_a_tampered_file_gives_a_clear_page_not_an_error(client, counsellor, picture, vault):
    (vault / picture.storage_name).write_bytes(b"garbage")
    client.force_login(counsellor)
    response = client.post(reverse("evidence:open", args=[picture.pk]), {"reason": "r", "mode": "download"})
    assert response.status_code == 409 and "integrity check" in response.content.decode()


def test_staff_upload_to_a_case(client, counsellor, analyst):
    case = make_case(counsellor)
    url = reverse("evidence:upload_case", args=[case.reference])
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(counsellor)
    response = client.post(
        url,
        {
            "files": [
                SimpleUploadedFile("a.png", samples.png()),
                SimpleUploadedFile("evil.svg", samples.SVG_SCRIPT),
            ]
        },
        follow=True,
    )
    text = response.content.decode()
    assert "“a.png” was added" in text and "files ending in .svg are not accepted" in text
    file = EvidenceFile.objects.get()
    assert (file.case, file.received_via, file.received_by) == (case, "staff", counsellor)
    client.force_login(analyst)
    assert client.post(url, {"files": [SimpleUploadedFile("b.txt", b"b")]}).status_code in (403, 404)
    assert EvidenceFile.objects.count() == 1


def test_staff_upload_to_a_contact_and_the_size_limit(settings, client, counsellor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SMARTSAFE_EVIDENCE_MAX_FILE_MB = 1
    contact = make_contact(counsellor)
    client.force_login(counsellor)
    response = client.post(
        reverse("evidence:upload_contact", args=[contact.pk]),
        {
            "files": [
                SimpleUploadedFile("big.txt", b"a" * (1024 * 1024 + 1)),
                SimpleUploadedFile("small.txt", b"a"),
            ]
        },
        follow=True,
    )
    assert "larger than 1 MB" in response.content.decode()
    assert list(EvidenceFile.objects.values_list("filename", "contact")) == [("small.txt", contact.pk)]
    assert AuditEvent.objects.get(action="evidence.reject").details["reason"] == "too_large"


def test_the_panel_lists_files_with_seen_before_and_no_preview(
    counsellor, django_capture_on_commit_callbacks
):
    from django.template.loader import render_to_string

    from smartsafe.evidence.queries import panel_context

    first, second = make_case(counsellor), make_case(counsellor)
    with django_capture_on_commit_callbacks(execute=True):  # matching runs after commit
        actions.receive_file(data=samples.png(), filename="a.png", case=first, via="web")
        actions.receive_file(data=samples.png(), filename="<i>b.png", case=second, via="web")
    html = render_to_string(
        "evidence/_panel.html",
        {
            **panel_context(counsellor, case=second),
            "files": panel_context(counsellor, case=second)["evidence_files"],
        },
    )
    assert f"seen before in {first.reference}" in html
    assert "&lt;i&gt;b.png" in html and "<i>b" not in html
    assert "<img" not in html and "Image" in html and "Not scanned" in html
