"""Reading an e-mail: any bytes in, a ``ParsedEmail`` out — never an exception.

The ``email`` package with ``policy.default`` does the MIME work; this module adds what real mail
from the public needs (docs/channels-email.md, "MIME handling"):

- text from ``text/plain``, else from the HTML converted to text; HTML kept only after nh3;
- any charset: the declared one when Python knows it (aliases such as ``x-cp1251`` mapped), else
  UTF-8, else a guess between windows-1251 (Cyrillic) and windows-1250 (Serbian Latin), always
  ending in replacement characters rather than an error;
- headers decoded (RFC 2047), each one read on its own so that one broken header spoils nothing else;
- attachments and inline images (``cid:``) collected for the evidence vault;
- forwarded messages (``message/rfc822``) summarised with their own headers, their files collected;
- bounces: the returned message's Message-ID is kept so the bounce threads onto what we sent.

Everything returned is safe to store in PostgreSQL (no NUL characters, no lone surrogates).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime as dt
import email
import email.policy
import hashlib
import mimetypes
import quopri
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

import nh3

from .htmltext import html_to_text

MAX_DEPTH = 12  # nested multiparts / forwarded messages followed
MAX_PARTS = 200  # leaves looked at in one message
MAX_ATTACHMENTS = 30
MAX_TEXT = 200_000  # characters of body text kept
MAX_HEADER = 2000
MAX_IDS = 50  # message ids kept from References

# Headers kept with each message: threading, automatic-mail detection, and what a counsellor reads.
KEPT_HEADERS = (
    "Message-ID",
    "In-Reply-To",
    "References",
    "Date",
    "From",
    "To",
    "Cc",
    "Reply-To",
    "Subject",
    "Return-Path",
    "Auto-Submitted",
    "Precedence",
    "X-Autoreply",
    "X-Autorespond",
    "List-Id",
    "Content-Type",
    "X-Smartsafe-Loop",
)

CHARSET_ALIASES = {
    "x-cp1251": "cp1251",
    "win-1251": "cp1251",
    "windows1251": "cp1251",
    "cp-1251": "cp1251",
    "x-cp1250": "cp1250",
    "win-1250": "cp1250",
    "windows1250": "cp1250",
    "cp-1250": "cp1250",
    "x-mac-cyrillic": "mac-cyrillic",
    "koi8r": "koi8-r",
    "koi8u": "koi8-u",
    "x-koi8-r": "koi8-r",
    "utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "ks_c_5601-1987": "cp949",
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "div", "dl", "dt", "em", "h1", "h2",
    "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "q", "s", "small", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
# No images at all: a remote image is a read receipt for the sender (and a tracking pixel).
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Message-IDs: printable ASCII without angle brackets (anything else cannot be matched reliably).
ID_PATTERN = re.compile(r"<([\x21-\x3b\x3d\x3f-\x7e]{1,290})>")
BARE_ID = re.compile(r"[\x21-\x3b\x3d\x3f-\x7e]{1,290}")


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes = field(repr=False)
    inline: bool = False
    content_id: str = ""


@dataclass
class ParsedEmail:
    raw_sha256: str
    message_id: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    subject: str = ""
    from_address: str = ""
    from_name: str = ""
    reply_to: str = ""
    to: list[str] = field(default_factory=list)
    date: dt.datetime | None = None
    text: str = ""
    html: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    forwarded: list[dict] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = ""
    report_type: str = ""
    # Message-IDs from text/rfc822-headers parts (what a delivery report returns).
    returned_ids: list[str] = field(default_factory=list)
    parse_error: str = ""

    @property
    def provider_id(self) -> str:
        """The idempotency key: the Message-ID, or a hash of the bytes when there is none."""
        return f"mid:{self.message_id}" if self.message_id else f"sha256:{self.raw_sha256}"

    @property
    def bounced_ids(self) -> list[str]:
        """Message-IDs of the messages a delivery report returns (its headers or a full copy)."""
        return [*self.returned_ids, *(f["message_id"] for f in self.forwarded if f.get("message_id"))]

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def all_references(self) -> list[str]:
        """In-Reply-To first, then References newest first: the order to look threads up in."""
        seen: list[str] = []
        for value in [*self.in_reply_to, *reversed(self.references)]:
            if value not in seen:
                seen.append(value)
        return seen


# --- text helpers --------------------------------------------------------------------------------


def clean(text: str, limit: int | None = None) -> str:
    """Storable text: no control characters but tab and newlines (PostgreSQL refuses NUL), no lone
    surrogates (not encodable as UTF-8); shortened to ``limit`` when given."""
    if not text:
        return ""
    text = CONTROL.sub("", text)
    text = text.encode("utf-8", "replace").decode("utf-8", "replace") if _has_surrogates(text) else text
    return text[:limit] if limit else text


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def codec_for(charset: str | None) -> str | None:
    """A Python codec for a declared MIME charset, or None when there is no usable one."""
    if not charset:
        return None
    name = str(charset).strip().strip("\"'").lower()[:40]
    name = CHARSET_ALIASES.get(name, name)
    try:
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # Only text encodings: "base64"/"rot13" etc. are codecs too, but not charsets.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode body bytes: the declared charset, else UTF-8, else a Cyrillic/Latin guess."""
    codec = codec_for(charset)
    if codec and codec not in ("ascii", "us-ascii"):
        try:
            return data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            pass  # mislabelled: fall through to the guesses below
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return data.decode(_guess_8bit(data), "replace")


