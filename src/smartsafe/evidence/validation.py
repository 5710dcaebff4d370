"""What the vault accepts: checked on arrival, from the content, never from what the client says.

``validate_upload(name, data)`` returns a ``ValidatedFile`` or raises ``EvidenceRejected`` with a
message for the person who sent the file (it names the file). Nothing else escapes: every parser
that reads untrusted bytes (Pillow, zipfile, json) is wrapped where it is called.

Accepted: images (JPEG, PNG, GIF, WebP, HEIC), PDF without active content, plain text, CSV, JSON,
chat exports (WhatsApp .txt, Telegram JSON) and zip archives of those. Refused: programs (Windows,
Linux, macOS, WebAssembly, Java), scripts (``#!``, PHP), HTML, SVG and XML, names whose extension
does not match the content, encrypted or nested archives, archive bombs, path tricks inside
archives, and files that are two formats at once (polyglots) where we can tell.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from .models import EvidenceKind

MB = 1024 * 1024
MAX_FILES_PER_REPORT = 20
MAX_ZIP_ENTRIES = 200
MAX_ZIP_RATIO = 100  # uncompressed : compressed, for the archive and for any entry over 1 MB
MAX_IMAGE_PIXELS = 60_000_000
MAX_NAME_LENGTH = 200

# (mime type, kind, accepted extensions, Pillow format or None when Pillow cannot decode it here)
BINARY_TYPES = {
    "image/jpeg": (EvidenceKind.IMAGE, ("jpg", "jpeg", "jpe", "jfif"), "JPEG"),
    "image/png": (EvidenceKind.IMAGE, ("png",), "PNG"),
    "image/apng": (EvidenceKind.IMAGE, ("png", "apng"), "PNG"),
    "image/gif": (EvidenceKind.IMAGE, ("gif",), "GIF"),
    "image/webp": (EvidenceKind.IMAGE, ("webp",), "WEBP"),
    "image/heic": (EvidenceKind.IMAGE, ("heic", "heif"), None),
    "application/pdf": (EvidenceKind.PDF, ("pdf",), None),
    "application/zip": (EvidenceKind.ARCHIVE, ("zip",), None),
    "video/mp4": (EvidenceKind.VIDEO, ("mp4", "m4v"), None),
    "video/x-m4v": (EvidenceKind.VIDEO, ("m4v", "mp4"), None),
    "video/quicktime": (EvidenceKind.VIDEO, ("mov",), None),
    "video/webm": (EvidenceKind.VIDEO, ("webm",), None),
}
MAX_VIDEO_SECONDS = 60 * 60
MAX_VIDEO_PIXELS = 4096 * 2160
TEXT_EXTENSIONS = ("txt", "text", "log", "csv", "json")
KNOWN_EXTENSIONS = {ext for _kind, exts, _fmt in BINARY_TYPES.values() for ext in exts} | set(TEXT_EXTENSIONS)

# Programs are refused before anything else looks at the bytes.
EXECUTABLE_MAGIC = (
    (b"MZ", "Windows"),
    (b"\x7fELF", "Linux"),
    (b"\xfe\xed\xfa\xce", "macOS"),
    (b"\xfe\xed\xfa\xcf", "macOS"),
    (b"\xce\xfa\xed\xfe", "macOS"),
    (b"\xcf\xfa\xed\xfe", "macOS"),
    (b"\xca\xfe\xba\xbe", "macOS/Java"),
    (b"\x00asm", "WebAssembly"),
)
ARCHIVE_MIMES_NESTED = {
    "application/zip",
    "application/x-tar",
    "application/x-rar-compressed",
    "application/gzip",
    "application/x-bzip2",
    "application/x-7z-compressed",
    "application/x-xz",
    "application/zstd",
}
# Browsers sniff the first 512 bytes for markup; we look at twice that.
SNIFF_WINDOW = 1024
MARKUP_TAG = re.compile(rb"<\s*(script|html|svg|iframe|body|object|embed|head|meta)\b", re.IGNORECASE)
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia)(?![A-Za-z0-9])")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
WHATSAPP_LINE = re.compile(r"^\u200e?\[?\d{1,4}[./-]\d{1,2}[./-]\d{1,4},? \d{1,2}[:.]\d{2}", re.MULTILINE)
MAC_METADATA = ("__MACOSX/", ".DS_Store")
# Control characters other than tab, line feed, form feed and carriage return: not text.
CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class EvidenceRejected(Exception):
    """A file the vault will not take. ``message`` is for the person who sent it."""

    def __init__(self, message: str, code: str = "rejected"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class ValidatedFile:
    name: str  # sanitised, for display
    data: bytes = field(repr=False)
    content_type: str
    kind: str
    members: tuple[str, ...] = ()  # names inside an accepted zip

    @property
    def size(self) -> int:
        return len(self.data)


def max_file_bytes() -> int:
    return settings.SMARTSAFE_EVIDENCE_MAX_FILE_MB * MB


def max_report_bytes() -> int:
    return settings.SMARTSAFE_EVIDENCE_MAX_REPORT_MB * MB


def sanitise_name(name) -> str:
    """The last path part, without control or direction-changing characters, at most 200 long.

    Direction overrides (U+202E) could make ``photo‮gpj.exe`` read as ``photoexe.jpg``.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ")
    text = text.strip(" .")
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, ext = text.rpartition(".")
        text = (
            stem[: MAX_NAME_LENGTH - len(ext) - 1] + dot + ext
            if dot and len(ext) <= 10
            else text[:MAX_NAME_LENGTH]
        )
    return text or "file"


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def validate_upload(name, data: bytes) -> ValidatedFile:
    """Check one file. Returns what the vault stores; raises EvidenceRejected with a clear message."""
    display = sanitise_name(name)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise EvidenceRejected(_("“%(name)s” could not be read.") % {"name": display}, "unreadable")
    data = bytes(data)
    if len(data) > max_file_bytes():
        raise EvidenceRejected(
            _("“%(name)s” is larger than %(limit)s MB, the most one file may be.")
            % {"name": display, "limit": settings.SMARTSAFE_EVIDENCE_MAX_FILE_MB},
            "too_large",
        )
    content_type, kind, members = _check_content(display, data, nested=False)
    return ValidatedFile(name=display, data=data, content_type=content_type, kind=kind, members=members)


