"""What the vault accepts and refuses, judged from the content (validate_upload)."""

import zipfile

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from smartsafe.evidence.validation import (
    EvidenceRejected,
    sanitise_name,
    validate_report,
    validate_upload,
)

from . import samples

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("name", "data", "content_type", "kind"),
    [
        ("screenshot.png", samples.png(), "image/png", "image"),
        ("IMG_0001.JPG", samples.near_copy_jpeg(), "image/jpeg", "image"),
        ("chat.gif", samples.encode(samples.picture(), "GIF"), "image/gif", "image"),
        ("chat.webp", samples.encode(samples.picture(), "WEBP"), "image/webp", "image"),
        ("prijava.pdf", samples.pdf(), "application/pdf", "pdf"),
        ("WhatsApp Chat with Marko.txt", samples.WHATSAPP, "text/plain", "chat_export"),
        ("result.json", samples.TELEGRAM, "application/json", "chat_export"),
        ("notes.txt", "Профил: instagram.com/marko123\nДатум: 12.03.2024.".encode(), "text/plain", "text"),
        ("profiles.csv", b"platform,user\ninstagram,marko123\n", "text/csv", "text"),
        ("no extension", samples.png(), "image/png", "image"),
        (
            "evidence.zip",
            samples.zipped({"a.png": samples.png(), "b.pdf": samples.pdf(), "chat.txt": samples.WHATSAPP}),
            "application/zip",
            "archive",
        ),
    ],
)
def test_accepted_files(name, data, content_type, kind):
    validated = validate_upload(name, data)
    assert (validated.content_type, validated.kind) == (content_type, kind)
    assert validated.data == data


def _zip_with(info: zipfile.ZipInfo, data: bytes) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(info, data)
    return buffer.getvalue()


def _encrypted_zip() -> bytes:
    """A zip whose entry claims to be password-protected (zipfile cannot write real encryption):
    the "encrypted" flag is set in the local header and in the central directory."""
    data = bytearray(samples.zipped({"secret.txt": b"hidden"}))
    data[6] |= 0x1  # local file header: general purpose flags at offset 6
    central = data.rindex(b"PK\x01\x02")
    data[central + 8] |= 0x1  # central directory entry: flags at offset 8
    return bytes(data)


def _symlink_zip() -> bytes:
    info = zipfile.ZipInfo("link.txt")
    info.external_attr = 0o120777 << 16
    return _zip_with(info, b"/etc/passwd")


@pytest.mark.parametrize(
    ("name", "data", "code", "says"),
    [
        ("empty.txt", b"", "empty", "is empty"),
        ("program.exe", b"MZ\x90\x00" + b"\x00" * 60, "executable", "is a program"),
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 60, "executable", "is a program"),
        ("tool", samples.ELF, "executable", "Linux"),
        ("app", b"\xcf\xfa\xed\xfe" + b"\x00" * 40, "executable", "macOS"),
        ("run.txt", b"#!/bin/sh\nrm -rf /\n", "script", "is a script"),
        ("page.txt", b"<!doctype html><html><body>hi</body></html>", "markup", "web page"),
        ("page.html", b"<html></html>", "extension", ".html"),
        ("logo.txt", samples.SVG_SCRIPT, "markup", "SVG"),
        ("logo.svg", samples.SVG_SCRIPT, "extension", ".svg"),
        ("hidden.txt", b"hello\n<script>alert(1)</script>", "markup", "web page"),
        ("index.txt", b"<?php system($_GET['c']); ?>", "script", "script"),
        ("photo.jpg", samples.pdf(), "mismatch", "it is a PDF"),
        ("photo.png", samples.near_copy_jpeg(), "mismatch", "it is a JPG"),
        ("doc.pdf", samples.WHATSAPP, "mismatch", "TEXT"),
        ("photo.jpg.exe", samples.near_copy_jpeg(), "extension", ".exe"),
        ("data.json", b"not json at all", "mismatch", "not valid JSON"),
        ("movie.avi", b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 100, "extension", ".avi"),
        ("movie", b"RIFF\x00\x00\x00\x00AVI LIST" + b"\x00" * 100, "type", "AVI"),
        ("movie.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100, "damaged", "damaged video"),
        ("broken.png", samples.png()[:60], "damaged", "damaged picture"),
        ("random.bin", bytes(range(256)) * 4, "extension", ".bin"),
        ("random", bytes(range(256)) * 4, "type", "not accepted"),
        ("secret.zip", _encrypted_zip(), "zip_encrypted", "password"),
        ("link.zip", _symlink_zip(), "zip_link", "link"),
        ("up.zip", samples.zipped({"../../etc/cron.d/x.txt": b"hello"}), "zip_path", "unsafe path"),
        ("abs.zip", samples.zipped({"/etc/x.txt": b"hello"}), "zip_path", "unsafe path"),
        (
            "nested.zip",
            samples.zipped({"inner.zip": samples.zipped({"a.txt": b"hi"})}),
            "nested",
            "inside an archive",
        ),
        ("prog.zip", samples.zipped({"setup.exe": b"MZ" + b"\x00" * 60}), "executable", "In “prog.zip”"),
        ("prog2.zip", samples.zipped({"setup": samples.ELF}), "executable", "is a program"),
        ("many.zip", samples.zipped({f"{i}.txt": b"x" for i in range(201)}), "zip_entries", "more than"),
        ("bomb.zip", samples.zipped({"zeros.txt": b"0" * (25 * MB)}), "zip_bomb", "unpacks to far more"),
        ("small-bomb.zip", samples.zipped({"zeros.txt": b"0" * (5 * MB)}), "zip_bomb", "unpacks to far more"),
        ("damaged.zip", samples.zipped({"a.txt": b"hello there"})[:-30], "damaged", "damaged archive"),
        ("control.txt", b"hello \x1b[31m red", "type", "not accepted"),
        (
            "active.pdf",
            samples.pdf().replace(
                b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
            ),
            "pdf_active",
            "scripts",
        ),
        (
            "escaped.pdf",
            samples.pdf().replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /J#61vaScript >>"),
            "pdf_active",
            "scripts",
        ),
        ("polyglot.png", samples.png() + samples.zipped({"a.txt": b"hi"}), "polyglot", "hides another kind"),
        (
            "polyglot2.jpg",
            samples.near_copy_jpeg()[:2] + b"\xff\xfe\x00\x10%PDF-1.4 xx" + samples.near_copy_jpeg()[2:],
            "polyglot",
            "hides",
        ),
    ],
)
def test_refused_files(name, data, code, says):
    with pytest.raises(EvidenceRejected) as refused:
        validate_upload(name, data)
    assert refused.value.code == code, refused.value.message
    assert says in refused.value.message
    assert sanitise_name(name) in refused.value.message  # the message names the file