def _guess_8bit(data: bytes) -> str:
    """windows-1251 when most non-ASCII bytes are letters of the Cyrillic block, else windows-1250.

    Cyrillic text in cp1251 is mostly bytes 0xC0–0xFF; Serbian Latin in cp1250 is mostly ASCII with
    a few č ć š ž đ. Good enough for mail that declared nothing or something unknown.
    """
    high = sum(1 for b in data if b >= 0x80)
    letters = sum(1 for b in data if b >= 0xC0 or (0x41 <= b <= 0x5A) or (0x61 <= b <= 0x7A))
    cyrillic = sum(1 for b in data if b >= 0xC0)
    if high and letters and cyrillic / letters > 0.3:
        return "cp1251"
    return "cp1250"


ENCODED_WORD = re.compile(r"=\?([^?\s]{1,60})\?([bBqQ])\?([^?\s]*)\?=")


def _word_bytes(encoding: str, payload: str) -> bytes | None:
    try:
        if encoding in "bB":
            cleaned = re.sub(r"[^A-Za-z0-9+/]", "", payload)
            cleaned = cleaned[: len(cleaned) - len(cleaned) % 4] if len(cleaned) % 4 == 1 else cleaned
            return base64.b64decode(cleaned + "=" * (-len(cleaned) % 4))
        return quopri.decodestring(payload.encode("ascii", "replace"), header=True)
    except (ValueError, binascii.Error):
        return None


def decode_header_value(raw) -> str:
    """One header value as text. RFC 2047 words are decoded one by one, so a broken or unknown
    one degrades alone; adjacent words in one charset are joined before decoding (a character may
    be split between them); raw 8-bit headers (common, though not allowed) are decoded like bodies.
    """
    if raw is None:
        return ""
    if isinstance(raw, bytes):
        raw = decode_bytes(raw)
    raw = _unfold(str(raw))
    if _has_surrogates(raw):  # 8-bit bytes the parser kept as surrogates
        raw = decode_bytes(raw.encode("utf-8", "surrogateescape"))
    out: list[str] = []
    pending: tuple[str, bytearray] | None = None  # (charset, bytes) of adjacent encoded words
    position = 0
    for match in ENCODED_WORD.finditer(raw):
        between = raw[position : match.start()]
        charset = match.group(1).split("*")[0]  # RFC 2231 adds a language after "*"
        data = _word_bytes(match.group(2), match.group(3))
        if data is None:  # not decodable: keep the word as it was written
            if pending:
                out.append(decode_bytes(bytes(pending[1]), pending[0]))
                pending = None
            out.append(between + match.group(0))
        elif pending and not between.strip() and pending[0].lower() == charset.lower():
            pending[1].extend(data)  # whitespace between encoded words is not text (RFC 2047 §6.2)
        else:
            if pending:
                out.append(decode_bytes(bytes(pending[1]), pending[0]))
                if between.strip():
                    out.append(between)
            else:
                out.append(between)
            pending = (charset, bytearray(data))
        position = match.end()
    if pending:
        out.append(decode_bytes(bytes(pending[1]), pending[0]))
    out.append(raw[position:])
    return clean("".join(out).strip(), MAX_HEADER)


