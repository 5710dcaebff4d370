"""Encryption at rest: per-file keys, the master key's sources, tamper detection, rotation."""

import base64
import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError

from smartsafe.evidence import crypto


def test_sealed_bytes_are_not_the_plaintext_and_open_back():
    plaintext = b"pretnja: posalji sliku ili objavljujem" * 10
    sealed = crypto.seal(plaintext, context="evidence/ab/abc.bin")
    assert plaintext not in sealed.ciphertext and b"pretnja" not in sealed.ciphertext
    assert len(sealed.nonce) == 12 and sealed.key_id == crypto.current_key().id
    opened = crypto.open_sealed(
        sealed.ciphertext,
        nonce=sealed.nonce,
        wrapped_key=sealed.wrapped_key,
        key_id=sealed.key_id,
        context="evidence/ab/abc.bin",
    )
    assert opened == plaintext


def test_every_file_gets_its_own_key_and_nonce():
    a, b = crypto.seal(b"same", context="x"), crypto.seal(b"same", context="x")
    assert a.ciphertext != b.ciphertext and a.wrapped_key != b.wrapped_key and a.nonce != b.nonce


@pytest.mark.parametrize("part", ["ciphertext", "nonce", "wrapped_key", "context"])
def test_any_alteration_is_detected(part):
    sealed = crypto.seal(b"evidence", context="evidence/1.bin")
    fields = {
        "ciphertext": sealed.ciphertext,
        "nonce": sealed.nonce,
        "wrapped_key": sealed.wrapped_key,
        "context": "evidence/1.bin",
    }
    value = fields[part]
    fields[part] = "evidence/2.bin" if part == "context" else bytes([value[0] ^ 1]) + value[1:]
    with pytest.raises(crypto.DecryptionFailed):
        crypto.open_sealed(key_id=sealed.key_id, **fields)


def test_an_unknown_master_key_is_named(settings):
    sealed = crypto.seal(b"evidence", context="c")
    settings.SMARTSAFE_EVIDENCE_KEY = crypto.new_key_text()
    with pytest.raises(crypto.UnknownKey, match=sealed.key_id):
        crypto.open_sealed(
            sealed.ciphertext,
            nonce=sealed.nonce,
            wrapped_key=sealed.wrapped_key,
            key_id=sealed.key_id,
            context="c",
        )


