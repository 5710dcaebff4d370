"""Text folding for search that works the same on SQLite and PostgreSQL.

SQLite's LIKE folds case only for ASCII, so ``icontains`` would miss "Насиље" for "насиље". Records
keep a ``search_text`` column folded here (Cyrillic → Latin, lower case, no diacritics) and queries
fold the search term the same way: "nasilje", "NASILJE" and "насиље" all find each other.
"""

from __future__ import annotations

import unicodedata

import cyrtranslit

_SPECIAL = str.maketrans({"đ": "dj", "Đ": "dj", "ß": "ss", "ø": "o", "ł": "l"})


def fold(text: str) -> str:
    if not text:
        return ""
    latin = cyrtranslit.to_latin(text, "sr").translate(_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", latin)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())


def fold_many(*parts: str) -> str:
    return fold(" \n ".join(p for p in parts if p))


def storable(value):
    """``value`` made safe to store on every engine: PostgreSQL refuses NUL characters in text and
    JSON, and no engine can encode lone surrogates (which ``surrogateescape`` decoding leaves in
    text parsed from broken mail). Works through lists and dicts; other values pass unchanged."""
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "\ufffd")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "replace").decode("utf-8")
        return value
    if isinstance(value, list):
        return [storable(item) for item in value]
    if isinstance(value, dict):
        return {storable(key): storable(item) for key, item in value.items()}
    return value