def _unfold(value: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", value).strip()


def parse_ids(value: str) -> list[str]:
    ids = ID_PATTERN.findall(value or "")
    return ids[-MAX_IDS:]


def normalise_message_id(value: str) -> str:
    ids = ID_PATTERN.findall(value or "")
    if ids:
        return ids[0]
    value = (value or "").strip()
    return value if BARE_ID.fullmatch(value) else ""


def sanitise_html(html: str) -> str:
    try:
        return nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
            clean_content_tags={"script", "style", "title", "head", "template"},
        )
    except Exception:  # noqa: BLE001 - nh3 refuses nothing we know of; if it did, keep no HTML
        return ""


# --- reading a message ----------------------------------------------------------------------------


def _raw_headers(msg: Message) -> dict[str, str]:
    """Header values read one by one from the raw items: a broken one cannot spoil the others."""
    found: dict[str, str] = {}
    try:
        items = msg.raw_items() if hasattr(msg, "raw_items") else msg.items()
        for name, value in items:
            key = str(name).strip().lower()
            if key and key not in found:
                found[key] = value
    except Exception:  # noqa: BLE001
        pass
    return found


def _addresses(raw: str) -> list[tuple[str, str]]:
    try:
        pairs = getaddresses([_unfold(str(raw))])
    except Exception:  # noqa: BLE001
        return []
    out = []
    for name, address in pairs:
        address = clean(address.strip().strip("<>"), 320)
        if "@" in address:
            out.append((decode_header_value(name)[:200], address))
    return out


def _date(raw: str) -> dt.datetime | None:
    try:
        value = parsedate_to_datetime(_unfold(str(raw)))
    except Exception:  # noqa: BLE001
        return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:  # noqa: BLE001
        name = None
    return decode_header_value(name)[:200] if name else ""


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001
        data = None
    if isinstance(data, bytes):
        return data
    payload = part.get_payload()
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _charset(part: Message) -> str | None:
    try:
        return part.get_content_charset()
    except Exception:  # noqa: BLE001
        return None


def _content_type(part: Message) -> str:
    try:
        return clean(part.get_content_type(), 100)
    except Exception:  # noqa: BLE001
        return "application/octet-stream"


def _disposition(part: Message) -> str:
    try:
        return part.get_content_disposition() or ""
    except Exception:  # noqa: BLE001
        return ""


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


