"""The message catalogues: Serbian Latin is the transliteration of Cyrillic, placeholders survive."""

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from smartsafe.taxonomy.translation import to_latin

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def _catalogue(language):
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", ["sr", "sr_Latn"])
def test_placeholders_survive_translation(language):
    for entry in _catalogue(language).translated_entries():
        forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        source = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) <= source | {"%(count)d", "%(count)s"}, entry.msgid
            assert set(PLACEHOLDER.findall(form)) >= source - {"%(count)d", "%(count)s"}, entry.msgid


def test_latin_is_generated_from_cyrillic():
    cyrillic = {(e.msgctxt, e.msgid): e for e in _catalogue("sr")}
    for entry in _catalogue("sr_Latn").translated_entries():
        assert not CYRILLIC.search(entry.msgstr), entry.msgid
        assert entry.msgstr == to_latin(cyrillic[(entry.msgctxt, entry.msgid)].msgstr)


def test_compiled_catalogues_are_used():
    with translation.override("sr"):
        assert translation.gettext("Log a call") != "Log a call"
        cyrillic = translation.gettext("Log a call")
    with translation.override("sr-latn"):
        assert translation.gettext("Log a call") == to_latin(cyrillic)


def test_centre_name_follows_the_script(rf):
    from smartsafe.site.context_processors import platform

    with translation.override("sr-latn"):
        assert platform(rf.get("/"))["CENTRE_NAME"] == "Pametno i bezbedno"
    with translation.override("sr"):
        assert platform(rf.get("/"))["CENTRE_NAME"] == "Паметно и безбедно"