def validate_report(files: Iterable[tuple[str, bytes]], *, already_bytes: int = 0) -> list[ValidatedFile]:
    """Check every file of one report and their total (plus ``already_bytes`` received before)."""
    files = list(files)
    if len(files) > MAX_FILES_PER_REPORT:
        raise EvidenceRejected(
            _("Send at most %(count)s files with one report.") % {"count": MAX_FILES_PER_REPORT}, "too_many"
        )
    check_report_total(already_bytes + sum(len(data) for _name, data in files))
    return [validate_upload(name, data) for name, data in files]


def check_report_total(total_bytes: int) -> None:
    if total_bytes > max_report_bytes():
        raise EvidenceRejected(
            _("All files of one report together may be at most %(limit)s MB.")
            % {"limit": settings.SMARTSAFE_EVIDENCE_MAX_REPORT_MB},
            "report_too_large",
        )


def _reject(message: str, name: str, code: str, **extra) -> EvidenceRejected:
    return EvidenceRejected(message % {"name": name, **extra}, code)


def _check_content(name: str, data: bytes, *, nested: bool) -> tuple[str, str, tuple[str, ...]]:
    """(content type, kind, zip members) of ``data``, or EvidenceRejected."""
    if not data:
        raise _reject(_("“%(name)s” is empty."), name, "empty")
    for magic, system in EXECUTABLE_MAGIC:
        if data.startswith(magic):
            raise _reject(
                _("“%(name)s” is a program (%(system)s). Programs are not accepted."),
                name,
                "executable",
                system=system,
            )
    if data.startswith(b"#!"):
        raise _reject(_("“%(name)s” is a script. Scripts are not accepted."), name, "script")
    ext = extension(name)
    if ext and ext not in KNOWN_EXTENSIONS:
        raise _reject(
            _(
                "“%(name)s”: files ending in .%(ext)s are not accepted. Send pictures, PDF, text or chat "
                "exports, or a zip of those."
            ),
            name,
            "extension",
            ext=ext,
        )
    guessed = filetype.guess(data[:8192])
    mime = guessed.mime if guessed else None
    if mime in BINARY_TYPES:
        kind, extensions, pillow_format = BINARY_TYPES[mime]
        if ext and ext not in extensions:
            raise _reject(
                _(
                    "“%(name)s” is called .%(ext)s but it is a %(actual)s file. Rename it or send "
                    "the original."
                ),
                name,
                "mismatch",
                ext=ext,
                actual=extensions[0].upper(),
            )
        if kind == EvidenceKind.ARCHIVE:
            if nested:
                raise _reject(
                    _("“%(name)s” is an archive inside an archive. Send the files directly."), name, "nested"
                )
            return "application/zip", kind, _check_zip(name, data)
        _check_not_polyglot(name, data, mime)
        if kind == EvidenceKind.PDF:
            _check_pdf(name, data)
        elif kind == EvidenceKind.VIDEO:
            _check_video(name, data)
        elif pillow_format:
            _check_image(name, data, pillow_format)
        return ("image/png" if mime == "image/apng" else mime), kind, ()
    if mime is not None:
        if nested and mime in ARCHIVE_MIMES_NESTED:
            raise _reject(
                _("“%(name)s” is an archive inside an archive. Send the files directly."), name, "nested"
            )
        raise _reject(
            _(
                "“%(name)s” is a %(type)s file, which is not accepted. Send pictures, PDF, text or "
                "chat exports, or a zip of those."
            ),
            name,
            "type",
            type=guessed.extension.upper(),
        )
    return _check_text(name, data, ext) + ((),)


