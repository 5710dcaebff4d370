"""Reference codes and follow-up secrets a reporter can read aloud and write down.

The alphabet has no 0/O, 1/I/L or U/V pairs that look alike on a cheap screen or in handwriting.
Input is forgiving: case, spaces and dashes are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
PREFIX = "PB"
# 29 ** 27 > 2 ** 131: the secret carries more than 128 random bits.
SECRET_LENGTH = 27
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


def new_secret() -> str:
    """A secret shown once, in groups of five: ``K7M3Q-…``."""
    raw = _random(SECRET_LENGTH)
    return "-".join(raw[i : i + 5] for i in range(0, SECRET_LENGTH, 5))


def _canonical_secret(value) -> str:
    if not isinstance(value, str) or len(value) > 100:
        return ""
    return _NOT_ALNUM.sub("", value.upper())


def hash_secret(value: str) -> str:
    return hashlib.sha256(_canonical_secret(value).encode()).hexdigest()


# Compared against when the reference is unknown, so both failures cost the same.
_DUMMY_HASH = hashlib.sha256(b"no such report").hexdigest()


def secret_matches(value, stored_hash: str | None) -> bool:
    """Constant-time check of a typed secret against a stored hash (``None``: unknown report)."""
    candidate = hash_secret(value) if _canonical_secret(value) else ""
    ok = hmac.compare_digest(candidate or "0" * 64, stored_hash or _DUMMY_HASH)
    return ok and stored_hash is not None and bool(candidate)