class _Collector:
    """Walks one message (not into forwarded ones: those get a collector of their own)."""

    def __init__(self, parsed: ParsedEmail):
        self.parsed = parsed
        self.plain: list[str] = []
        self.html: list[str] = []
        self.leaves = 0

    def visit(self, part: Message, depth: int = 0) -> None:
        if depth > MAX_DEPTH or self.leaves > MAX_PARTS:
            self.parsed.parse_error = self.parsed.parse_error or "too deeply nested"
            return
        ctype = _content_type(part)
        if ctype in ("message/rfc822", "message/global"):
            for inner in _children(part)[:1]:
                self.forwarded(inner, depth)
            return
        if ctype == "text/rfc822-headers":
            self.returned_headers(_payload(part))
            return
        if part.is_multipart():
            for child in _children(part):
                self.visit(child, depth + 1)
            return
        if ctype.startswith("message/"):
            return  # delivery-status and disposition notifications: machine data, nothing to read
        self.leaves += 1
        self.leaf(part, ctype)

    def leaf(self, part: Message, ctype: str) -> None:
        disposition = _disposition(part)
        filename = _filename(part)
        if disposition != "attachment" and not filename:
            if ctype == "text/plain":
                self.plain.append(decode_bytes(_payload(part), _charset(part)))
                return
            if ctype == "text/html":
                self.html.append(decode_bytes(_payload(part), _charset(part)))
                return
        if len(self.parsed.attachments) >= MAX_ATTACHMENTS:
            self.parsed.parse_error = self.parsed.parse_error or "too many attachments"
            return
        content_id = _unfold(str(part.get("Content-ID", "") or "")).strip("<> ")[:200]
        inline = disposition == "inline" or (bool(content_id) and disposition != "attachment")
        number = len(self.parsed.attachments) + 1
        if not filename:
            extension = mimetypes.guess_extension(ctype) or ".bin"
            filename = f"{'inline' if inline else 'attachment'}-{number}{extension}"
        self.parsed.attachments.append(
            Attachment(
                filename=clean(filename, 200),
                content_type=ctype,
                data=_payload(part),
                inline=inline,
                content_id=clean(content_id, 200),
            )
        )

    def forwarded(self, inner: Message, depth: int) -> None:
        headers = _raw_headers(inner)
        nested = ParsedEmail(raw_sha256="")
        collector = _Collector(nested)
        collector.visit(inner, depth + 1)
        collector.finish()
        entry = {
            "from": decode_header_value(headers.get("from", ""))[:400],
            "to": decode_header_value(headers.get("to", ""))[:400],
            "subject": decode_header_value(headers.get("subject", ""))[:400],
            "date": decode_header_value(headers.get("date", ""))[:100],
            "message_id": normalise_message_id(str(headers.get("message-id", ""))),
            "text": clean(nested.text, 20_000),
        }
        self.parsed.forwarded.append(entry)
        self.parsed.forwarded.extend(nested.forwarded)
        for attachment in nested.attachments:
            if len(self.parsed.attachments) < MAX_ATTACHMENTS:
                self.parsed.attachments.append(attachment)

    def returned_headers(self, data: bytes) -> None:
        try:
            headers = email.message_from_bytes(data, policy=email.policy.compat32)
            message_id = normalise_message_id(str(headers.get("Message-ID", "") or ""))
        except Exception:  # noqa: BLE001
            return
        if message_id:
            self.parsed.returned_ids.append(message_id)

    def finish(self) -> None:
        html = "\n".join(self.html)
        self.parsed.html = clean(sanitise_html(html), MAX_TEXT) if html.strip() else ""
        if any(text.strip() for text in self.plain):
            text = "\n\n".join(t.strip("\r\n") for t in self.plain if t.strip())
        else:
            text = html_to_text(self.parsed.html) if self.parsed.html else ""
        self.parsed.text = clean(text.replace("\r\n", "\n").replace("\r", "\n"), MAX_TEXT)


def parse(raw: bytes) -> ParsedEmail:
    """Read ``raw`` (an RFC 5322 message). Never raises; problems end up in ``parse_error``."""
    if not isinstance(raw, bytes | bytearray):
        raw = bytes(str(raw), "utf-8", "surrogateescape")
    parsed = ParsedEmail(raw_sha256=hashlib.sha256(raw).hexdigest())
    try:
        msg = email.message_from_bytes(bytes(raw), policy=email.policy.default)
        _read_headers(parsed, msg)
        collector = _Collector(parsed)
        collector.visit(msg)
        collector.finish()
    except Exception as exc:  # noqa: BLE001 - the one place where anything a sender wrote is caught
        parsed.parse_error = clean(f"{type(exc).__name__}: {exc}", 300)
    return parsed


def _read_headers(parsed: ParsedEmail, msg: Message) -> None:
    raw = _raw_headers(msg)
    for name in KEPT_HEADERS:
        if name.lower() in raw:
            value = raw[name.lower()]
            parsed.headers[name.lower()] = (
                decode_header_value(value)
                if name not in ("References",)
                else clean(_unfold(str(value)), 4000)
            )
    parsed.message_id = normalise_message_id(str(raw.get("message-id", "")))
    parsed.in_reply_to = parse_ids(str(raw.get("in-reply-to", "")))
    parsed.references = parse_ids(str(raw.get("references", "")))
    parsed.subject = decode_header_value(raw.get("subject", ""))[:500]
    senders = _addresses(raw.get("from", ""))
    if senders:
        parsed.from_name, parsed.from_address = senders[0]
    reply_to = _addresses(raw.get("reply-to", ""))
    parsed.reply_to = reply_to[0][1] if reply_to else ""
    parsed.to = [address for _name, address in _addresses(raw.get("to", ""))][:50]
    parsed.date = _date(raw.get("date", ""))
    parsed.content_type = _content_type(msg)
    try:
        parsed.report_type = str(msg.get_param("report-type", "") or "").lower()[:40]
    except Exception:  # noqa: BLE001
        parsed.report_type = ""