def _check_not_polyglot(name: str, data: bytes, mime: str) -> None:
    """A picture or PDF that is also a zip, a PDF or a web page depending on who opens it."""
    head = data[:SNIFF_WINDOW]
    problem = MARKUP_TAG.search(head) or (mime != "application/pdf" and b"%PDF-" in head) or _is_zip(data)
    if problem:
        raise _reject(
            _("“%(name)s” hides another kind of file inside it and is not accepted."), name, "polyglot"
        )


def _is_zip(data: bytes) -> bool:
    try:
        return zipfile.is_zipfile(io.BytesIO(data))
    except Exception:  # noqa: BLE001 - a damaged tail is simply "not a zip"
        return False


def _check_pdf(name: str, data: bytes) -> None:
    # Names may hide letters as #xx escapes (/J#61vaScript); undo them before looking.
    plain = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)
    if PDF_ACTIVE.search(plain):
        raise _reject(
            _(
                "“%(name)s” is a PDF with scripts or embedded files, which is not accepted. Print "
                "it to a new PDF or send screenshots."
            ),
            name,
            "pdf_active",
        )


def _check_image(name: str, data: bytes, pillow_format: str) -> None:
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                actual = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _reject(_("“%(name)s” is too large a picture to open safely."), name, "image_bomb") from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds of error on damaged input
        raise _reject(_("“%(name)s” is a damaged picture and cannot be opened."), name, "damaged") from None
    if actual != pillow_format:
        raise _reject(_("“%(name)s” is a damaged picture and cannot be opened."), name, "damaged")
    if width * height > MAX_IMAGE_PIXELS:
        raise _reject(_("“%(name)s” is too large a picture to open safely."), name, "image_bomb")


def _check_video(name: str, data: bytes) -> None:
    """The container opens, holds a video stream, and is within the limits (nothing decoded yet)."""
    import av

    try:
        with av.open(io.BytesIO(data)) as container:
            streams = container.streams.video
            if not streams:
                raise ValueError("no video stream")
            width, height = streams[0].width, streams[0].height
            seconds = (container.duration or 0) / 1_000_000
    except Exception:  # noqa: BLE001 - the demuxer raises many kinds of error on damaged input
        raise _reject(_("“%(name)s” is a damaged video and cannot be opened."), name, "damaged") from None
    if not width or not height or width * height > MAX_VIDEO_PIXELS or seconds > MAX_VIDEO_SECONDS:
        raise _reject(
            _("“%(name)s” is too large a video to open safely (at most 4K and one hour)."),
            name,
            "video_limits",
        )


def _decode_text(data: bytes) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Older Serbian text (Windows-1251/1250): accepted when it has no control bytes at all.
    if CONTROL_BYTES.search(data):
        return None
    return data.decode("cp1251", errors="replace")


