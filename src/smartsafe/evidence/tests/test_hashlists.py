"""Partners' hash lists: the parser, import/replace/withdraw/export, who may, and known content."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from smartsafe.audit.models import AuditEvent
from smartsafe.evidence import actions, hashing, hashlists
from smartsafe.evidence.models import HashAlgorithm, KnownContentMatch, KnownHash, KnownHashList
from smartsafe.testing import make_case, make_contact

from . import samples

HEX = "0123456789abcdef"
hashes_of = {
    kind: st.text(HEX, min_size=length, max_size=length) for kind, length in hashlists.LENGTHS.items()
}


# --- the parser ----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(HashAlgorithm.values),
    data=st.data(),
)
def test_what_write_writes_parse_reads_back(kind, data):
    values = data.draw(st.lists(hashes_of[kind], min_size=1, max_size=30, unique=True))
    quality = st.integers(0, 100) if kind == HashAlgorithm.PDQ else st.none()
    rows = [(v, data.draw(quality)) for v in values]
    parsed = hashlists.parse(hashlists.write(kind, rows).encode(), kind)
    assert parsed.algorithm == kind
    assert parsed.hashes == {v: (q if kind == HashAlgorithm.PDQ else None) for v, q in rows}
    if kind != HashAlgorithm.SHA256:  # 64 digits without quality are ambiguous
        assert hashlists.parse(hashlists.write(kind, rows), hashlists.AUTO).algorithm == kind


def _not_a_hash_line(text: str) -> bool:
    if len(text.splitlines()) != 1 or text != text.splitlines()[0]:
        return False
    first = text.strip().split(",")[0].strip()
    return len(first) != 32 or any(c not in HEX + HEX.upper() for c in first)


@settings(max_examples=300, deadline=None)
@given(
    good=st.lists(hashes_of[HashAlgorithm.MD5], min_size=1, max_size=10),
    bad=st.lists(st.text(min_size=1, max_size=40).filter(_not_a_hash_line), max_size=5),
    positions=st.lists(st.integers(0, 15), max_size=5),
)
def test_bad_lines_are_reported_by_number_and_nothing_is_read(good, bad, positions):
    lines = [g.upper() if i % 2 else g for i, g in enumerate(good)]
    for text, at in zip(bad, positions, strict=False):
        lines.insert(min(at, len(lines)), text)
    source = "\n".join(lines)
    try:
        parsed = hashlists.parse(source, HashAlgorithm.MD5)
    except hashlists.HashListInvalid as exc:
        assert (
            exc.problems and exc.message.startswith("The list was not imported") or "no hashes" in exc.message
        )
        for number, _problem in exc.problems:
            line = source.splitlines()[number - 1].strip()
            first = line.split(",")[0].strip()
            assert len(first) != 32 or any(c not in HEX + HEX.upper() for c in first)
    else:
        assert set(parsed.hashes) == {g.lower() for g in good}


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_the_parser_never_fails_other_than_clearly(data):
    for kind in (hashlists.AUTO, *HashAlgorithm.values):
        try:
            parsed = hashlists.parse(data, kind)
        except hashlists.HashListInvalid as exc:
            assert exc.message
        else:
            assert parsed.hashes


def test_formats_hotlines_exchange():
    pdq = "f" * 63 + "0"
    hma = f"hash,quality,extra\n{pdq},87,whatever\n\n# note\n{'e' * 64},100\n"
    assert hashlists.parse(hma).hashes == {pdq: 87, "e" * 64: 100}
    md5 = "\ufeffD41D8CD98F00B204E9800998ECF8427E\r\nd41d8cd98f00b204e9800998ecf8427e\n"
    parsed = hashlists.parse(md5.encode())
    assert (parsed.algorithm, parsed.hashes) == ("md5", {"d41d8cd98f00b204e9800998ecf8427e": None})
    assert hashlists.parse("a" * 40 + "\n").algorithm == "sha1"
    with pytest.raises(hashlists.HashListInvalid, match="PDQ or SHA-256"):
        hashlists.parse("a" * 64 + "\n")
    assert hashlists.parse("a" * 64 + "\n", "sha256").algorithm == "sha256"
    with pytest.raises(hashlists.HashListInvalid, match="line 3: not a hexadecimal hash; line 4: 31 digits"):
        hashlists.parse("hash,quality\n" + "a" * 32 + "\nnot-a-hash\n" + "b" * 31 + "\n", "md5")
    with pytest.raises(hashlists.HashListInvalid, match="line 2: the quality"):
        hashlists.parse(f"{pdq},87\n{pdq},101\n", "pdq")
    with pytest.raises(hashlists.HashListInvalid, match="not UTF-8"):
        hashlists.parse(b"\xff\xfe\x00a")


# --- import, replace, withdraw, export --------------------------------------------------------

pytestmark = pytest.mark.django_db


def _import(name="IWF-2026-11", data=None, **kwargs):
    kwargs.setdefault("source", "Partner hotline")
    kwargs.setdefault("actor", None)
    return actions.import_hash_list(name=name, data=data, **kwargs)


def test_the_command_imports_replaces_withdraws_and_lists(tmp_path):
    listed = tmp_path / "list.txt"
    listed.write_text("a" * 32 + "\n" + "b" * 32 + "\n")
    out = io.StringIO()
    call_command(
        "hashlist",
        "import",
        "NCMEC-1",
        str(listed),
        "--source",
        "NCMEC",
        "--date",
        "2026-11-30",
        "--description",
        "monthly",
        stdout=out,
    )
    assert "imported 2 MD5 hashes" in out.getvalue()
    hash_list = KnownHashList.objects.get(name="NCMEC-1")
    assert (hash_list.source, str(hash_list.list_date), hash_list.entry_count) == ("NCMEC", "2026-11-30", 2)
    with pytest.raises(CommandError, match="exists"):
        call_command("hashlist", "import", "NCMEC-1", str(listed), "--source", "NCMEC")
    listed.write_text("c" * 32 + "\n")
    call_command("hashlist", "replace", "NCMEC-1", str(listed), "--source", "NCMEC", stdout=out)
    assert list(KnownHash.objects.values_list("value", flat=True)) == ["c" * 32]
    bad = tmp_path / "bad.txt"
    bad.write_text("c" * 32 + "\nzz\n")
    with pytest.raises(CommandError, match="line 2: not a hexadecimal hash"):
        call_command("hashlist", "replace", "NCMEC-1", str(bad), "--source", "NCMEC")
    assert list(KnownHash.objects.values_list("value", flat=True)) == ["c" * 32]  # untouched
    with pytest.raises(CommandError, match="cannot read"):
        call_command("hashlist", "import", "X", str(tmp_path / "missing"), "--source", "s")
    call_command("hashlist", "withdraw", "NCMEC-1", "--reason", "superseded", stdout=out)
    hash_list.refresh_from_db()
    assert hash_list.status == "withdrawn" and not KnownHash.objects.exists()
    call_command("hashlist", "list", stdout=out)
    assert "NCMEC-1\tMD5\t1\twithdrawn" in out.getvalue()
    codes = list(
        AuditEvent.objects.filter(action__startswith="evidence.hashlist")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert codes == ["evidence.hashlist_import", "evidence.hashlist_import", "evidence.hashlist_withdraw"]


def test_only_supervisors_manage_lists(counsellor, administrator, supervisor):
    for person in (counsellor, administrator):
        with pytest.raises(PermissionDenied):
            _import(data="a" * 32, actor=person)
        with pytest.raises(PermissionDenied):
            actions.export_confirmed_hashes(actor=person, algorithm="md5")
    assert _import(data="a" * 32, actor=supervisor).imported_by == supervisor
    with pytest.raises(ValidationError):
        _import(name=" ", data="a" * 32, actor=supervisor)


def test_pages_for_supervisors_only(client, counsellor, administrator, auditor, supervisor):
    url = reverse("evidence:hash_lists")
    for person in (counsellor, administrator, auditor):
        client.force_login(person)
        assert client.get(url).status_code == 404
        assert client.get(reverse("evidence:export_confirmed", args=["md5"])).status_code == 404
        assert client.post(url, {"name": "x"}).status_code == 404
    client.force_login(supervisor)
    assert client.get(url).status_code == 200
    upload = SimpleUploadedFile("list.csv", f"hash,quality\n{'ab' * 32},90\n".encode())
    response = client.post(
        url, {"name": "HMA", "source": "Platform", "kind": "auto", "file": upload, "list_date": "2026-12-01"}
    )
    assert response.status_code == 302
    hash_list = KnownHashList.objects.get(name="HMA")
    assert (hash_list.algorithm, hash_list.entry_count) == ("pdq", 1)
    bad = SimpleUploadedFile("bad.csv", b"hash\nnope\n")
    response = client.post(url, {"name": "Bad", "source": "s", "kind": "md5", "file": bad})
    assert response.status_code == 400 and "line 2: not a hexadecimal hash" in response.content.decode()
    response = client.post(reverse("evidence:withdraw_list", args=[hash_list.pk]), {"reason": "wrong list"})
    assert response.status_code == 302
    hash_list.refresh_from_db()
    assert hash_list.status == "withdrawn"


def test_export_gives_confirmed_hashes_only_in_the_formats_read(client, counsellor, supervisor):
    case = make_case(counsellor)
    confirmed = actions.receive_file(data=samples.png(3), filename="a.png", case=case, via="web")
    actions.receive_file(data=samples.png(4), filename="b.png", case=case, via="web")  # not confirmed
    with pytest.raises(PermissionDenied):
        actions.confirm_file(actor=counsellor, file=confirmed, reason="r")
    client.force_login(supervisor)
    response = client.post(reverse("evidence:confirm", args=[confirmed.pk]), {"reason": "reviewed by two"})
    assert response.status_code == 302
    confirmed.refresh_from_db()
    assert confirmed.confirmed_by == supervisor and confirmed.custody.filter(action="confirmed").exists()
    texts = {}
    for kind in HashAlgorithm.values:
        response = client.get(reverse("evidence:export_confirmed", args=[kind]))
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
        texts[kind] = response.content.decode()
    assert texts["md5"] == confirmed.md5 + "\n" and texts["sha256"] == confirmed.sha256 + "\n"
    assert texts["sha1"] == confirmed.sha1 + "\n"
    assert texts["pdq"] == f"hash,quality\n{confirmed.pdq_hash},{confirmed.pdq_quality}\n"
    assert hashlists.parse(texts["pdq"]).hashes == {confirmed.pdq_hash: confirmed.pdq_quality}
    assert "a.png" not in "".join(texts.values())
    assert AuditEvent.objects.filter(action="evidence.hashlist_export").count() == 4
    assert AuditEvent.objects.filter(action="evidence.confirm").count() == 1


# --- known content on arrival ---------------------------------------------------------------


def test_a_file_on_a_digest_list_marks_its_contact_urgent_and_is_never_shown(client, counsellor):
    data = samples.pdf("known")
    _import(name="Police list", data=hashlib.sha1(data).hexdigest() + "\n", source="Police")
    contact = make_contact(counsellor)
    assert not contact.urgent
    file = actions.receive_file(data=data, filename="x.pdf", contact=contact, via="web")
    contact.refresh_from_db()
    assert contact.urgent and file.known_content
    match = KnownContentMatch.objects.get()
    assert (match.file, match.list_name, match.method, match.distance) == (file, "Police list", "sha1", 0)
    assert file.custody.filter(action="known").exists()
    event = AuditEvent.objects.get(action="evidence.known_content")
    assert event.details["hash_list"] == "Police list" and event.object_id == str(file.pk)
    assert AuditEvent.objects.filter(action="contact.update", object_id=str(contact.pk)).exists()
    client.force_login(counsellor)
    page = client.get(reverse("intake:detail", args=[contact.pk])).content.decode()
    assert "known content: Police list" in page
    detail = client.get(reverse("evidence:detail", args=[file.pk])).content.decode()
    assert "Known content" in detail and "Police list" in detail and "Show the picture" not in detail


def test_a_turned_copy_of_a_listed_picture_is_known_content(client, counsellor):
    picture = samples.drawing(31)
    listed = hashing.pdq(samples.encode(picture))
    _import(name="HMA export", data=f"hash,quality\n{listed.hash},{listed.quality}\n", source="Platform")
    contact = make_contact(counsellor)
    turned = samples.encode(picture.transpose(samples.DIHEDRAL_TRANSPOSE["rotate90"]), "JPEG")
    file = actions.receive_file(data=turned, filename="turned.jpg", contact=contact, via="web")
    match = KnownContentMatch.objects.get()
    assert match.method == "pdq" and match.variant != 0 and match.distance <= hashing.PDQ_MATCH_DISTANCE
    contact.refresh_from_db()
    assert contact.urgent
    # No picture is ever shown: the "show" mode is refused by the action and the page alike.
    with pytest.raises(actions.FileUnavailable, match="never shown"):
        actions.open_file(actor=counsellor, file=file, reason="look", download=False)
    client.force_login(counsellor)
    response = client.post(
        reverse("evidence:open", args=[file.pk]), {"reason": "for the police", "mode": "view"}
    )
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert b"data:image" not in response.content


def test_a_withdrawn_list_matches_nothing_new(counsellor):
    data = samples.pdf("withdrawn")
    hash_list = _import(name="Old", data=hashlib.md5(data).hexdigest(), source="s")
    actions.withdraw_hash_list(actor=None, hash_list=hash_list, reason="expired")
    contact = make_contact(counsellor)
    file = actions.receive_file(data=data, filename="x.pdf", contact=contact, via="web")
    contact.refresh_from_db()
    assert not file.known_content and not contact.urgent and not KnownContentMatch.objects.exists()


def test_the_referral_packet_carries_the_match(counsellor):
    from smartsafe.referrals.packets import _evidence_items

    data = samples.pdf("in the packet")
    _import(name="IWF", data=hashlib.sha256(data).hexdigest(), algorithm="sha256", source="IWF")
    case = make_case(counsellor)
    actions.receive_file(data=data, filename="x.pdf", case=case, via="web")
    actions.receive_file(data=b"plain chat", filename="chat.txt", case=case, via="web")
    known, plain = _evidence_items(case)
    assert known["known_content"] == [{"list": "IWF", "source": "IWF", "method": "sha256", "distance": 0}]
    assert "known_content" not in plain
