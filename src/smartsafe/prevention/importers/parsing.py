"""Stage 1 of the import of past events: one row of cells → clean values, without the database.

``parse_row`` is pure: cells (text from a CSV, numbers and dates from an XLSX) give clean values
or ``RowError`` listing every problem, and never any other exception (a property test feeds it
random cells). The columns a file may have are declared here.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from smartsafe.core.text import fold

from ..models import AUDIENCE_FIELDS, EventKind, EventLanguage, EventStatus, VenueKind

MAX_ROWS = 5_000
MAX_CELL = 5_000
COLUMNS = (
    "date",
    "kind",
    "status",
    "title",
    "start_time",
    "duration_minutes",
    "language",
    "venue_name",
    "venue_kind",
    "venue_registry_number",
    "country",
    "municipality",
    "town",
    "address",
    *AUDIENCE_FIELDS,
    "topics",
    "partners",
    "presenters",
    "materials",
    "feedback_responses",
    "feedback_average",
    "feedback_comments",
    "notes",
)
REQUIRED_COLUMNS = ("date", "kind")
EXAMPLE_ROWS = (
    {
        "date": "2023-10-12",
        "kind": "presentation",
        "status": "held",
        "title": "Безбедно на интернету",
        "start_time": "10:00",
        "duration_minutes": "45",
        "language": "sr",
        "venue_name": "ОШ „Вук Караџић“",
        "venue_kind": "primary_school",
        "municipality": "rs-nis",
        "pupils_grades_5_8": "54",
        "parents": "12",
        "teachers": "3",
        "topics": "cyberbullying; predators",
        "feedback_responses": "40",
        "feedback_average": "4,6",
    },
    {
        "date": "2024-03-05",
        "kind": "training",
        "status": "held",
        "title": "Obuka za zaposlene u opštini",
        "duration_minutes": "120",
        "language": "sr",
        "venue_name": "Opština Nikšić",
        "venue_kind": "municipality",
        "country": "ME",
        "town": "Nikšić",
        "professionals": "25",
    },
)


def _problem(column: str, message: str) -> str:
    """``column: message`` — the column as named in the file, the message in the reader's language."""
    return f"{column}: {message}"


class RowError(Exception):
    def __init__(self, messages):
        self.messages = [str(m) for m in (messages if isinstance(messages, (list, tuple)) else [messages])]
        super().__init__("; ".join(self.messages))


def _text(value, name: str, limit: int = MAX_CELL) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise RowError(_problem(name, _("expected text")))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        raise RowError(_problem(name, _("expected text, not a date")))
    text = str(value).replace("\x00", "").strip()
    if len(text) > limit:
        raise RowError(_problem(name, _("longer than %(limit)s characters") % {"limit": limit}))
    return text


def _choice(value, name: str, choices) -> str:
    text = _text(value, name, 100)
    if not text:
        return ""
    key = fold(text).replace(" ", "_").replace("-", "_")
    for code, label in choices:
        if key in (code, fold(str(label)).replace(" ", "_").replace("-", "_")):
            return code
    known = ", ".join(c for c, _l in choices)
    raise RowError(
        _problem(
            name, _("unknown value %(value)r (use one of: %(known)s)") % {"value": text[:40], "known": known}
        )
    )


_DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y.", "%d/%m/%Y", "%d. %m. %Y.", "%d. %m. %Y")


def _date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value, "date", 40)
    if not text:
        raise RowError(_problem("date", _("required")))
    for pattern in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if parsed.year < 2000:
            raise RowError(_problem("date", _("before 2000")))
        return parsed
    raise RowError(
        _problem("date", _("not a date (%(value)r); use YYYY-MM-DD or DD.MM.YYYY") % {"value": text[:20]})
    )


