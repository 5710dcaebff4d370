"""Refresh the message catalogues.

1. ``makemessages`` extracts every translatable string into ``locale/sr/LC_MESSAGES/django.po``
   (Serbian, Cyrillic — the authored translation) and ``locale/en`` (source language, empty).
2. The Serbian Latin catalogue is *generated* from the Cyrillic one (Cyrillic → Latin is lossless,
   the reverse is not), so translators only ever edit ``sr``.
3. Both are compiled to ``.mo`` with polib, so running the platform never needs GNU gettext.

Extraction needs GNU gettext's ``xgettext`` (Debian package ``gettext``); steps 2–3 do not:
``python tools/translations.py --no-extract`` only regenerates and compiles.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "smartsafe"
LOCALE = PACKAGE / "locale"
sys.path.insert(0, str(ROOT / "src"))


def extract() -> None:
    env = {**os.environ, "SMARTSAFE_DEMO": "1", "DJANGO_SETTINGS_MODULE": "smartsafe.config.settings"}
    for domain in ("django", "djangojs"):
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "manage.py"),
                "makemessages",
                "-l",
                "sr",
                "-d",
                domain,
                "--no-obsolete",
                "--no-location",
                "-i",
                "tests/*",
                "-i",
                "*/tests/*",
                "-i",
                "bench/*",
            ],
            cwd=PACKAGE,
            env=env,
            check=True,
        )


def generate_latin() -> None:
    from smartsafe.taxonomy.translation import to_latin

    for source in (LOCALE / "sr" / "LC_MESSAGES").glob("*.po"):
        catalogue = polib.pofile(str(source))
        for entry in catalogue:
            entry.msgstr = to_latin(entry.msgstr) if entry.msgstr else ""
            if entry.msgstr_plural:
                entry.msgstr_plural = {k: to_latin(v) for k, v in entry.msgstr_plural.items()}
        catalogue.metadata["Language"] = "sr_Latn"
        target = LOCALE / "sr_Latn" / "LC_MESSAGES" / source.name
        target.parent.mkdir(parents=True, exist_ok=True)
        catalogue.save(str(target))


def compile_all() -> None:
    for po in LOCALE.glob("*/LC_MESSAGES/*.po"):
        catalogue = polib.pofile(str(po))
        # Fuzzy entries are guesses; never ship them as translations.
        for entry in catalogue.fuzzy_entries():
            entry.msgstr = ""
        catalogue.save_as_mofile(str(po.with_suffix(".mo")))
        done = catalogue.percent_translated()
        print(f"{po.relative_to(ROOT)}: {done}% translated")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--no-extract", action="store_true", help="only regenerate Latin and compile")
    args = parser.parse_args()
    if not args.no_extract:
        extract()
    generate_latin()
    compile_all()


if __name__ == "__main__":
    main()
