"""The centre's working days: the country's public holidays, its own closed days, and their parser."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given
from hypothesis import strategies as st

from smartsafe.core import calendar


def test_serbias_public_holidays_are_not_working_days(settings):
    settings.SMARTSAFE_COUNTRY = "rs"
    assert calendar.holiday(dt.date(2026, 4, 10))  # Good Friday (Orthodox)
    assert not calendar.is_working_day(dt.date(2026, 4, 13))  # Easter Monday
    assert not calendar.is_working_day(dt.date(2026, 11, 11))  # Armistice Day
    assert calendar.is_working_day(dt.date(2026, 4, 14))
    assert not calendar.is_working_day(dt.date(2026, 4, 18))  # a Saturday


def test_another_countrys_holidays_follow_the_setting(settings):
    settings.SMARTSAFE_COUNTRY = "hr"  # Croatia: Catholic Easter Monday 6 April 2026
    assert not calendar.is_working_day(dt.date(2026, 4, 6))
    assert calendar.is_working_day(dt.date(2026, 4, 13))


def test_closed_days_parse_and_count(settings):
    settings.SMARTSAFE_CLOSED_DAYS = [" 2026-03-03 ", ""]
    assert calendar.holiday(dt.date(2026, 3, 3)) == "closed"
    assert not calendar.is_working_day(dt.date(2026, 3, 3))


@pytest.mark.parametrize("bad", ["2026-13-01", "tomorrow", "03.03.2026"])
def test_a_closed_day_that_is_not_a_date_is_named(bad):
    with pytest.raises(ImproperlyConfigured, match="SMARTSAFE_CLOSED_DAYS"):
        calendar.parse_closed_days([bad])


@given(st.lists(st.text(max_size=20), max_size=5))
def test_the_closed_days_parser_gives_dates_or_a_clear_error(values):
    try:
        days = calendar.parse_closed_days(values)
    except ImproperlyConfigured as error:
        assert "YYYY-MM-DD" in str(error)
    else:
        assert all(isinstance(day, dt.date) for day in days)
