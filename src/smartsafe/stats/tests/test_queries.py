"""Period splitting (whole months from the monthly tables, edges from the daily ones) and the
summary against a plain count of the records, for many periods."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from smartsafe import testing
from smartsafe.intake.models import Contact
from smartsafe.stats import queries
from smartsafe.taxonomy.models import Channel

D = dt.date


def _days(date_from, date_to):
    day = date_from
    while day <= date_to:
        yield day
        day += dt.timedelta(days=1)


@given(st.dates(D(2019, 1, 1), D(2021, 12, 31)), st.integers(0, 500))
def test_split_period_covers_every_day_once(start, length):
    end = start + dt.timedelta(days=length)
    months, edges = queries.split_period(start, end)
    covered = [d for a, b in edges for d in _days(a, b)]
    if months:
        first, last = months
        assert first.day == 1 and last.day == 1
        covered += [d for d in _days(first, queries._next_month(last) - dt.timedelta(days=1))]
    assert sorted(covered) == list(_days(start, end))


def test_split_period_open_ends():
    assert queries.split_period(None, None) == ((None, None), [])
    assert queries.split_period(D(2024, 1, 15), None) == (
        (D(2024, 2, 1), None),
        [(D(2024, 1, 15), D(2024, 1, 31))],
    )
    assert queries.split_period(None, D(2024, 3, 31)) == ((None, D(2024, 3, 1)), [])


@pytest.mark.django_db
def test_summary_equals_a_plain_count_for_any_period(counsellor):
    zone = timezone.get_default_timezone()
    rng = random.Random(7)
    channels = list(Channel.objects.filter(code__in=["phone", "email", "viber"]))
    for _ in range(60):
        day = D(2024, 1, 1) + dt.timedelta(days=rng.randint(0, 120))
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(0, 23), 30)), zone)
        testing.make_contact(counsellor, channel=rng.choice(channels), received_at=at)
    for _ in range(25):
        a = D(2023, 12, 20) + dt.timedelta(days=rng.randint(0, 140))
        b = a + dt.timedelta(days=rng.randint(0, 90))
        got = queries.summary(a, b)["contacts"]["total"]
        want = sum(1 for c in Contact.objects.all() if a <= timezone.localtime(c.received_at).date() <= b)
        assert got == want, (a, b)
