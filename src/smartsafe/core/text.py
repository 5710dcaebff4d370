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
