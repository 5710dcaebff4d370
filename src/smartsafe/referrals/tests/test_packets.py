"""The referral packet: its JSON twin section by section, its languages, and the PDF made from it."""

from __future__ import annotations

import hashlib
import io
import json
import struct

import pytest
from django.test import override_settings
from pypdf import PdfReader

from smartsafe.referrals.models import Referral
from smartsafe.referrals.packet_pdf import render_pdf
from smartsafe.referrals.packets import SCHEMA, build_packet, packet_bytes, packet_sha256
from smartsafe.taxonomy.models import Category, Municipality
from smartsafe.taxonomy.translation import to_latin

from .packet_fixtures import (  # noqa: F401 — fixtures
    BELGRADE,
    CHAT_EXPORT,
    REPORTER_TRACES,
    add_evidence,
    institution_fixture,
    make_bare_referral,
    make_rich_referral,
    pdf_text,
    referral_fixture,
    vault_fixture,
)

pytestmark = pytest.mark.django_db


# --- the JSON twin ----------------------------------------------------------------------------


def test_every_section_of_the_packet(referral, settings):
    packet = build_packet(referral)

    assert packet["schema"] == SCHEMA == "smartsafe.referral-packet/1"
    assert packet["language"] == "sr"
    assert packet["centre"] == {
        "name": settings.SMARTSAFE_CENTRE_NAME,
        "helpline": settings.SMARTSAFE_HELPLINE,
    }

    r = packet["referral"]
    assert r["id"] == referral.pk and r["urgent"] is True and r["kind"]["code"] == "report"
    assert r["reason"] == "Уцена и договорен сусрет: надлежност ВТК."
    assert r["sent_at"] == "2026-07-02T10:00:00+02:00"
    assert r["acknowledge_due_at"] == "2026-07-02T11:00:00+02:00"
    assert r["respond_due_at"] == "2026-07-03T10:00:00+02:00"

    assert packet["institution"] == {
        "code": "police-test",
        "kind": "police",
        "name": "Министарство унутрашњих послова — Одељење за борбу против ВТК",
    }

    case = packet["case"]
    assert case["reference"] == referral.case.reference
    assert case["title"] == "Уцена дечака на Инстаграму"
    assert case["summary"].startswith("Дечак (13) добија претње")
    assert [c["code"] for c in case["categories"]] == ["threats_blackmail", "csam"]  # taxonomy order
    threats = case["categories"][0]
    assert threats["name"] == "Претње и уцене"
    assert threats["chi_code"] == "violence.online_sexual_exploitation" and threats["chi_name"]
    assert threats["insafe_code"] == "sextortion" and threats["insafe_name"]

    what = packet["what"]
    assert what["summary"] == case["summary"]
    assert [c["summary"][:20] for c in what["contacts"]] == ["Непознати профил на ", "Исти профил сада пиш"]
    assert what["contacts"][0]["reporter_type"]["code"] == "parent"
    assert what["first_contact_at"] == "2026-03-01T14:05:00+01:00"

    # Times carry the offset of the day (winter +01:00, summer +02:00) and the zone's name.
    assert packet["time_zone"] == packet["when"]["time_zone"] == "Europe/Belgrade"
    assert packet["when"]["first_contact_at"] == "2026-03-01T14:05:00+01:00"
    assert packet["when"]["last_contact_at"] == "2026-07-02T09:30:00+02:00"

    where = packet["where"]
    assert [p["code"] for p in where["platforms"]] == ["instagram", "telegram"]
    assert [(u["kind"], u["value"], u["normalized"]) for u in where["urls"]] == [
        ("url", "https://example.com/chat/123?utm_source=x", "url:example.com/chat/123")
    ]

    who = {(a["kind"], a["value"], a["normalized"]) for a in packet["who"]}
    assert who == {
        (
            "profile_url",
            "https://www.instagram.com/Predator.Example/?igshid=x",
            "profile:instagram:predator.example",
        ),
        ("username", "@dark_knight_77", "profile:telegram:dark_knight_77"),
        ("phone", "064 123 4567", "phone:+381641234567"),
    }
    username = next(a for a in packet["who"] if a["kind"] == "username")
    assert username["platform"]["code"] == "telegram" and username["kind_name"]

    child = packet["child"]
    assert child["age_band"] == {"code": "13-15", "name": "13–15 година"}
    assert child["sex"]["code"] == "male"
    assert child["municipality"]["name"] == "Ниш" and child["municipality"]["district"] == "Нишавски округ"
    assert set(child) == {"age_band", "sex", "municipality"}  # nothing else about the child

    assert packet["urgency"] == {"urgent": True, "reason": "Договорен сусрет сутра у 18 часова"}
    assert packet["evidence"] == {"files": [], "count": 0, "attached_count": 0}
    assert packet["missing"] == []


