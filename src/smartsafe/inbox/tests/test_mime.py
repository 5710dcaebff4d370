"""Reading mail: every .eml fixture, charsets, HTML, attachments, forwarded and nested messages."""

import pytest

from smartsafe.inbox.channels import automatic, mime
from smartsafe.inbox.channels.htmltext import html_to_text

from .conftest import EML, eml


def parse(name):
    return mime.parse(eml(name))


def test_plain_utf8_quoted_printable():
    p = parse("plain_utf8.eml")
    assert p.message_id == "plain-utf8.1@mail.example.rs"
    assert p.subject == "Претње на Инстаграму"
    assert (p.from_name, p.from_address) == ("Милица Петровић", "milica.petrovic@mail.example.rs")
    assert p.text.startswith("Добар дан,\n\nмоја ћерка (13)")
    assert p.html == "" and p.attachments == [] and p.parse_error == ""
    assert p.date.isoformat() == "2026-03-03T09:15:00+01:00"


@pytest.mark.parametrize(
    "name, subject, text",
    [
        ("cyrillic_windows1251.eml", "Вршњачко насиље на Вајберу", "Ђорђе, Љиљана и Његош су уплашени."),
        ("cyrillic_koi8r.eml", "Проблем са сином", "Неко га узнемирава сваки дан."),
        ("cyrillic_koi8u.eml", "Погрози в інтернеті", "Мій син отримує погрози в інтернеті."),
        ("latin_cp1250_undeclared.eml", "Latinica", "Đaci iz škole šalju uvrede, čak i noću."),
    ],
)
def test_cyrillic_and_legacy_charsets(name, subject, text):
    p = parse(name)
    assert p.subject == subject
    assert text in p.text


def test_windows1251_sender_name():
    assert parse("cyrillic_windows1251.eml").from_name == "Ђорђе Јовановић"


def test_encoded_word_headers_mixed_charsets_and_rfc2231_filename():
    p = parse("encoded_headers.eml")
    assert p.subject == "Re: Лажни профил — пријава"  # utf-8 and windows-1251 words, folded
    assert p.from_name == "Ана Јанковић"  # koi8-r and windows-1251 words
    assert p.headers["to"] == "Паметно и безбедно <prijava@centre.example>"
    assert [a.filename for a in p.attachments] == ["снимак.png"]


def test_broken_and_unknown_charsets_degrade_gracefully():
    p = parse("broken_charset.eml")
    assert p.parse_error == ""
    assert "Непознат скуп знакова, али ћирилица у windows-1251." in p.text  # unknown charset: guessed
    assert "Invalid UTF-8 here:" in p.text and "end" in p.text  # mislabelled: decoded anyway
    assert "a charset é" in p.text  # "charset=base64" is a codec, not a charset: ignored
    assert p.subject.startswith("Hello ")  # undecodable words degrade, the header survives
    assert p.from_address == "broken@mail.example.rs" and "\x01" not in p.from_name
    assert p.date is None  # "not a date at all"


def test_html_only_is_sanitised_and_converted_to_text():
    p = parse("html_only.eml")
    assert p.subject == "Уцена преко игрице"
    for bad in (
        "<script",
        "alert",
        "<img",
        "tracker.example",
        "javascript:",
        "onclick",
        "<style",
        "color:red",
    ):
        assert bad not in p.html
    assert '<a href="https://discord.com/users/123" rel="noopener noreferrer nofollow">' in p.html
    assert "<b>уцењен</b>" in p.html
    assert p.text.splitlines()[0] == "Поштовани,"
    assert "мој син је уцењен преко игрице." in p.text
    assert "- профил: gamer_x" in p.text and "- платформа: Discord" in p.text
    assert "профил (https://discord.com/users/123)" in p.text
    assert "alert" not in p.text and "steal" not in p.text


def test_attachments_are_collected_with_their_names():
    p = parse("attachments.eml")
    assert [(a.filename, a.content_type, a.inline) for a in p.attachments] == [
        ("screenshot.png", "image/png", False),
        ("chat.txt", "text/plain", False),
        ("game-hack.exe", "application/octet-stream", False),
    ]
    assert p.attachments[0].data.startswith(b"\x89PNG")
    assert p.text.startswith("Three files attached")  # the attached .txt is not the body


def test_inline_cid_image_is_an_attachment():
    p = parse("inline_image.eml")
    assert p.text == "Pogledajte sliku poruke koju je dobio moj sin."  # text/plain preferred
    assert "<img" not in p.html
    [image] = p.attachments
    assert (image.inline, image.content_id, image.filename) == (True, "poruka@local", "inline-1.png")


