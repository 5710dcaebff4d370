"""Adding to a report later: when one file is refused, the files already accepted are kept on the
server (sealed in an addition draft bound to this session and this report) and sent with the next
successful submit."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from smartsafe.evidence.models import EvidenceFile
from smartsafe.portal.models import DraftFile, ReportAddition, ReportDraft

from .conftest import png, png_bytes

pytestmark = pytest.mark.django_db

TEXT = "He wrote again tonight, from a new account."


def _elf(name="x.exe") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x7fELF" + bytes(60), content_type="application/octet-stream")


def _checked_client(report, secret) -> Client:
    client = Client()
    response = client.post("/public/check/", {"reference": report.reference, "secret": secret})
    assert response.status_code == 302
    return client


def _url(report) -> str:
    return f"/public/check/{report.reference}/add/"


def _files_field(html: str) -> str:
    """The block of the file question: its errors and the files already attached."""
    return re.search(r'<div class="q[^"]*" id="field-files">(.*?)<input type="file"', html, re.S).group(1)


def _refused_once(client, report):
    return client.post(_url(report), {"text": TEXT, "files": [png("good.png"), _elf()]})


def test_a_refused_file_keeps_the_text_and_the_accepted_file(filed):
    report, secret = filed
    client = _checked_client(report, secret)
    response = _refused_once(client, report)
    assert response.status_code == 200
    html = response.content.decode()
    field = _files_field(html)
    assert 'class="errorlist"' in field and "x.exe" in field  # the refusal, next to the field
    assert "Already attached" in field and "good.png" in field
    assert re.search(r'<input type="checkbox" name="remove" value="\d+"', field)
    assert TEXT in html
    # Nothing reached the report yet: the good file waits sealed in a draft.
    assert not ReportAddition.objects.exists()
    kept = DraftFile.objects.get()
    assert kept.name == "good.png" and kept.size == len(png_bytes())
    assert png_bytes() not in bytes(kept.ciphertext)


def test_the_next_submit_sends_the_kept_file_and_clears_the_draft(filed):
    report, secret = filed
    client = _checked_client(report, secret)
    _refused_once(client, report)
    response = client.post(_url(report), {"text": TEXT})
    assert response.status_code == 302 and response["Location"].endswith("/status/?added=1")
    addition = ReportAddition.objects.get()
    assert addition.file_count == 1 and TEXT in addition.contact.summary
    stored = EvidenceFile.objects.get(contact=addition.contact)
    assert stored.filename == "good.png"
    assert stored.sha256 == hashlib.sha256(png_bytes()).hexdigest()  # the very bytes sent first
    assert not ReportDraft.objects.exists() and not DraftFile.objects.exists()
    report.refresh_from_db()
    assert report.file_count == 2  # the first report's file and this one
    # The page drawn afresh has nothing left over.
    assert "Already attached" not in client.get(_url(report)).content.decode()


def test_kept_and_new_files_go_together(filed):
    report, secret = filed
    client = _checked_client(report, secret)
    _refused_once(client, report)
    response = client.post(_url(report), {"text": "", "files": [png("second.png", color=(0, 0, 200))]})
    assert response.status_code == 302
    addition = ReportAddition.objects.get()
    names = set(EvidenceFile.objects.filter(contact=addition.contact).values_list("filename", flat=True))
    assert names == {"good.png", "second.png"} and addition.file_count == 2


def test_only_kept_files_and_no_text_is_enough_to_send(filed):
    report, secret = filed
    client = _checked_client(report, secret)
    client.post(_url(report), {"text": "", "files": [png("good.png"), _elf()]})
    assert client.post(_url(report), {"text": ""}).status_code == 302
    assert ReportAddition.objects.get().file_count == 1


def test_removing_a_kept_file(filed):
    report, secret = filed
    client = _checked_client(report, secret)
    _refused_once(client, report)
    kept = DraftFile.objects.get()
    # Ticking "Remove" together with another error: the file is gone from the page and the server.
    response = client.post(_url(report), {"text": TEXT, "remove": str(kept.pk), "files": [_elf("y.exe")]})
    assert response.status_code == 200
    assert "good.png" not in response.content.decode()
    assert not DraftFile.objects.exists()
    response = client.post(_url(report), {"text": TEXT})
    assert response.status_code == 302
    addition = ReportAddition.objects.get()
    assert addition.file_count == 0 and not EvidenceFile.objects.filter(contact=addition.contact).exists()


def test_removing_the_only_kept_file_with_no_text_is_refused(filed):
    report, secret = filed
    client = _checked_client(report, secret)
    client.post(_url(report), {"text": "", "files": [png("good.png"), _elf()]})
    kept = DraftFile.objects.get()
    response = client.post(_url(report), {"text": "", "remove": str(kept.pk)})
    assert response.status_code == 200 and "Write something or choose a file" in response.content.decode()
    assert not ReportAddition.objects.exists() and not DraftFile.objects.exists()


def test_another_session_cannot_see_or_use_the_kept_files(filed):
    report, secret = filed
    owner = _checked_client(report, secret)
    _refused_once(owner, report)
    kept = DraftFile.objects.get()
    # Someone else who also has the codes: a different session, no access to the draft.
    other = _checked_client(report, secret)
    assert "good.png" not in other.get(_url(report)).content.decode()
    response = other.post(_url(report), {"text": "Someone else", "remove": str(kept.pk)})
    assert response.status_code == 302
    addition = ReportAddition.objects.get()
    assert addition.file_count == 0 and not EvidenceFile.objects.filter(contact=addition.contact).exists()
    assert DraftFile.objects.filter(pk=kept.pk).exists()  # their "remove" did not touch it
    # The owner still has it and sends it.
    assert "good.png" in owner.get(_url(report)).content.decode()
    assert owner.post(_url(report), {"text": TEXT}).status_code == 302
    mine = ReportAddition.objects.exclude(pk=addition.pk).get()
    assert EvidenceFile.objects.get(contact=mine.contact).filename == "good.png"


def test_a_draft_token_for_another_report_is_not_used(filed):
    """The session maps each reference to its own draft; a draft names its report as well."""
    from smartsafe.portal import actions
    from smartsafe.portal.models import PublicReport

    from .conftest import answers

    report, secret = filed
    receipt = actions.submit_report(answers=answers())
    second = PublicReport.objects.get(reference=receipt.reference)
    client = _checked_client(report, secret)
    client.post("/public/check/", {"reference": second.reference, "secret": receipt.secret})
    _refused_once(client, report)
    # Point the second report's entry at the first report's draft: it must not be picked up.
    session = client.session
    token = session["portal_addition_drafts"][report.reference]
    session["portal_addition_drafts"] = {**session["portal_addition_drafts"], second.reference: token}
    session.save()
    assert "good.png" not in client.get(_url(second)).content.decode()
    assert client.post(_url(second), {"text": "For the second"}).status_code == 302
    assert ReportAddition.objects.get(report=second).file_count == 0
    assert DraftFile.objects.count() == 1


def test_an_abandoned_addition_draft_expires_like_report_drafts(filed, settings):
    import datetime as dt

    from django.utils import timezone

    from smartsafe.portal import actions

    report, secret = filed
    client = _checked_client(report, secret)
    _refused_once(client, report)
    ReportDraft.objects.update(
        updated_at=timezone.now() - dt.timedelta(hours=settings.SMARTSAFE_PORTAL_DRAFT_HOURS + 1)
    )
    # Expired: no longer found, even before the scheduled purge deletes it.
    assert "good.png" not in client.get(_url(report)).content.decode()
    actions.purge_expired_drafts()
    assert not DraftFile.objects.exists()
    assert "good.png" not in client.get(_url(report)).content.decode()
