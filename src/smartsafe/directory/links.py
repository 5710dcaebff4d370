"""Web addresses in the directory: normalising what people type, and deciding what may be a link.

Only ``http`` and ``https`` addresses ever become clickable: a ``javascript:`` or ``data:`` URL in a
data file or typed into the admin is shown as plain text, never as a link.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

SAFE_SCHEMES = ("http", "https")
_validate = URLValidator(schemes=list(SAFE_SCHEMES))


def normalise_url(value: str) -> str:
    """``www.example.org`` → ``http://www.example.org``; an address with a scheme is kept as it is.

    The seed prints many web sites without a scheme; the scheme is only added when the text has
    none at all, so ``javascript:…`` stays what it is (and then fails :func:`validate_url`).
    """
    value = (value or "").strip()
    if not value:
        return ""
    if "://" not in value and not value.lower().startswith(("javascript:", "data:", "mailto:", "vbscript:")):
        return "http://" + value
    return value


def validate_url(value: str) -> None:
    """Raise ``ValidationError`` unless ``value`` is a well-formed http(s) address."""
    _validate(value)


def is_safe_url(value) -> bool:
    """True for a well-formed http(s) address: the only kind rendered as a link."""
    if not isinstance(value, str) or not value:
        return False
    try:
        if urlsplit(value).scheme.lower() not in SAFE_SCHEMES:
            return False
        _validate(value)
    except (ValidationError, ValueError):
        return False
    return True


def display_url(value: str) -> str:
    """A short form for showing an address: without the scheme and a trailing slash."""
    text = value or ""
    for prefix in ("https://", "http://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
            break
    return text.rstrip("/")