def test_evidence_is_listed_by_hash_and_attached_only_when_chosen(vault, counsellor, referral):
    kept = add_evidence(counsellor, referral)
    dropped = add_evidence(counsellor, referral, b"obrisano", "obrisano.txt")
    dropped.deleted_at = dropped.received_at
    dropped.save()
    evidence = build_packet(referral)["evidence"]
    assert evidence == {
        "files": [
            {
                "id": kept.pk,
                "filename": "prepiska.txt",
                "content_type": kept.content_type,
                "size": len(CHAT_EXPORT),
                "sha256": hashlib.sha256(CHAT_EXPORT).hexdigest(),
                "received_at": kept.received_at.astimezone(BELGRADE).isoformat(timespec="seconds"),
                "attached": False,
            }
        ],
        "count": 1,
        "attached_count": 0,
    }
    referral.shared_evidence = [kept.pk]
    packet = build_packet(referral)
    assert packet["evidence"]["files"][0]["attached"] is True and packet["evidence"]["attached_count"] == 1
    # The content itself is never in the packet.
    assert CHAT_EXPORT.decode() not in packet_bytes(packet).decode()
    text = pdf_text(render_pdf(packet, "sr"))
    assert hashlib.sha256(CHAT_EXPORT).hexdigest() in text and "prepiska.txt" in text


def test_missing_checklist_names_every_empty_actionable_field(counsellor, institution):
    packet = build_packet(make_bare_referral(counsellor, institution))
    assert [m["code"] for m in packet["missing"]] == [
        "time",
        "platform",
        "urls",
        "profiles",
        "age_band",
        "municipality",
    ]
    assert packet["missing"][4]["label"] == "The child's age band"
    assert packet["when"]["first_contact_at"] is None and packet["who"] == []
    assert packet["child"] == {"age_band": None, "sex": None, "municipality": None}
    assert packet["urgency"] == {"urgent": False, "reason": ""}


@pytest.mark.parametrize("language", ["sr", "sr-latn", "en"])
def test_no_reporter_data_in_json_or_pdf(counsellor, institution, language):
    referral = make_rich_referral(counsellor, institution, language=language)
    packet = build_packet(referral)
    json_text = packet_bytes(packet).decode()
    text = pdf_text(render_pdf(packet, language))
    for trace in REPORTER_TRACES:
        assert trace not in json_text
        assert trace not in text
    assert "reporter_name" not in json_text and "sender" not in json_text


def test_same_referral_same_packet_and_same_pdf(referral):
    first, second = build_packet(referral), build_packet(Referral.objects.get(pk=referral.pk))
    assert first == second and packet_bytes(first) == packet_bytes(second)
    assert render_pdf(first, "sr") == render_pdf(second, "sr")


def test_hash_survives_the_database_round_trip(referral):
    packet = build_packet(referral)
    referral.packet, referral.packet_sha256 = packet, packet_sha256(packet)
    referral.save()
    stored = Referral.objects.get(pk=referral.pk)
    assert packet_sha256(stored.packet) == stored.packet_sha256
    assert json.loads(packet_bytes(stored.packet)) == packet


