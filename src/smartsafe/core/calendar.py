"""Working days of the centre's country: Saturdays, Sundays and public holidays are not.

The country is data (``SMARTSAFE_COUNTRY``); its public holidays come from the ``holidays``
package, which knows those of most countries — Serbia's Orthodox Christmas and Easter, the
two-day Statehood and Labour Day holidays and their observed days included. A centre adds its
own closures (a local holiday, a day the office is shut) with ``SMARTSAFE_CLOSED_DAYS``, a
comma-separated list of ISO dates. Used for the institutions' referral deadlines.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging

import holidays
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

log = logging.getLogger("smartsafe.calendar")

SATURDAY = 5


def parse_closed_days(values) -> frozenset[dt.date]:
    """``["2026-12-31", …]`` → dates; ImproperlyConfigured naming the first value that is not one."""
    days = set()
    for value in values or ():
        text = str(value).strip()
        if not text:
            continue
        try:
            days.add(dt.date.fromisoformat(text))
        except ValueError:
            raise ImproperlyConfigured(
                f"SMARTSAFE_CLOSED_DAYS: {text!r} is not a date (write it as YYYY-MM-DD)."
            ) from None
    return frozenset(days)


@functools.lru_cache(maxsize=32)
def _public_holidays(country: str, year: int) -> dict[dt.date, str]:
    try:
        return dict(holidays.country_holidays(country.upper(), years=year))
    except NotImplementedError:
        log.warning("no public holidays known for country %r: only weekends are days off", country)
        return {}


def holiday(day: dt.date) -> str | None:
    """The name of the public holiday or closure on ``day``, or None."""
    if day in parse_closed_days(getattr(settings, "SMARTSAFE_CLOSED_DAYS", ())):
        return "closed"
    return _public_holidays(settings.SMARTSAFE_COUNTRY, day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < SATURDAY and holiday(day) is None
