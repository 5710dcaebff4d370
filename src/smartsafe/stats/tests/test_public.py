"""The public statistics page: open to all, yearly aggregates only, cells below 5 suppressed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from smartsafe import testing
from smartsafe.stats.public import HIDDEN, suppress
from smartsafe.taxonomy.models import Category, Channel

ZONE = timezone.get_default_timezone()


def test_suppression_hides_small_cells_and_one_more_when_a_single_cell_would_be_recoverable():
    assert suppress([("a", 10), ("b", 5), ("c", 4)]) == [("a", 10), ("b", HIDDEN), ("c", HIDDEN)]
    assert suppress([("a", 10), ("b", 0), ("c", 3)]) == [("a", 10), ("b", HIDDEN), ("c", HIDDEN)]
    assert suppress([("a", 10), ("b", 7)]) == [("a", 10), ("b", 7)]


def _cells(page: str) -> list[str]:
    return [re.sub(r"\s+", "", c) for c in re.findall(r"<td>(.*?)</td>", page, re.S)]


@pytest.mark.django_db
def test_public_page_suppresses_small_numbers_and_shows_no_personal_data(client, counsellor):
    phone, email = Channel.objects.get(code="phone"), Channel.objects.get(code="email")
    when = timezone.make_aware(dt.datetime(2024, 5, 5, 12), ZONE)
    contacts = [
        testing.make_contact(
            counsellor, channel=phone, received_at=when, reporter_name="Мила Тестић", summary="ТАЈНА-ПРИЧА"
        )
        for _ in range(7)
    ]
    testing.make_contact(counsellor, channel=email, received_at=when)
    for _ in range(9):
        testing.make_contact(counsellor, channel=Channel.objects.get(code="web_form"), received_at=when)
    testing.make_case(
        counsellor,
        contacts=contacts[:1],
        categories=[Category.objects.get(code="csam")],
        kind="referred",
        title="ТАЈНИ-НАСЛОВ",
    )
    page = client.get(reverse("stats:public"), {"year": "2024"}).content.decode()
    assert "17" in page  # total contacts
    cells = _cells(page)
    assert "9" in cells  # web
    assert "1" not in cells  # e-mail's single contact is hidden…
    assert "7" not in cells  # …and so is the next smallest, or 17 - 9 - 7 would give it away
    assert cells.count("&lt;5") >= 2
    for secret in ("Мила", "ТАЈНА", "ТАЈНИ", counsellor.username, "SS-"):
        assert secret not in page
    # Only a year can be chosen; other parameters change nothing.
    other = client.get(reverse("stats:public"), {"year": "2024", "channel": "email"}).content.decode()
    assert _cells(other) == cells


@pytest.mark.django_db
def test_public_page_is_robust_to_any_year(client):
    for year in ("1999", "abc", "2024\x00", "99999999999999999999"):
        assert client.get(reverse("stats:public"), {"year": year}).status_code == 200