def test_serbian_latin_is_generated_from_cyrillic(counsellor, institution):
    packet = build_packet(make_rich_referral(counsellor, institution, language="sr-latn"))
    threats = Category.objects.get(code="threats_blackmail")
    assert packet["language"] == "sr-latn"
    assert packet["case"]["categories"][0]["name"] == to_latin(threats.name_sr) == "Pretnje i ucene"
    assert packet["child"]["municipality"]["name"] == "Niš"
    assert packet["child"]["municipality"]["district"] == "Nišavski okrug"
    assert packet["child"]["age_band"]["name"] == "13–15 godina"
    assert packet["institution"]["name"].startswith("Ministarstvo unutrašnjih poslova")
    assert packet["case"]["title"] == "Ucena dečaka na Instagramu"
    assert packet["centre"]["name"] == "Pametno i bezbedno"
    # Identifiers are never transliterated.
    assert any(a["value"] == "@dark_knight_77" for a in packet["who"])
    assert not any("\u0400" <= ch <= "\u04ff" for ch in packet_bytes(packet).decode())


def test_english_packet_uses_english_names(counsellor, institution):
    packet = build_packet(make_rich_referral(counsellor, institution, language="en"))
    assert [c["name"] for c in packet["case"]["categories"]] == [
        Category.objects.get(code="threats_blackmail").name_en,
        Category.objects.get(code="csam").name_en,
    ]
    nis = Municipality.objects.get(code="rs-nis")
    assert packet["child"]["municipality"] == {
        "code": "rs-nis",
        "name": "Niš",
        "district": nis.district_en,
        "region": nis.region_en,
        "country": "RS",
    }
    assert packet["institution"]["name"] == "Ministry of Interior — High-Tech Crime Department"
    assert packet["referral"]["kind"]["name"] == "Report for action"
    # Free text stays as the counsellor wrote it.
    assert packet["case"]["title"] == "Уцена дечака на Инстаграму"


def test_directory_spellings_of_the_language_are_understood(counsellor, institution):
    referral = make_rich_referral(counsellor, institution)
    referral.packet_language = "sr-Latn"  # the directory's spelling
    assert build_packet(referral)["language"] == "sr-latn"


# --- labels come from the catalogue of the packet language -------------------------------------


def _write_mo(path, messages: dict[str, str]) -> None:
    """A GNU .mo catalogue (the format gettext reads), so the test needs no msgfmt."""
    messages = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    keys = sorted(messages)
    ids = [k.encode() for k in keys]
    strs = [messages[k].encode() for k in keys]
    header = 7 * 4
    key_start = header + 16 * len(keys)
    ids_blob = b"".join(i + b"\0" for i in ids)
    value_start = key_start + len(ids_blob)
    offsets, pos = [], key_start
    for i in ids:
        offsets += [len(i), pos]
        pos += len(i) + 1
    pos = value_start
    for s in strs:
        offsets += [len(s), pos]
        pos += len(s) + 1
    head = struct.pack("<7I", 0x950412DE, 0, len(keys), header, header + 8 * len(keys), 0, 0)
    path.write_bytes(
        head + struct.pack(f"<{len(offsets)}I", *offsets) + ids_blob + b"".join(s + b"\0" for s in strs)
    )


@pytest.fixture
def serbian_catalogue(tmp_path):
    target = tmp_path / "locale" / "sr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    _write_mo(
        target / "django.mo",
        {
            "What happened": "Шта се догодило",
            "The child's age band": "Узраст детета",
            "Report for action": "Пријава ради поступања",
            "Page %(page)d of %(pages)d": "Страна %(page)d од %(pages)d",
        },
    )
    # Changing LOCALE_PATHS makes Django drop its loaded catalogues (django.test.signals).
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        yield


@pytest.mark.parametrize(
    "language,heading,label,kind,page",
    [
        ("sr", "Шта се догодило", "Узраст детета", "Пријава ради поступања", "Страна 1 од"),
        ("sr-latn", "Šta se dogodilo", "Uzrast deteta", "Prijava radi postupanja", "Strana 1 od"),
        ("en", "What happened", "The child's age band", "Report for action", "Page 1 of"),
    ],
)
def test_labels_are_translated_into_the_packet_language(
    serbian_catalogue, counsellor, institution, language, heading, label, kind, page
):
    bare = make_bare_referral(counsellor, institution)
    bare.packet_language = language
    packet = build_packet(bare)
    assert packet["missing"][4]["label"] == label
    assert packet["referral"]["kind"]["name"] == kind
    text = pdf_text(render_pdf(packet, language))
    assert heading in text and label in text and page in text