def _check_text(name: str, data: bytes, ext: str) -> tuple[str, str]:
    text = _decode_text(data)
    if text is None or CONTROL_CHARS.search(text):
        raise _reject(
            _(
                "“%(name)s” is in a format that is not accepted. Send pictures, PDF, text or chat "
                "exports, or a zip of those."
            ),
            name,
            "type",
            type="",
        )
    if ext and ext not in TEXT_EXTENSIONS:
        raise _reject(
            _("“%(name)s” is called .%(ext)s but it is a %(actual)s file. Rename it or send the original."),
            name,
            "mismatch",
            ext=ext,
            actual="TEXT",
        )
    start = text.lstrip("\ufeff \t\r\n")
    if start[:5].lower() == "<?php":
        raise _reject(_("“%(name)s” is a script. Scripts are not accepted."), name, "script")
    if start.startswith("<") or MARKUP_TAG.search(start[:SNIFF_WINDOW].encode("utf-8", "replace")):
        raise _reject(
            _(
                "“%(name)s” is a web page, SVG or XML document, which is not accepted. Send a "
                "screenshot instead."
            ),
            name,
            "markup",
        )
    if start[:1] in ("{", "[") and ext in ("json", "txt", ""):
        try:
            parsed = json.loads(start)
        except (ValueError, RecursionError):
            parsed = None
        if parsed is not None:
            is_telegram = isinstance(parsed, dict) and (
                isinstance(parsed.get("messages"), list) or isinstance(parsed.get("chats"), dict)
            )
            return "application/json", EvidenceKind.CHAT_EXPORT if is_telegram else EvidenceKind.TEXT
    if ext == "json":
        raise _reject(_("“%(name)s” is called .json but is not valid JSON."), name, "mismatch")
    if ext == "csv":
        return "text/csv", EvidenceKind.TEXT
    if len(WHATSAPP_LINE.findall(text[:4000])) >= 2:
        return "text/plain", EvidenceKind.CHAT_EXPORT
    return "text/plain", EvidenceKind.TEXT


def _check_zip(name: str, data: bytes) -> tuple[str, ...]:
    limit = max_file_bytes()
    damaged = _("“%(name)s” is a damaged archive and cannot be opened.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # noqa: BLE001 - zipfile raises many kinds of error on damaged input
        raise _reject(damaged, name, "damaged") from None
    if any(not info.filename for info in infos):
        # A nameless entry: zipfile itself cannot tell whether it is a folder.
        raise _reject(damaged, name, "damaged")
    files = [info for info in infos if not info.is_dir()]
    if not files:
        raise _reject(_("“%(name)s” is an empty archive."), name, "empty")
    if len(infos) > MAX_ZIP_ENTRIES:
        raise _reject(
            _("“%(name)s” holds more than %(count)s files. Send fewer at a time."),
            name,
            "zip_entries",
            count=MAX_ZIP_ENTRIES,
        )
    bomb = _("“%(name)s” unpacks to far more than it weighs and is not accepted.")
    declared = 0
    for info in infos:
        entry = info.filename
        if _unsafe_path(entry):
            raise _reject(
                _("“%(name)s” contains a file with an unsafe path (%(entry)s)."),
                name,
                "zip_path",
                entry=sanitise_name(entry),
            )
        if info.flag_bits & 0x1:
            raise _reject(
                _("“%(name)s” is protected by a password. Send it without one."), name, "zip_encrypted"
            )
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise _reject(
                _("“%(name)s” contains a link to another file and is not accepted."), name, "zip_link"
            )
        declared += info.file_size
        if info.file_size > MB and info.file_size > MAX_ZIP_RATIO * max(info.compress_size, 1):
            raise _reject(bomb, name, "zip_bomb")
    if declared > limit or declared > MAX_ZIP_RATIO * len(data) and declared > MB:
        raise _reject(bomb, name, "zip_bomb")
    members = []
    for info in files:
        if info.filename.startswith(MAC_METADATA[0]) or info.filename.endswith(MAC_METADATA[1]):
            continue  # Finder adds these to every zip made on a Mac; they are not content
        try:
            with archive.open(info) as handle:
                # zipfile stops at the declared size and checks the CRC when it reaches the end.
                content = handle.read(info.file_size + 1)
        except Exception:  # noqa: BLE001
            raise _reject(damaged, name, "damaged") from None
        if len(content) != info.file_size:
            raise _reject(damaged, name, "damaged")
        member = sanitise_name(info.filename)
        try:
            _check_content(member, content, nested=True)
        except EvidenceRejected as exc:
            raise EvidenceRejected(
                _("In “%(name)s”: %(problem)s") % {"name": name, "problem": exc.message}, exc.code
            ) from None
        members.append(member)
    return tuple(members)


def _unsafe_path(entry: str) -> bool:
    parts = entry.replace("\\", "/").split("/")
    return (
        entry.startswith(("/", "\\"))
        or "\\" in entry
        or ".." in parts
        or (len(entry) > 1 and entry[1] == ":")
        or "\x00" in entry
    )