def test_forwarded_message_keeps_its_headers_text_and_files():
    p = parse("forwarded.eml")
    assert p.subject == "Fwd: Pretnje učenici"  # raw UTF-8 in a header
    assert p.text == "Prosleđujem poruku roditelja."
    [forwarded] = p.forwarded
    assert forwarded["from"] == "Мајка ученице <majka@mail.example.rs>"
    assert forwarded["subject"] == "Претње мојој ћерки"
    assert forwarded["message_id"] == "original.10@mail.example.rs"
    assert forwarded["text"] == "Неко прети мојој ћерки да ће објавити њене слике."
    assert [a.filename for a in p.attachments] == ["pretnja.png"]  # the forwarded message's file


def test_nested_multiparts():
    p = parse("nested_alternative.eml")
    assert p.text == "Plain version of the message."
    assert p.html == "<p>HTML version of the message.</p>"
    assert [(a.filename, a.inline) for a in p.attachments] == [("inline-1.png", True), ("log.txt", False)]


def test_references_and_ids():
    raw = (
        b"Message-ID: <a@x>\r\nIn-Reply-To: <b@x>\r\nReferences: <c@x> <d@x>\r\n <b@x>\r\n"
        b"From: x@y.z\r\nSubject: s\r\n\r\nbody"
    )
    p = mime.parse(raw)
    assert p.in_reply_to == ["b@x"] and p.references == ["c@x", "d@x", "b@x"]
    assert p.all_references == ["b@x", "d@x", "c@x"]  # answered first, then newest reference first
    assert p.provider_id == "mid:a@x"


def test_message_without_id_gets_a_stable_hash_id():
    raw = eml("no_message_id.eml")
    assert mime.parse(raw).provider_id == mime.parse(raw).provider_id
    assert mime.parse(raw).provider_id.startswith("sha256:")
    assert mime.parse(raw + b"x").provider_id != mime.parse(raw).provider_id


def test_nul_and_surrogates_never_reach_the_database():
    raw = (
        b"From: a@b.c\r\nSubject: a\x00b \xff\r\n"
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nx\x00y \xed\xa0\x80"
    )
    p = mime.parse(raw)
    for value in (p.subject, p.text):
        assert "\x00" not in value
        value.encode("utf-8")  # no lone surrogates


@pytest.mark.parametrize(
    "name, kind",
    [
        ("auto_reply.eml", "auto_reply"),
        ("bulk.eml", "bulk"),
        ("bounce.eml", "bounce"),
        ("plain_utf8.eml", ""),
        ("forwarded.eml", ""),
    ],
)
def test_automatic_mail_is_recognised(name, kind):
    assert automatic.classify(parse(name), our_domains={"centre.example"}) == kind


@pytest.mark.parametrize(
    "headers, kind",
    [
        ("Auto-Submitted: auto-generated", "auto_reply"),
        ("Auto-Submitted: no", ""),
        ("Precedence: junk", "bulk"),
        ("Precedence: list", "bulk"),
        ("X-Autoreply: yes", "auto_reply"),
        ("Subject: Automatski odgovor: Re: prijava", "auto_reply"),
        ("Subject: Ван канцеларије", "auto_reply"),
        ("X-Smartsafe-Loop: centre.example", "loop"),
        ("Message-ID: <ss.abc@centre.example>", "loop"),
        ("Message-ID: <ss.abc@elsewhere.example>", ""),
        ("From: postmaster@mx.example.net", "bounce"),
    ],
)
def test_automatic_rules(headers, kind):
    defaults = {"From": "From: someone@mail.example.rs", "Subject": "Subject: hello"}
    defaults[headers.split(":")[0]] = ""  # the header under test replaces the default one
    raw = "\r\n".join([*(v for v in defaults.values() if v), headers, "", "body"]).encode()
    assert automatic.classify(mime.parse(raw), our_domains={"centre.example"}) == kind


def test_bounce_names_the_returned_message():
    assert parse("bounce.eml").bounced_ids == ["ss.BOUNCEDTOKEN@centre.example"]


def test_every_fixture_parses_without_error():
    names = sorted(p.name for p in EML.glob("*.eml"))
    assert len(names) >= 15
    for name in names:
        assert parse(name).parse_error == "", name


def test_html_to_text_blocks_and_entities():
    assert (
        html_to_text("<p>a&amp;b</p><p>c<br>d</p><table><tr><td>x</td><td>y</td></tr></table>")
        == "a&b\n\nc\nd\n\nx y"
    )