# --- the PDF ----------------------------------------------------------------------------------


def test_pdf_is_a_valid_a4_pdf_with_reference_cyrillic_and_footer_hash(referral):
    packet = build_packet(referral)
    data = render_pdf(packet, "sr")
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    text = pdf_text(data)
    assert referral.case.reference in text
    assert "CONFIDENTIAL / ПОВЕРЉИВО" in text
    assert "Уцена дечака на Инстаграму" in text and "Претње и уцене" in text and "Нишавски округ" in text
    assert "https://example.com/chat/123?utm_source=x" in text
    assert "@dark_knight_77" in text and "phone:+381641234567" in text
    assert "Europe/Belgrade" in text and "+01:00" in text and "+02:00" in text
    # Labels are in the packet's language (Serbian here), the reporter's words as written.
    assert "ХИТНО — дете у непосредној опасности" in text and "Договорен сусрет сутра" in text
    pages = len(reader.pages)
    # Every page carries the JSON's hash and its number.
    for number, page in enumerate(reader.pages, start=1):
        page_text = page.extract_text()
        assert packet_sha256(packet) in page_text
        assert f"Страница {number} од {pages}" in page_text
        assert referral.case.reference in page_text


def test_pdf_fonts_are_embedded(referral):
    """Every font is embedded (the bundled DejaVu faces), so Cyrillic prints the same everywhere."""
    reader = PdfReader(io.BytesIO(render_pdf(build_packet(referral), "sr")))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            fonts[str(font["/BaseFont"]).split("+")[-1]] = (
                descriptor is not None and "/FontFile2" in descriptor.get_object()
            )
    assert set(fonts) == {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"}
    assert all(fonts.values())


def test_no_urgent_banner_when_not_urgent(counsellor, institution):
    referral = make_rich_referral(counsellor, institution, urgent=False)
    packet = build_packet(referral)
    assert packet["urgency"] == {"urgent": False, "reason": ""}
    assert "URGENT" not in pdf_text(render_pdf(packet, "sr"))


def test_evidence_table_prints_full_hashes_and_sizes(referral):
    packet = build_packet(referral)
    digest = "a3f1" * 16
    packet["evidence"] = {
        "files": [
            {
                "id": 7,
                "filename": "снимак-екрана.png",
                "content_type": "image/png",
                "size": 482113,
                "sha256": digest,
                "received_at": None,
                "attached": False,
            },
        ],
        "count": 1,
        "attached_count": 0,
    }
    text = pdf_text(render_pdf(packet, "sr"))
    assert digest in text and "482113" in text and "снимак-екрана.png" in text


def test_sr_latn_pdf_is_in_latin_script(counsellor, institution):
    packet = build_packet(make_rich_referral(counsellor, institution, language="sr-latn"))
    text = pdf_text(render_pdf(packet, "sr-latn"))
    assert "Pretnje i ucene" in text and "Niš (Nišavski okrug)" in text and "Pametno i bezbedno" in text


def test_hostile_text_is_printed_literally(counsellor, institution):
    referral = make_rich_referral(counsellor, institution)
    case = referral.case
    case.summary = "<b>bold</b> & <font name='x'>\x07 odd \ufffe</font>\nnew line"
    case.save()
    packet = build_packet(referral)
    # A NUL cannot be stored in PostgreSQL text, but a packet from elsewhere may carry one.
    packet["what"]["contacts"][0]["summary"] = "before\x00after <br/> </para>"
    text = pdf_text(render_pdf(packet, "sr"))
    assert "<b>bold</b> &" in text and "<font name='x'>" in text
    assert "beforeafter <br/> </para>" in text


def test_render_accepts_a_partial_packet():
    """A stored packet from an older or damaged record still prints instead of failing."""
    data = render_pdf({"schema": SCHEMA, "case": {"reference": "SS-2026-000001"}}, "en")
    assert "SS-2026-000001" in pdf_text(data)