def _time(value) -> dt.time | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0, tzinfo=None)
    text = _text(value, "start_time", 20)
    if not text:
        return None
    match = re.fullmatch(r"(\d{1,2})[:.h](\d{2})(?::(\d{2}))?", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise RowError(_problem("start_time", _("not a time (%(value)r); use HH:MM") % {"value": text[:20]}))
    return dt.time(int(match.group(1)), int(match.group(2)))


def _count(value, name: str, *, low: int = 0, high: int = 1_000_000) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowError(_problem(name, _("not a number")))
    if isinstance(value, float):
        if not value.is_integer():
            raise RowError(_problem(name, _("not a whole number")))
        value = int(value)
    if not isinstance(value, int):
        text = _text(value, name, 20).replace(" ", "")
        if re.fullmatch(r"[+-]?\d+([.,]0+)?", text) is None:
            raise RowError(_problem(name, _("not a whole number (%(value)r)") % {"value": text[:20]}))
        value = int(re.split(r"[.,]", text)[0])
    if value < low:
        raise RowError(_problem(name, _("must be at least %(low)s") % {"low": low}))
    if value > high:
        raise RowError(_problem(name, _("more than %(high)s") % {"high": high}))
    return value


def _rating(value) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise RowError(_problem("feedback_average", _("not a number")))
    text = _text(value, "feedback_average", 20).replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RowError(
            _problem("feedback_average", _("not a number (%(value)r)") % {"value": text[:20]})
        ) from None
    if not number.is_finite() or number < 1 or number > 5:
        raise RowError(_problem("feedback_average", _("must be between 1 and 5")))
    return number.quantize(Decimal("0.01"))


def _list(value, name: str) -> list[str]:
    text = _text(value, name)
    return [part.strip() for part in re.split(r"[;|\n]", text) if part.strip()][:50]


def parse_row(cells) -> dict:
    """One row of named cells → clean values, or ``RowError`` listing every problem. Nothing else.

    Cells may be ``None``, text, numbers, dates or times (what CSV and openpyxl give); unknown
    column names are errors. Values are not looked up in the database here (see ``resolve``).
    """
    try:
        if not isinstance(cells, dict):
            raise RowError(_("not a row of named cells"))
        problems: list[str] = []
        for key in cells:
            if not isinstance(key, str) or key not in COLUMNS:
                problems.append(_("unknown column: %(name)s") % {"name": str(key)[:40]})
        values: dict = {}

        def take(name, parse, *args):
            try:
                values[name] = parse(cells.get(name), *args)
            except RowError as exc:
                problems.extend(exc.messages)

        take("date", _date)
        take("kind", _choice, "kind", EventKind.choices)
        take("status", _choice, "status", EventStatus.choices)
        take("language", _choice, "language", EventLanguage.choices)
        take("venue_kind", _choice, "venue_kind", VenueKind.choices)
        take("start_time", _time)
        take("feedback_average", _rating)
        for name in ("title", "venue_name", "municipality", "town", "address"):
            take(name, _text, name, 250)
        take("country", _text, "country", 10)
        take("venue_registry_number", _text, "venue_registry_number", 60)
        for name in ("materials", "feedback_comments", "notes"):
            take(name, _text, name)
        for name in (*AUDIENCE_FIELDS, "feedback_responses"):
            take(name, _count, name)
        take("duration_minutes", lambda v: _count(v, "duration_minutes", low=1, high=1440))
        for name in ("topics", "partners", "presenters"):
            take(name, _list, name)
        if not problems:
            if not values["kind"]:
                problems.append(_problem("kind", _("required")))
            country = values["country"].upper()
            if country and not re.fullmatch(r"[A-Z]{2}", country):
                problems.append(_problem("country", _("use a two-letter code such as RS or ME")))
            values["country"] = country
            values["status"] = values["status"] or EventStatus.HELD
            values["language"] = values["language"] or EventLanguage.SR
            if values["venue_name"] and not values["venue_kind"]:
                problems.append(_problem("venue_kind", _("required with venue_name")))
            if values["venue_kind"] and not values["venue_name"]:
                problems.append(_problem("venue_name", _("required with venue_kind")))
            if (
                values["venue_name"]
                and not (values["municipality"] or values["town"])
                and values["venue_kind"] != VenueKind.ONLINE
            ):
                problems.append(
                    _problem("municipality", _("the municipality or the town is required for a venue"))
                )
            if values["status"] == EventStatus.CANCELLED:
                problems.append(_problem("status", _("cancelled events are not imported")))
            if values["feedback_average"] is not None and not values["feedback_responses"]:
                problems.append(_problem("feedback_responses", _("required with feedback_average")))
        if problems:
            raise RowError(problems)
        for name in (*AUDIENCE_FIELDS, "feedback_responses"):
            values[name] = values[name] or 0
        return values
    except RowError:
        raise
    except Exception as exc:  # noqa: BLE001 — the contract: a bad row is a row error, whatever broke
        raise RowError(_("unreadable row (%(error)s)") % {"error": type(exc).__name__}) from exc