def test_key_from_a_file(settings, tmp_path):
    path = tmp_path / "evidence.key"
    key = crypto.write_key_file(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    settings.SMARTSAFE_EVIDENCE_KEY, settings.SMARTSAFE_EVIDENCE_KEY_FILE = "", str(path)
    assert crypto.current_key() == key
    assert "MasterKey(id=" in repr(key) and base64.b64encode(key.key).decode() not in repr(key)


@pytest.mark.parametrize(
    ("value", "problem"),
    [("not base64!", "not base64"), (base64.b64encode(b"short").decode(), "must hold 32 bytes")],
)
def test_a_malformed_key_is_a_clear_error(settings, value, problem):
    settings.SMARTSAFE_EVIDENCE_KEY = value
    with pytest.raises(ImproperlyConfigured, match=problem):
        crypto.current_key()


def test_demo_mode_generates_a_private_key_file(settings, tmp_path):
    settings.SMARTSAFE_EVIDENCE_KEY, settings.DEMO, settings.DATA_DIR = "", True, tmp_path
    key = crypto.current_key()
    path = tmp_path / "evidence.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert crypto.current_key() == key  # the same key on the next start


def test_outside_demo_mode_a_missing_key_stops_the_vault_and_the_system_check(settings, tmp_path):
    from smartsafe.evidence.checks import evidence_key_configured

    settings.SMARTSAFE_EVIDENCE_KEY, settings.DEMO, settings.DATA_DIR = "", False, tmp_path
    with pytest.raises(ImproperlyConfigured, match="SMARTSAFE_EVIDENCE_KEY"):
        crypto.current_key()
    assert not (tmp_path / "evidence.key").exists()
    errors = evidence_key_configured()
    assert [e.id for e in errors] == ["evidence.E001"]
    settings.SMARTSAFE_EVIDENCE_KEY = crypto.new_key_text()
    assert evidence_key_configured() == []


# --- rotation -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rotation_rewraps_every_file_key_without_touching_the_content(settings, tmp_path, counsellor):
    from smartsafe.audit.models import AuditEvent
    from smartsafe.evidence import actions, storage
    from smartsafe.evidence.models import CustodyEvent, EvidenceFile
    from smartsafe.testing import make_case

    case = make_case(counsellor)
    old_id = crypto.current_key().id
    files = [
        actions.receive_file(
            data=f"chat line {i}".encode(), filename=f"{i}.txt", case=case, via="staff", actor=counsellor
        )
        for i in range(3)
    ]
    stored_before = {f.pk: storage.get(f.storage_name) for f in files}
    new_path = tmp_path / "new.key"

    call_command("rotate_evidence_key", "--new-key-file", str(new_path), "--generate")
    new_id = crypto.read_key_file(new_path).id
    assert new_id != old_id
    for file in EvidenceFile.objects.all():
        assert file.key_id == new_id
        assert storage.get(file.storage_name) == stored_before[file.pk]  # content not re-encrypted
    assert CustodyEvent.objects.filter(action="rekeyed").count() == 3
    assert AuditEvent.objects.filter(action="evidence.rekey").get().details["files"] == 3

    # The operator switches to the new key; the old one is no longer needed.
    old_key_text = settings.SMARTSAFE_EVIDENCE_KEY
    settings.SMARTSAFE_EVIDENCE_KEY, settings.SMARTSAFE_EVIDENCE_KEY_FILE = "", str(new_path)
    reloaded = EvidenceFile.objects.get(pk=files[1].pk)
    assert actions.open_file(actor=counsellor, file=reloaded, reason="check after rotation") == b"chat line 1"

    # Running again changes nothing; a missing old key is a clear command error.
    call_command("rotate_evidence_key", "--new-key-file", str(new_path))
    assert CustodyEvent.objects.filter(action="rekeyed").count() == 3
    settings.SMARTSAFE_EVIDENCE_KEY_FILE, settings.SMARTSAFE_EVIDENCE_KEY = "", old_key_text
    with pytest.raises(CommandError, match="not configured"):
        call_command("rotate_evidence_key", "--to-current")
    with pytest.raises(CommandError, match="exists already"):
        call_command("rotate_evidence_key", "--new-key-file", str(new_path), "--generate")


@pytest.mark.django_db
def test_rolling_rotation_with_previous_keys(settings, tmp_path, counsellor):
    """New key configured first, old key kept as previous: both open, then --to-current moves all."""
    from smartsafe.evidence import actions
    from smartsafe.evidence.models import EvidenceFile
    from smartsafe.testing import make_case

    case = make_case(counsellor)
    old_file = actions.receive_file(data=b"old", filename="old.txt", case=case, via="staff", actor=counsellor)
    old_path = tmp_path / "old.key"
    old_path.write_text(settings.SMARTSAFE_EVIDENCE_KEY)
    settings.SMARTSAFE_EVIDENCE_KEY = crypto.new_key_text()
    settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES = [str(old_path)]
    new_file = actions.receive_file(data=b"new", filename="new.txt", case=case, via="staff", actor=counsellor)
    assert old_file.key_id != new_file.key_id
    assert actions.open_file(actor=counsellor, file=old_file, reason="r") == b"old"

    call_command("rotate_evidence_key", "--to-current")
    settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES = []
    old_file = EvidenceFile.objects.get(pk=old_file.pk)
    assert actions.open_file(actor=counsellor, file=old_file, reason="r") == b"old"
