"""Normalising online artefacts so the same profile reported twice is recognised.

``identity(kind, value, platform_code)`` returns a canonical string such as
``profile:instagram:ana.petrovic``, ``url:example.com/path?a=1`` or ``phone:+381641234567``.
A profile URL and a bare user name on the same platform produce the same identity, so a
report that says "@Ana.Petrovic on Instagram" and another that pastes
"https://www.instagram.com/ana.petrovic/?igshid=xyz" are linked.

Raises ``ArtefactError`` (with a message for the person who typed it) on values that cannot be
what they claim to be; never raises anything else, whatever the input.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.utils.translation import gettext as _

MAX_LENGTH = 500

# Query parameters that only track the click, never identify content.
_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|igshid|igsh|si|feature|ref|ref_src|s|t|mibextid|_rdr|hl|locale)$"
)
_STRIP_HOST_PREFIXES = ("www.", "m.", "mobile.", "web.", "l.")

# host → platform code, and how a profile path looks on that platform.
_PROFILE_PATTERNS: list[tuple[str, tuple[str, ...], re.Pattern]] = [
    ("instagram", ("instagram.com", "instagr.am"), re.compile(r"^/([A-Za-z0-9._]{1,30})/?$")),
    ("tiktok", ("tiktok.com",), re.compile(r"^/@([A-Za-z0-9._]{1,40})/?$")),
    ("facebook", ("facebook.com", "fb.com"), re.compile(r"^/(?!profile\.php)([A-Za-z0-9.]{5,60})/?$")),
    ("x", ("x.com", "twitter.com"), re.compile(r"^/([A-Za-z0-9_]{1,15})/?$")),
    ("telegram", ("t.me", "telegram.me"), re.compile(r"^/([A-Za-z0-9_]{4,40})/?$")),
    ("youtube", ("youtube.com",), re.compile(r"^/@([A-Za-z0-9._-]{1,60})/?$")),
    ("snapchat", ("snapchat.com",), re.compile(r"^/add/([A-Za-z0-9._-]{1,40})/?$")),
    ("twitch", ("twitch.tv",), re.compile(r"^/([A-Za-z0-9_]{3,25})/?$")),
    ("reddit", ("reddit.com",), re.compile(r"^/(?:u|user)/([A-Za-z0-9_-]{3,20})/?$")),
]
# Paths on those hosts that look like profiles but are site pages.
_RESERVED = {
    "explore",
    "p",
    "reel",
    "reels",
    "stories",
    "accounts",
    "watch",
    "home",
    "login",
    "share",
    "search",
    "about",
}


class ArtefactError(ValueError):
    pass


def _clean(value: str) -> str:
    value = (value or "").strip().strip("<>\"'").strip()
    if not value:
        raise ArtefactError(_("Enter a value."))
    if len(value) > MAX_LENGTH:
        raise ArtefactError(_("At most %(n)d characters.") % {"n": MAX_LENGTH})
    if any(ord(ch) < 32 for ch in value):
        raise ArtefactError(_("The value contains control characters."))
    return value


def _host_of(netloc: str) -> str:
    host = netloc.rsplit("@", 1)[-1].split(":", 1)[0].lower().rstrip(".")
    for prefix in _STRIP_HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
    return host


def _profile_from_url(host: str, path: str, query: dict[str, str]) -> str | None:
    if (
        host in ("facebook.com", "fb.com")
        and path.rstrip("/") == "/profile.php"
        and query.get("id", "").isdigit()
    ):
        return f"uid:facebook:{query['id']}"
    for platform, hosts, pattern in _PROFILE_PATTERNS:
        if host in hosts:
            match = pattern.match(path)
            if match and match.group(1).lower() not in _RESERVED:
                return f"profile:{platform}:{match.group(1).lower()}"
    return None


def normalize_url(value: str) -> str:
    value = _clean(value)
    if re.match(r"^(javascript|data|vbscript|file):", value, re.I):
        raise ArtefactError(_("This is not a web address."))
    if not re.match(r"^[a-z][a-z0-9+.-]*://", value, re.I):
        value = "https://" + value
    try:
        parts = urlsplit(value)
    except ValueError as exc:
        raise ArtefactError(_("This is not a valid web address.")) from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ArtefactError(_("Enter a web address such as https://example.com/page."))
    host = _host_of(parts.netloc)
    if not re.fullmatch(r"[a-z0-9\u00a1-\uffff.-]+\.[a-z\u00a1-\uffff0-9-]{2,}|\d{1,3}(\.\d{1,3}){3}", host):
        raise ArtefactError(_("Enter a web address such as https://example.com/page."))
    query = [
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k.lower())
    ]
    path = re.sub(r"/{2,}", "/", parts.path or "/")
    profile = _profile_from_url(host, path, dict(query))
    if profile:
        return profile
    path = path.rstrip("/") or ""
    encoded = urlencode(sorted(query))
    return f"url:{host}{path}" + (f"?{encoded}" if encoded else "")


def normalize_username(value: str, platform: str | None) -> str:
    value = _clean(value).lstrip("@").strip()
    if not value or re.search(r"\s", value):
        raise ArtefactError(_("A user name has no spaces."))
    if "/" in value:  # a pasted profile link rather than a bare name
        return normalize_url(value)
    return f"profile:{platform}:{value.lower()}" if platform else f"username:{value.lower()}"


def normalize_phone(value: str, default_country_code: str = "381") -> str:
    raw = _clean(value)
    digits = re.sub(r"[\s().\-/]", "", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not re.fullmatch(r"\+?\d{6,15}", digits):
        raise ArtefactError(_("Enter a phone number of 6 to 15 digits, e.g. +381 64 123 4567."))
    if digits.startswith("+"):
        number = digits
    elif digits.startswith(default_country_code) and len(digits) > 9:
        number = "+" + digits
    elif digits.startswith("0"):
        number = f"+{default_country_code}{digits[1:]}"
    else:
        number = f"+{default_country_code}{digits}"
    return f"phone:{number}"


def normalize_email(value: str) -> str:
    value = _clean(value).lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise ArtefactError(_("Enter an e-mail address."))
    return f"email:{value}"


def normalize_platform_user_id(value: str, platform: str | None) -> str:
    value = _clean(value)
    if re.search(r"\s", value):
        raise ArtefactError(_("A user ID has no spaces."))
    return f"uid:{platform or 'unknown'}:{value.lower()}"


def identity(kind: str, value: str, platform: str | None = None) -> str:
    """The canonical identity of an artefact; see the module docstring."""
    if kind in ("url", "profile_url"):
        result = normalize_url(value)
    elif kind == "username":
        result = normalize_username(value, platform)
    elif kind == "phone":
        result = normalize_phone(value)
    elif kind == "email":
        result = normalize_email(value)
    elif kind == "platform_user_id":
        result = normalize_platform_user_id(value, platform)
    else:
        raise ArtefactError(_("Unknown kind of artefact."))
    return result[:MAX_LENGTH]


def platform_of(normalized: str) -> str | None:
    """The platform code an identity names, if any (``profile:instagram:x`` → ``instagram``)."""
    head, _, rest = normalized.partition(":")
    if head in ("profile", "uid"):
        platform = rest.partition(":")[0]
        return platform if platform not in ("", "unknown", "None") else None
    return None
