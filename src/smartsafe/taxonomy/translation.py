"""Names of taxonomy terms in the active language.

Terms are authored in Serbian Cyrillic and English; Serbian Latin is generated from Cyrillic
(transliteration that way round is lossless; Latin → Cyrillic is not).
"""

from __future__ import annotations

import cyrtranslit
from django.utils import translation


def to_latin(text: str) -> str:
    return cyrtranslit.to_latin(text, "sr") if text else text


def pick(*, sr: str, en: str, language: str | None = None) -> str:
    language = (language or translation.get_language() or "en").lower()
    if language == "sr-latn" or language.startswith("sr-latn") or language == "sr_latn":
        return to_latin(sr) or en
    if language.startswith("sr"):
        return sr or en
    return en or to_latin(sr)
