"""Optional ClamAV: the INSTREAM client against a strict fake clamd (see fake_clamd.py for why)."""

import socket

import pytest

from smartsafe.audit.models import AuditEvent
from smartsafe.evidence import actions, scanning
from smartsafe.evidence.models import EvidenceFile
from smartsafe.evidence.tasks import rescan_unscanned
from smartsafe.evidence.validation import EvidenceRejected
from smartsafe.testing import make_contact

from . import samples
from .fake_clamd import FakeClamdTCP, FakeClamdUnix


@pytest.fixture
def clamd(settings):
    server = FakeClamdTCP().start()
    settings.SMARTSAFE_CLAMD_HOST, settings.SMARTSAFE_CLAMD_PORT = server.server_address
    yield server
    server.shutdown()
    server.server_close()
    assert server.errors == []  # every request was framed correctly


def test_nothing_is_scanned_when_no_scanner_is_configured():
    assert not scanning.configured()
    assert scanning.scan(b"anything").status == "not_scanned"


def test_clean_and_infected_answers(clamd):
    assert scanning.scan(b"hello").status == "clean"
    infected = scanning.scan(b"prefix " + samples.EICAR)
    assert (infected.status, infected.signature) == ("infected", "Eicar-Test-Signature")
    assert clamd.scanned == [b"hello", b"prefix " + samples.EICAR]


def test_large_content_is_sent_in_chunks_and_arrives_whole(clamd):
    data = bytes(range(256)) * 2000  # 512 000 bytes: several chunks
    assert scanning.scan(data).status == "clean"
    assert clamd.scanned == [data]


def test_unix_socket(settings, tmp_path):
    path = str(tmp_path / "clamd.sock")
    server = FakeClamdUnix(path).start()
    settings.SMARTSAFE_CLAMD_SOCKET = path
    try:
        assert scanning.scan(b"hello").status == "clean"
    finally:
        server.shutdown()
        server.server_close()
    assert server.errors == []


def test_an_unreachable_scanner_is_an_error_not_a_crash(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMARTSAFE_CLAMD_HOST, settings.SMARTSAFE_CLAMD_PORT = "127.0.0.1", port
    result = scanning.scan(b"hello")
    assert result.status == "error" and "unreachable" in result.signature


@pytest.mark.parametrize(
    ("reply", "status", "signature"),
    [
        ("stream: OK", "clean", ""),
        ("stream: Win.Test.EICAR_HDB-1 FOUND", "infected", "Win.Test.EICAR_HDB-1"),
        ("INSTREAM size limit exceeded. ERROR", "error", "INSTREAM size limit exceeded. ERROR"),
        ("", "error", "empty answer from the scanner"),
    ],
)
def test_replies(reply, status, signature):
    assert scanning.parse_reply(reply) == scanning.ScanResult(status, signature)


@pytest.mark.django_db
def test_infected_files_are_refused_and_audited(clamd, counsellor):
    contact = make_contact(counsellor)
    with pytest.raises(EvidenceRejected, match="contains malware") as refused:
        actions.receive_file(data=samples.EICAR, filename="eicar.txt", contact=contact, via="web")
    assert refused.value.code == "infected"
    assert not EvidenceFile.objects.exists()
    event = AuditEvent.objects.get(action="evidence.reject")
    assert event.details["signature"] == "Eicar-Test-Signature"
    clean = actions.receive_file(data=b"clean text", filename="a.txt", contact=contact, via="web")
    assert clean.scan_status == "clean"
    assert list(clean.custody.values_list("action", flat=True)) == ["received", "scanned"]


@pytest.mark.django_db
def test_files_stored_while_the_scanner_was_down_are_scanned_later(settings, clamd, counsellor):
    host, port = settings.SMARTSAFE_CLAMD_HOST, settings.SMARTSAFE_CLAMD_PORT
    settings.SMARTSAFE_CLAMD_PORT = 1  # nothing there
    file = actions.receive_file(data=b"later", filename="a.txt", contact=make_contact(counsellor), via="web")
    assert file.scan_status == "error"
    settings.SMARTSAFE_CLAMD_HOST, settings.SMARTSAFE_CLAMD_PORT = host, port
    assert rescan_unscanned.call() == {"clean": 1}
    file.refresh_from_db()
    assert file.scan_status == "clean"
    assert AuditEvent.objects.filter(action="evidence.scan").count() == 1
