"""One way of writing dates per language (smartsafe/formats/): every template names its format."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import formats, timezone, translation

import smartsafe
from smartsafe import testing

ROOT = Path(smartsafe.__file__).parent
# Machine values: ISO 8601 for datetime attributes and form values, the zone's name, a weekday.
MACHINE = {"c", "Y-m-d", "e", "D"}
NAMED = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
}
DATE_FILTER = re.compile(r"""\|date:(?:"([^"]*)"|'([^']*)')""")


def test_no_template_writes_a_format_by_hand():
    found = []
    for template in ROOT.rglob("*.html"):
        for match in DATE_FILTER.finditer(template.read_text(encoding="utf-8")):
            fmt = match.group(1) or match.group(2)
            if fmt not in MACHINE | NAMED:
                found.append(f"{template.relative_to(ROOT)}: {fmt}")
    assert found == []


@pytest.mark.parametrize(
    ("language", "date", "when"),
    [
        ("en", "7 Dec 2026", "7 Dec 2026, 16:05"),
        ("sr", "07.12.2026.", "07.12.2026. 16:05"),
        ("sr-latn", "07.12.2026.", "07.12.2026. 16:05"),
    ],
)
def test_one_format_per_language(language, date, when):
    moment = dt.datetime(2026, 12, 7, 16, 5)
    with translation.override(language):
        assert (
            formats.date_format(moment, "DATE_FORMAT")
            == formats.date_format(moment, "SHORT_DATE_FORMAT")
            == date
        )
        assert (
            formats.date_format(moment, "DATETIME_FORMAT")
            == formats.date_format(moment, "SHORT_DATETIME_FORMAT")
            == when
        )


@pytest.mark.django_db
def test_staff_pages_write_dates_one_way(client, counsellor):
    moment = timezone.make_aware(dt.datetime(2026, 3, 14, 21, 30))
    contact = testing.make_contact(counsellor, received_at=moment)
    case = testing.make_case(counsellor, contacts=[contact])
    client.force_login(counsellor)
    with translation.override("en"):
        pages = [
            client.get(url).content.decode()
            for url in ("/contacts/", f"/contacts/{contact.pk}/", "/cases/", f"/cases/{case.reference}/")
        ]
    text = re.sub(r"<[^>]+>", " ", " ".join(pages))
    assert "14 Mar 2026, 21:30" in text
    for other in (r"\d\d/\d\d/\d{4}", r"\d\d\.\d\d\.\d\d\b", r"\d\d\.\d\d\.\d{4}", r"\b[ap]\.m\."):
        assert not re.search(other, text), other