def test_size_limit_per_file(settings):
    settings.SMARTSAFE_EVIDENCE_MAX_FILE_MB = 1
    validate_upload("ok.txt", b"a" * (MB - 1))
    with pytest.raises(EvidenceRejected, match="larger than 1 MB") as refused:
        validate_upload("big.txt", b"a" * (MB + 1))
    assert refused.value.code == "too_large"


def test_size_limit_per_report(settings):
    settings.SMARTSAFE_EVIDENCE_MAX_REPORT_MB = 1
    files = [("a.txt", b"a" * (MB // 2)), ("b.txt", b"b" * (MB // 2))]
    assert len(validate_report(files)) == 2
    with pytest.raises(EvidenceRejected, match="at most 1 MB") as refused:
        validate_report(files, already_bytes=10)
    assert refused.value.code == "report_too_large"
    with pytest.raises(EvidenceRejected, match="at most 20 files"):
        validate_report([(f"{i}.txt", b"x") for i in range(21)])


def test_zip_members_are_listed_and_mac_metadata_ignored():
    data = samples.zipped({"shots/a.png": samples.png(), "__MACOSX/shots/._a.png": b"\x00\x05\x16\x07junk"})
    assert validate_upload("shots.zip", data).members == ("a.png",)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("C:\\Users\\ana\\Desktop\\slika.png", "slika.png"),
        ("../../etc/passwd", "passwd"),
        ("photo\u202egpj.exe", "photogpj.exe"),
        ("  .hidden. ", "hidden"),
        ("", "file"),
        ("a\x00b.txt", "ab.txt"),
        ("x" * 300 + ".png", "x" * 196 + ".png"),
    ],
)
def test_names_are_sanitised_for_display(given, shown):
    assert sanitise_name(given) == shown


def test_direction_override_cannot_disguise_a_program():
    with pytest.raises(EvidenceRejected) as refused:
        validate_upload("photo\u202egpj.exe", samples.near_copy_jpeg())
    assert refused.value.code == "extension"


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(max_size=80),
    data=st.one_of(
        st.binary(max_size=2048),
        st.sampled_from(
            [b"\x89PNG\r\n\x1a\n", b"%PDF-1.4\n", b"PK\x03\x04", b"\xff\xd8\xff", b"GIF89a", b"{", b"<"]
        ).flatmap(lambda head: st.binary(max_size=1024).map(lambda tail: head + tail)),
    ),
)
def test_random_input_is_accepted_or_refused_never_an_error(name, data):
    try:
        validated = validate_upload(name, data)
    except EvidenceRejected as refused:
        assert refused.message
    else:
        assert validated.kind in {"image", "pdf", "text", "chat_export", "archive"}


@hypothesis_settings(max_examples=100, deadline=None)
@given(
    entries=st.dictionaries(st.text(min_size=1, max_size=30), st.binary(max_size=300), min_size=1, max_size=5)
)
def test_random_zips_are_accepted_or_refused_never_an_error(entries):
    try:
        data = samples.zipped(entries)
    except (ValueError, UnicodeEncodeError, IndexError):
        return  # zipfile itself will not write such names (e.g. a NUL-only name)
    try:
        validate_upload("random.zip", data)
    except EvidenceRejected as refused:
        assert refused.message


def test_a_zip_entry_without_a_name_is_refused_not_a_crash():
    """Found by the random-zip property test: zipfile's ``is_dir`` fails on an empty name."""
    import io
    import zipfile

    from smartsafe.evidence.validation import EvidenceRejected, validate_upload

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo(""), b"hello")
    with pytest.raises(EvidenceRejected):
        validate_upload("chats.zip", buffer.getvalue())
