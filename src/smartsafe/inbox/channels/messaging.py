"""What the messenger adapters (Viber, Telegram, Meta) share: the push-adapter contract and HTTP.

A messenger adapter adds to ``base.Adapter``:

``check(account, request) -> (status, reason)``
    The signature check of one webhook request: ``(200, "")`` when it verifies, else the HTTP status
    to answer (401 nothing presented, 403 wrong) and a short reason code for the audit log.
``handshake(account, request)``
    A GET from the provider (Meta's subscription check); ``None`` where the provider has none.
``events(account, payload)``
    The message events in one verified payload, each as the provider's own dict, plus the names of
    the events skipped (delivered, seen, subscribed …).
``normalise(account, event)``
    One message event as a ``Normalised``; media are only *named* in ``extra["media"]`` and fetched
    later by ``download`` (outside any transaction).
``download(account, media) -> NormalisedFile``
    Fetch one named medium through the provider's API; raises ``DownloadFailed`` with a reason.

Network access is the stdlib's ``urllib`` (no extra dependency). Every call has a timeout and a cap
on the bytes read, so a slow or hostile peer can hold a worker only so long.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request

from django.utils import timezone
from django.utils.translation import gettext as _

from .base import Adapter, NormalisedFile

#: A webhook body larger than this is refused with 413 before it is read.
MAX_WEBHOOK_BYTES = 1024 * 1024
#: Answers from a provider's JSON API are small; more than this is not an answer.
MAX_JSON_BYTES = 1024 * 1024
TIMEOUT = 20


class ProviderError(Exception):
    """A provider's API answered with an error or could not be reached."""

    def __init__(self, message: str, *, status: int | None = None, body: dict | None = None):
        super().__init__(message)
        self.status = status
        self.body = body or {}


class DownloadFailed(Exception):
    """A medium could not be fetched; ``str(exc)`` says why (kept on the message)."""


def hmac_sha256_hex(key: str, data: bytes) -> str:
    return hmac.new(key.encode("utf-8"), data, hashlib.sha256).hexdigest()


def same(presented: str, expected: str) -> bool:
    """Constant-time comparison of two strings (any characters)."""
    return hmac.compare_digest(
        presented.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def header(request, name: str) -> str | None:
    value = request.headers.get(name)
    return None if value is None else str(value).strip()


def _opener() -> urllib.request.OpenerDirector:
    # No redirects to follow silently with a token attached: providers answer directly.
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    return urllib.request.build_opener(NoRedirect)


def call_json(
    method: str, url: str, *, headers: dict | None = None, payload=None, timeout: int = TIMEOUT
) -> dict:
    """One JSON API call. Returns the decoded object, or raises ProviderError (with the provider's
    decoded error body where there is one, so the adapter can word it for the counsellor)."""
    data = None
    all_headers = {"Accept": "application/json", "User-Agent": "smartsafe"}
    if payload is not None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        all_headers["Content-Type"] = "application/json; charset=utf-8"
    all_headers.update(headers or {})
    request = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with _opener().open(request, timeout=timeout) as response:
            raw = response.read(MAX_JSON_BYTES + 1)
            status = response.status
    except urllib.error.HTTPError as exc:
        raw = exc.read(MAX_JSON_BYTES + 1) if exc.fp else b""
        body = _decode(raw)
        raise ProviderError(
            f"HTTP {exc.code}", status=exc.code, body=body if isinstance(body, dict) else None
        ) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise ProviderError(
            _("The provider could not be reached: %(detail)s") % {"detail": _reason(exc)}
        ) from exc
    body = _decode(raw)
    if len(raw) > MAX_JSON_BYTES or not isinstance(body, dict):
        raise ProviderError(_("The provider's answer was not understood."), status=status)
    return body


def fetch_bytes(
    url: str, *, limit: int, headers: dict | None = None, timeout: int = TIMEOUT
) -> tuple[bytes, str]:
    """GET ``url`` (http or https only), at most ``limit`` bytes. Returns (data, content type)."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise DownloadFailed(_("The provider gave no usable address for the file."))
    request = urllib.request.Request(
        url, method="GET", headers={"User-Agent": "smartsafe", **(headers or {})}
    )
    try:
        with _opener().open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise DownloadFailed(_("The file is larger than the vault accepts."))
            data = response.read(limit + 1)
            content_type = response.headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise DownloadFailed(
            _("The provider refused the download (HTTP %(status)s).") % {"status": exc.code}
        ) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise DownloadFailed(
            _("The file could not be downloaded: %(detail)s") % {"detail": _reason(exc)}
        ) from exc
    if len(data) > limit:
        raise DownloadFailed(_("The file is larger than the vault accepts."))
    return data, content_type


def _decode(raw: bytes):
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _reason(exc: Exception) -> str:
    reason = getattr(exc, "reason", None) or exc
    return f"{type(exc).__name__}: {reason}"[:200]


def text_of(value, limit: int = 50_000) -> str:
    """A provider's string field, or "" for anything else (payloads are checked, never trusted)."""
    if not isinstance(value, str):
        return ""
    # Lone surrogates (valid JSON escapes) cannot be stored as UTF-8: replaced.
    return value[:limit].encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def id_of(value) -> str:
    """An identifier that providers send as a string or a number ("" for anything else)."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and 0 < len(value) <= 200 and value.isprintable():
        return value
    return ""


def as_dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value) -> list:
    return value if isinstance(value, list) else []


def from_epoch(value, *, millis: bool = False) -> dt.datetime | None:
    """A provider's timestamp as an aware datetime, if it is a plausible one."""
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    seconds = value / 1000 if millis else value
    if not 946_684_800 <= seconds <= 4_102_444_800:  # 2000 … 2100
        return None
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def filename_from_url(url: str, fallback: str) -> str:
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.rpartition("/")[2])
    return name[:200] if name and "." in name else fallback


class MessengerAdapter(Adapter):
    """Base of the webhook (push) adapters. Subclasses set ``kind`` and the provider specifics."""

    push = True
    #: Hours after the person's last message during which the provider lets us answer (None: always).
    window_hours: int | None = 24
    #: Longest text the provider takes in one message.
    max_text: int = 2000
    #: Whether the provider calls with GET too (Meta's subscription handshake).
    accepts_get: bool = False

    def check(self, account, request) -> tuple[int, str]:
        raise NotImplementedError

    def verify(self, account, request) -> bool:
        return self.check(account, request)[0] == 200

    def handshake(self, account, request):
        return None

    def events(self, account, payload: dict) -> tuple[list[dict], list[str]]:
        raise NotImplementedError

    def download(self, account, media: dict) -> NormalisedFile:
        raise DownloadFailed(_("This channel cannot fetch files."))

    def window(self, account) -> dt.timedelta | None:
        hours = account.setting("reply_window_hours", self.window_hours)
        try:
            hours = int(hours) if hours is not None else None
        except (TypeError, ValueError):
            hours = self.window_hours
        return dt.timedelta(hours=hours) if hours else None

    def secret_or_none(self, account, name: str) -> str:
        try:
            return account.secret(name)
        except Exception:  # SecretsUnreadable: treated as not configured, the check then refuses
            return ""


def now() -> dt.datetime:
    return timezone.now()
