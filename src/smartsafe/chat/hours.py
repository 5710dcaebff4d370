"""When the centre answers chats: ``SMARTSAFE_CHAT_DAYS`` (weekdays), ``SMARTSAFE_CHAT_OPENS`` and
``SMARTSAFE_CHAT_CLOSES`` (local time, ``TIME_ZONE``), and never on the country's public holidays
or the centre's closed days (``core/calendar.py``, the same calendar as referral deadlines)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from smartsafe.core import calendar

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _time(name: str) -> dt.time | None:
    """HH:MM; "24:00" is the end of the day (None)."""
    text = str(getattr(settings, name)).strip()
    if text == "24:00":
        return None
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: {text!r} is not a time (write it as HH:MM).") from None


def open_days() -> frozenset[int]:
    days = set()
    for name in settings.SMARTSAFE_CHAT_DAYS:
        key = str(name).strip().lower()[:3]
        if key not in DAY_NAMES:
            raise ImproperlyConfigured(f"SMARTSAFE_CHAT_DAYS: {name!r} is not a day (mon … sun).")
        days.add(DAY_NAMES.index(key))
    return frozenset(days)


def is_open(at: dt.datetime | None = None) -> bool:
    local = timezone.localtime(at or timezone.now())
    if local.weekday() not in open_days() or calendar.holiday(local.date()) is not None:
        return False
    opens, closes = _time("SMARTSAFE_CHAT_OPENS"), _time("SMARTSAFE_CHAT_CLOSES")
    now = local.time()
    return (opens is None or now >= opens) and (closes is None or now < closes)


def hours_text() -> dict:
    """What the public page says about the hours."""
    return {
        "opens": settings.SMARTSAFE_CHAT_OPENS,
        "closes": settings.SMARTSAFE_CHAT_CLOSES,
        "days": [DAY_NAMES[d] for d in sorted(open_days())],
    }
