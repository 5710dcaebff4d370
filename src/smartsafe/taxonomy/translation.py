"""Names of taxonomy terms in the active language.

Terms are authored in Serbian Cyrillic and English; Serbian Latin is generated from Cyrillic
(transliteration that way round is lossless; Latin → Cyrillic is not).

Both functions accept any text and never raise: names come from data files and from the admin,
and a bad name must show as a bad name, not as an error page.
"""

from __future__ import annotations

import re
import unicodedata

import cyrtranslit
from django.utils import translation

# Serbian digraph letters inside an all-capitals word: "ЉУБОВИЈА" → "LJUBOVIJA", not "LjUBOVIJA".
_CAPS_DIGRAPH = re.compile(r"([ЉЊЏ])(?=[А-ЯЂЈЉЊЋЏ])")
_CAPS_DIGRAPH_LATIN = {"Љ": "LJ", "Њ": "NJ", "Џ": "DŽ"}

# Letters of other Cyrillic alphabets that the Serbian table leaves untouched (Macedonian,
# Russian, Ukrainian, Belarusian, Bulgarian). Serbian text never needs them; a name pasted from
# elsewhere still comes out in Latin letters.
_OTHER_CYRILLIC = {
    "Ѓ": "Đ",
    "ѓ": "đ",
    "Ќ": "Ć",
    "ќ": "ć",
    "Ѕ": "Dz",
    "ѕ": "dz",
    "Ѝ": "I",
    "ѝ": "i",
    "Ы": "Y",
    "ы": "y",
    "Э": "E",
    "э": "e",
    "Щ": "Šč",
    "щ": "šč",
    "Ъ": "",
    "ъ": "",
    "Ь": "",
    "ь": "",
    "Ё": "Jo",
    "ё": "jo",
    "Ю": "Ju",
    "ю": "ju",
    "Я": "Ja",
    "я": "ja",
    "Й": "J",
    "й": "j",
    "Ї": "Ji",
    "ї": "ji",
    "Є": "Je",
    "є": "je",
    "І": "I",
    "і": "i",
    "Ґ": "G",
    "ґ": "g",
    "Ў": "U",
    "ў": "u",
}


# Cyrillic, Cyrillic Supplement, Extended-A/B/C.
_CYRILLIC_BLOCKS = ((0x0400, 0x052F), (0x1C80, 0x1C8F), (0x2DE0, 0x2DFF), (0xA640, 0xA69F))


def _is_cyrillic(ch: str) -> bool:
    return any(low <= ord(ch) <= high for low, high in _CYRILLIC_BLOCKS)


def _fallback(ch: str) -> str:
    """A Latin stand-in for a Cyrillic character the Serbian table does not know."""
    if ch in _OTHER_CYRILLIC:
        return _OTHER_CYRILLIC[ch]
    decomposed = unicodedata.normalize("NFD", ch)
    if decomposed != ch:  # an accented letter such as "Ѐ": the base letter, then its accent
        latin = cyrtranslit.to_latin(decomposed, "sr")
        return "".join(_fallback(part) if _is_cyrillic(part) else part for part in latin)
    name = unicodedata.name(ch, "")
    if " LETTER " not in name:
        return ""  # combining marks and signs: nothing to read
    letter = name.rsplit(" ", 1)[-1][:1]
    return letter if "CAPITAL" in name else letter.lower()


def to_latin(text: str) -> str:
    """Serbian Latin for Serbian Cyrillic ``text``; any other text passes through unchanged."""
    if not text:
        return text
    text = _CAPS_DIGRAPH.sub(lambda m: _CAPS_DIGRAPH_LATIN[m.group(1)], text)
    latin = cyrtranslit.to_latin(text, "sr")
    if any(_is_cyrillic(ch) for ch in latin):
        latin = "".join(_fallback(ch) if _is_cyrillic(ch) else ch for ch in latin)
        latin = unicodedata.normalize("NFC", latin)
    return latin


def is_latin_serbian(language: str | None) -> bool:
    language = (language or "").lower().replace("_", "-")
    return language.startswith("sr-latn")


def pick(*, sr: str, en: str, language: str | None = None) -> str:
    """The name for ``language`` (default: the active one): Cyrillic, generated Latin, or English.

    Falls back to the other authored language when the wanted one is empty.
    """
    language = (language or translation.get_language() or "en").lower().replace("_", "-")
    if is_latin_serbian(language):
        return to_latin(sr) or en
    if language == "sr" or language.startswith("sr-"):
        return sr or en
    return en or to_latin(sr)
