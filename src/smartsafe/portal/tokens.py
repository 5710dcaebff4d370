"""Reference codes and follow-up secrets a reporter can read aloud and write down.

The alphabet has no 0/O, 1/I/L or U/V pairs that look alike on a cheap screen or in handwriting.
Input is forgiving: case, spaces and dashes are ignored.

The secret is 12 characters (``K7M3-Q9XA-B2CD``), about 58 random bits: the follow-up pages are
rate-limited, so online guessing gets nowhere near that (the arithmetic is in docs/portal.md).
Because a short secret could be found offline from its hash, what is stored is an HMAC keyed with
a key derived from ``SMARTSAFE_PSEUDONYM_KEY``, which is not in the database: a copy of the
database alone gives nothing to test guesses against. Secrets handed out before (27 characters,
stored as their SHA-256) keep working.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
PREFIX = "PB"
# 29 ** 12 > 2 ** 58 (see docs/portal.md); before, 27 characters (over 2 ** 131) stored as SHA-256.
SECRET_LENGTH = 12
SECRET_GROUP = 4
LEGACY_SECRET_LENGTH = 27
_NOT_ALNUM = re.compile(r"[^0-9A-Z]")


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_reference() -> str:
    """``PB-7K3M-9QX2``: 8 random characters, about 39 bits (uniqueness is checked on save)."""
    body = _random(8)
    return f"{PREFIX}-{body[:4]}-{body[4:]}"


def normalize_reference(value) -> str:
    """The canonical form of what someone typed, or "" when it cannot be a reference."""
    if not isinstance(value, str) or len(value) > 40:
        return ""
    raw = _NOT_ALNUM.sub("", value.upper())
    if raw.startswith(PREFIX):
        raw = raw[len(PREFIX) :]
    if len(raw) != 8 or any(ch not in ALPHABET for ch in raw):
        return ""
    return f"{PREFIX}-{raw[:4]}-{raw[4:]}"


def _grouped(raw: str, size: int) -> str:
    return "-".join(raw[i : i + size] for i in range(0, len(raw), size))


def new_secret() -> str:
    """A secret shown once, in groups of four: ``K7M3-Q9XA-B2CD``."""
    return _grouped(_random(SECRET_LENGTH), SECRET_GROUP)


def format_secret(value) -> str:
    """What someone typed as a secret, written as the receipt writes it; "" when it cannot be one."""
    raw = _canonical_secret(value)
    if len(raw) == SECRET_LENGTH and all(ch in ALPHABET for ch in raw):
        return _grouped(raw, SECRET_GROUP)
    if len(raw) == LEGACY_SECRET_LENGTH and all(ch in ALPHABET for ch in raw):
        return _grouped(raw, 5)
    return ""


def _canonical_secret(value) -> str:
    if not isinstance(value, str) or len(value) > 100:
        return ""
    return _NOT_ALNUM.sub("", value.upper())


def _secret_key() -> bytes:
    from django.conf import settings

    base = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    return hmac.new(base, b"portal-follow-up-secret", hashlib.sha256).digest()


def hash_secret(value: str) -> str:
    """What is stored for a secret: a keyed hash (HMAC-SHA256); a 27-character secret of before
    is hashed as it was stored then (plain SHA-256)."""
    raw = _canonical_secret(value)
    if len(raw) == LEGACY_SECRET_LENGTH:
        return hashlib.sha256(raw.encode()).hexdigest()
    return hmac.new(_secret_key(), raw.encode(), hashlib.sha256).hexdigest()


# Compared against when the reference is unknown, so both failures cost the same.
_DUMMY_HASH = hashlib.sha256(b"no such report").hexdigest()


def secret_matches(value, stored_hash: str | None) -> bool:
    """Constant-time check of a typed secret against a stored hash (``None``: unknown report)."""
    candidate = hash_secret(value) if _canonical_secret(value) else ""
    ok = hmac.compare_digest(candidate or "0" * 64, stored_hash or _DUMMY_HASH)
    return ok and stored_hash is not None and bool(candidate)
