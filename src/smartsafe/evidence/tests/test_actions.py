"""Receiving, opening, deleting and exporting evidence; custody, audit and duplicate detection."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from smartsafe.audit.models import AuditEvent
from smartsafe.cases import actions as case_actions
from smartsafe.cases.queries import linked_cases
from smartsafe.evidence import actions, hashing, queries, storage
from smartsafe.evidence.models import CustodyAppendOnly, CustodyEvent, DuplicateMatch, EvidenceFile
from smartsafe.evidence.validation import EvidenceRejected
from smartsafe.testing import make_case, make_contact

from . import samples

pytestmark = pytest.mark.django_db


def receive(data, name="shot.png", **where):
    """Store a file as a request would, then run what its commit queues (matching, in the worker)."""
    where.setdefault("via", "web")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return actions.receive_file(data=data, filename=name, **where)


def test_receive_hashes_encrypts_stores_and_records_custody(counsellor, vault):
    contact = make_contact(counsellor)
    data = samples.png()
    file = receive(data, "Screenshot 2024-03-12.png", contact=contact)
    import hashlib

    assert (file.sha256, file.md5) == (hashlib.sha256(data).hexdigest(), hashlib.md5(data).hexdigest())
    assert (file.kind, file.content_type, file.size) == ("image", "image/png", len(data))
    assert len(file.pdq_hash) == 64 and file.pdq_quality >= hashing.PDQ_MIN_QUALITY
    # The stored bytes are ciphertext, under a random name that says nothing of the file.
    stored = storage.get(file.storage_name)
    assert data not in stored and stored != data
    assert "Screenshot" not in file.storage_name and file.storage_name.startswith("evidence/")
    assert (vault / file.storage_name).read_bytes() == stored
    custody = list(file.custody.values_list("action", "actor"))
    assert custody == [("received", None)]
    event = AuditEvent.objects.get(action="evidence.receive")
    assert event.object_id == str(file.pk) and event.details["sha256"] == file.sha256
    assert event.details["contact"] == contact.pk


def test_non_images_get_no_pdq(counsellor):
    file = receive(samples.pdf(), "report.pdf", contact=make_contact(counsellor))
    assert file.pdq_hash is None and file.pdq_quality is None and file.kind == "pdf"


def test_refused_files_are_audited_and_leave_nothing_behind(counsellor, vault):
    contact = make_contact(counsellor)
    with pytest.raises(EvidenceRejected, match="is a program"):
        receive(samples.ELF, "game.txt", contact=contact)
    assert not EvidenceFile.objects.exists()
    assert not (vault / "evidence").exists() or not any((vault / "evidence").rglob("*.bin"))
    event = AuditEvent.objects.get(action="evidence.reject")
    assert (event.outcome, event.details["reason"], event.object_label) == (
        "failed",
        "executable",
        "game.txt",
    )


def test_files_of_one_report_stay_within_the_report_limit(settings, counsellor):
    settings.SMARTSAFE_EVIDENCE_MAX_REPORT_MB = 1
    contact = make_contact(counsellor)
    receive(b"a" * 700_000, "a.txt", contact=contact)
    with pytest.raises(EvidenceRejected, match="together may be at most 1 MB"):
        receive(b"b" * 400_000, "b.txt", contact=contact)
    receive(b"b" * 400_000, "b.txt", contact=make_contact(counsellor))  # another report is fine


def test_staff_uploads_need_a_casework_role(counsellor, analyst):
    case = make_case(counsellor)
    with pytest.raises(PermissionDenied):
        actions.receive_file(data=b"x", filename="x.txt", case=case, via="staff", actor=analyst)
    file = actions.receive_file(data=b"x", filename="x.txt", case=case, via="staff", actor=counsellor)
    assert file.received_by == counsellor


def test_same_bytes_link_the_cases_and_show_seen_before(counsellor):
    first_case, second_case = make_case(counsellor), make_case(counsellor)
    first = receive(samples.pdf(), "a.pdf", case=first_case)
    second = receive(samples.pdf(), "copy.pdf", case=second_case)
    match = DuplicateMatch.objects.get()
    assert (match.file, match.earlier, match.method, match.distance) == (second, first, "sha256", 0)
    assert list(linked_cases(second_case)) == [first_case]
    assert set(second.custody.values_list("action", flat=True)) == {"received", "linked"}
    assert first.custody.filter(action="linked").exists()
    [row] = queries.panel_rows(counsellor, case=second_case)
    assert row.seen_before == [first_case.reference]
    [row] = queries.panel_rows(counsellor, case=first_case)
    assert row.seen_before == [second_case.reference]


def test_near_identical_pictures_match_by_pdq_distance(counsellor):
    first_case, second_case, third_case = make_case(counsellor), make_case(counsellor), make_case(counsellor)
    original = receive(samples.png(seed=7), "original.png", case=first_case)
    edited = receive(samples.near_copy_jpeg(seed=7), "edited.jpg", case=second_case)
    other = receive(samples.png(seed=8), "other.png", case=third_case)
    assert original.sha256 != edited.sha256
    distance = hashing.pdq_distance(original.pdq_hash, edited.pdq_hash)
    assert 0 < distance <= hashing.PDQ_MATCH_DISTANCE
    assert hashing.pdq_distance(original.pdq_hash, other.pdq_hash) > hashing.PDQ_MATCH_DISTANCE
    match = DuplicateMatch.objects.get()
    assert (match.file, match.earlier, match.method, match.distance) == (edited, original, "pdq", distance)
    assert list(linked_cases(first_case)) == [second_case]
    assert not linked_cases(third_case).exists()


def test_uniform_pictures_do_not_match_each_other(counsellor):
    from PIL import Image

    white = samples.encode(Image.new("RGB", (100, 100), "white"))
    black = samples.encode(Image.new("RGB", (120, 80), "black"))
    receive(white, "white.png", case=make_case(counsellor))
    flat = receive(black, "black.png", case=make_case(counsellor))
    assert flat.pdq_quality < hashing.PDQ_MIN_QUALITY
    assert not DuplicateMatch.objects.exists()


def test_a_contact_linked_later_brings_its_matches_to_the_case(counsellor):
    from smartsafe.evidence.tasks import link_pending_duplicates

    earlier_case = make_case(counsellor)
    receive(samples.pdf(), "a.pdf", case=earlier_case)
    contact = make_contact(counsellor)
    receive(samples.pdf(), "same.pdf", contact=contact)  # no case yet: nothing to link
    [row] = queries.panel_rows(counsellor, contact=contact)
    assert row.seen_before == [earlier_case.reference]  # but the counsellor already sees it
    new_case = case_actions.open_case(actor=counsellor, contacts=[contact], title="Follow-up")
    assert not linked_cases(new_case).exists()
    assert link_pending_duplicates.call() == {"linked": 1, "matched": 0}
    assert list(linked_cases(new_case)) == [earlier_case]
    assert actions.link_contact_duplicates(contact) == []  # already linked: nothing new


def test_files_follow_their_contact_to_its_case(counsellor):
    contact = make_contact(counsellor)
    file = receive(b"hello", "a.txt", contact=contact)
    case = case_actions.open_case(actor=counsellor, contacts=[contact], title="From the web")
    assert list(EvidenceFile.objects.for_case(case)) == [file]
    assert [row.file for row in queries.panel_rows(counsellor, case=case)] == [file]


def test_opening_needs_a_reason_and_is_recorded(counsellor, analyst):
    file = receive(b"the chat", "chat.txt", contact=make_contact(counsellor))
    with pytest.raises(ValidationError):
        actions.open_file(actor=counsellor, file=file, reason="   ")
    with pytest.raises(PermissionDenied):
        actions.open_file(actor=analyst, file=file, reason="curious")
    assert (
        actions.open_file(actor=counsellor, file=file, reason="preparing the police referral") == b"the chat"
    )
    assert actions.open_file(actor=counsellor, file=file, reason="look again", download=False) == b"the chat"
    opened = list(
        file.custody.filter(action__in=["downloaded", "viewed"]).values_list("action", "actor", "reason")
    )
    assert opened == [
        ("downloaded", counsellor.pk, "preparing the police referral"),
        ("viewed", counsellor.pk, "look again"),
    ]
    assert (
        AuditEvent.objects.get(action="evidence.download").details["reason"]
        == "preparing the police referral"
    )
    assert AuditEvent.objects.filter(action="evidence.view", actor=counsellor).count() == 1


def test_tampered_ciphertext_is_refused_and_audited(counsellor, vault):
    file = receive(b"the chat", "chat.txt", contact=make_contact(counsellor))
    path = vault / file.storage_name
    stored = bytearray(path.read_bytes())
    stored[-1] ^= 0x01
    path.write_bytes(bytes(stored))
    with pytest.raises(actions.FileUnavailable, match="integrity check"):
        actions.open_file(actor=counsellor, file=file, reason="r")
    assert AuditEvent.objects.get(action="evidence.view").outcome == "failed"
    assert not file.custody.filter(action="downloaded").exists()


def test_delete_purges_content_keeps_record_and_hashes(
    django_capture_on_commit_callbacks, counsellor, supervisor, vault
):
    file = receive(b"the chat", "chat.txt", contact=make_contact(counsellor))
    with pytest.raises(PermissionDenied):
        actions.delete_file(actor=counsellor, file=file, reason="duplicate")
    with pytest.raises(ValidationError):
        actions.delete_file(actor=supervisor, file=file, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        actions.delete_file(actor=supervisor, file=file, reason="court order 12/2024")
    file.refresh_from_db()
    assert file.is_deleted and file.deletion_reason == "court order 12/2024" and file.deleted_by == supervisor
    assert len(file.sha256) == 64 and bytes(file.wrapped_key) == b""
    assert not (vault / file.storage_name).exists()
    assert file.custody.last().action == "deleted"
    with pytest.raises(actions.FileUnavailable, match="deleted"):
        actions.open_file(actor=counsellor, file=file, reason="r")
    with pytest.raises(ValidationError):
        actions.delete_file(actor=supervisor, file=file, reason="again")


def test_export_is_a_zip_with_a_manifest_and_custody(counsellor, analyst):
    case = make_case(counsellor)
    files = [receive(samples.png(), "a.png", case=case), receive(samples.WHATSAPP, "chat.txt", case=case)]
    with pytest.raises(PermissionDenied):
        actions.export_files(actor=analyst, files=files, reason="x")
    data = actions.export_files(
        actor=counsellor, files=files, reason="for the police", recipient="VTK Beograd"
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert archive.read(f"E-{files[1].pk}-chat.txt") == samples.WHATSAPP
    assert [entry["sha256"] for entry in manifest["files"]] == [f.sha256 for f in files]
    assert manifest["recipient"] == "VTK Beograd"
    assert CustodyEvent.objects.filter(action="exported", reason="for the police").count() == 2
    assert AuditEvent.objects.get(action="evidence.export").details["files"] == [f.pk for f in files]


def test_custody_is_append_only(counsellor):
    file = receive(b"x", "x.txt", contact=make_contact(counsellor))
    event = file.custody.get()
    event.reason = "rewritten"
    with pytest.raises(CustodyAppendOnly):
        event.save()
    with pytest.raises(CustodyAppendOnly):
        event.delete()
    with pytest.raises(CustodyAppendOnly):
        CustodyEvent.objects.filter(file=file).update(reason="x")
    with pytest.raises(CustodyAppendOnly):
        CustodyEvent.objects.filter(file=file).delete()


def test_panel_rows_take_a_fixed_number_of_queries(counsellor, django_assert_max_num_queries):
    case = make_case(counsellor)
    for i in range(5):
        receive(f"file {i}".encode(), f"{i}.txt", case=case)
    receive(b"file 0", "again.txt", case=make_case(counsellor))
    with django_assert_max_num_queries(3):
        rows = queries.panel_rows(counsellor, case=case)
        assert [r.seen_before for r in rows].count([]) == 4
