"""Import of past events from a spreadsheet (CSV or XLSX), with a report per row.

Three stages per row, so that a bad row never leaves anything behind:

1. ``parse_row`` — pure: cells (text from a CSV, numbers/dates from an XLSX) → clean values, or
   ``RowError``; never any other exception (a property test feeds it random cells);
2. ``resolve`` — looks up municipality, topics, partners and presenters, or ``RowError``;
3. one ``transaction.atomic()`` per row: the venue is matched by folded name + municipality (or
   town abroad) or created, then the event recorded through ``actions.create_event``; an action's
   ``ValidationError`` rolls the row back (the venue too) and becomes the row's error.

Rows are numbered as a spreadsheet shows them: the header is row 1. A row that matches an event
already recorded (same date, venue, kind and start time) is skipped, so a file can be imported
again after fixing its bad rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.core.text import fold

from . import actions
from .models import (
    AUDIENCE_FIELDS,
    Event,
    EventKind,
    EventLanguage,
    EventStatus,
    Venue,
    VenueKind,
    home_country,
)

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


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, unknown columns)."""


class RowError(Exception):
    def __init__(self, messages):
        self.messages = [str(m) for m in (messages if isinstance(messages, (list, tuple)) else [messages])]
        super().__init__("; ".join(self.messages))


@dataclass
class Report:
    imported: list[tuple[int, int]] = field(default_factory=list)  # (row, event pk)
    skipped: list[tuple[int, int]] = field(default_factory=list)  # (row, existing event pk)
    errors: list[tuple[int, list[str]]] = field(default_factory=list)
    venues_created: int = 0

    @property
    def rows(self) -> int:
        return len(self.imported) + len(self.skipped) + len(self.errors)

    def summary(self) -> str:
        return (
            f"{len(self.imported)} imported, {len(self.skipped)} already recorded, "
            f"{len(self.errors)} invalid, {self.venues_created} new venues"
        )


# --- stage 1: cells → values ---------------------------------------------------------------------


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


# --- stage 2: names → records -----------------------------------------------------------------------


def _municipality(values: dict):
    from smartsafe.taxonomy.models import Municipality

    given = values["municipality"]
    if not given:
        return None
    country = values["country"] or None
    candidates = Municipality.objects.all()
    if country:
        candidates = candidates.filter(country__iexact=country)
    found = candidates.filter(code__iexact=given).first()
    if found:
        return found
    key = fold(given)
    matches = [m for m in candidates.filter(active=True) if key in (fold(m.name_sr), fold(m.name_en))]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        options = ", ".join(m.code for m in matches[:4])
        raise RowError(
            _problem(
                "municipality",
                _("%(value)r is ambiguous; use its code (%(options)s)")
                % {"value": given[:40], "options": options},
            )
        )
    raise RowError(_problem("municipality", _("unknown %(value)r") % {"value": given[:40]}))


def _topics(names: list[str]) -> list:
    from smartsafe.taxonomy.models import Category

    found = []
    for name in names:
        key = fold(name)
        match = Category.objects.filter(code__iexact=name).first() or next(
            (c for c in Category.objects.all() if key in (fold(c.name_sr), fold(c.name_en))), None
        )
        if match is None:
            raise RowError(_problem("topics", _("unknown %(value)r") % {"value": name[:40]}))
        found.append(match)
    return found


def _partners(names: list[str]) -> list:
    from smartsafe.directory.models import Organisation

    found = []
    for name in names:
        matches = list(
            Organisation.objects.filter(
                Q(slug__iexact=name) | Q(acronym__iexact=name) | Q(name__iexact=name)
            )[:2]
        )
        if len(matches) != 1:
            message = _("ambiguous %(value)r (use its code)") if matches else _("unknown %(value)r")
            raise RowError(_problem("partners", message % {"value": name[:40]}))
        found.append(matches[0])
    return found


def _presenters(names: list[str]) -> list:
    users = get_user_model().objects.filter(is_active=True)
    found = []
    for name in names:
        user = users.filter(username__iexact=name).first()
        if user is None:
            raise RowError(_problem("presenters", _("no active account %(value)r") % {"value": name[:40]}))
        found.append(user)
    return found


def resolve(values: dict) -> dict:
    """Look up the row's references; ``RowError`` listing every one that is unknown."""
    problems, resolved = [], dict(values)
    for name, finder, arg in (
        ("municipality", _municipality, values),
        ("topics", _topics, values["topics"]),
        ("partners", _partners, values["partners"]),
        ("presenters", _presenters, values["presenters"]),
    ):
        try:
            resolved[name] = finder(arg)
        except RowError as exc:
            problems.extend(exc.messages)
    if problems:
        raise RowError(problems)
    municipality = resolved["municipality"]
    if municipality is not None:
        if values["country"] and municipality.country.upper() != values["country"]:
            raise RowError(_problem("municipality", _("not in the row's country")))
        resolved["country"] = municipality.country.upper()
    resolved["country"] = resolved["country"] or home_country()
    return resolved


# --- stage 3: one atomic write per row ------------------------------------------------------------


def _venue(actor, values: dict, *, system: bool) -> tuple[Venue | None, bool]:
    """The row's venue from the register, or a new one: ``(venue, created)``."""
    if not values["venue_name"]:
        return None, False
    municipality = values["municipality"]
    town = "" if municipality else values["town"]
    venues = Venue.objects.filter(name_key=fold(values["venue_name"])[:250], country=values["country"])
    venues = (
        venues.filter(municipality=municipality)
        if municipality
        else venues.filter(municipality__isnull=True, town__iexact=town)
    )
    if values["venue_registry_number"]:
        by_number = Venue.objects.filter(
            external_id=values["venue_registry_number"], country=values["country"]
        ).first()
        if by_number:
            return by_number, False
    venue = venues.order_by("pk").first()
    if venue:
        return venue, False
    return actions.create_venue(
        actor=actor,
        system=system,
        name=values["venue_name"],
        kind=values["venue_kind"],
        country=values["country"],
        municipality=municipality,
        town=town,
        address=values["address"],
        external_id=values["venue_registry_number"],
    ), True


def _event_fields(values: dict, venue) -> dict:
    fields = {name: values[name] for name in (*AUDIENCE_FIELDS, "feedback_responses")}
    fields.update(
        kind=values["kind"],
        status=values["status"],
        title=values["title"],
        date=values["date"],
        start_time=values["start_time"],
        duration_minutes=values["duration_minutes"],
        language=values["language"],
        materials=values["materials"],
        feedback_average=values["feedback_average"],
        feedback_comments=values["feedback_comments"],
        notes=values["notes"],
        topics=values["topics"],
        partners=values["partners"],
        presenters=values["presenters"],
    )
    if venue is not None:
        fields["venue"] = venue
    else:
        fields.update(country=values["country"], municipality=values["municipality"], town=values["town"])
    return fields


def _already_recorded(values: dict, venue) -> Event | None:
    same = Event.objects.filter(date=values["date"], kind=values["kind"], start_time=values["start_time"])
    if venue is not None:
        return same.filter(venue=venue).first() if venue.pk else None
    return same.filter(
        venue__isnull=True,
        country=values["country"],
        municipality=values["municipality"],
        town=values["town"],
    ).first()


class _Skip(Exception):
    def __init__(self, event):
        self.event = event


def import_rows(rows, *, actor, source: str = "", system: bool = False) -> Report:
    """Import ``rows`` (``(row number, cells)`` pairs); see the module docstring."""
    report = Report()
    for number, cells in rows:
        try:
            values = resolve(parse_row(cells))
            with transaction.atomic():
                venue, created = _venue(actor, values, system=system)
                existing = _already_recorded(values, venue)
                if existing is not None:
                    raise _Skip(existing)
                event = actions.create_event(
                    actor=actor, via="import", system=system, **_event_fields(values, venue)
                )
            report.imported.append((number, event.pk))
            report.venues_created += int(created)
        except _Skip as skip:
            report.skipped.append((number, skip.event.pk))
        except RowError as exc:
            report.errors.append((number, exc.messages))
        except ValidationError as exc:
            # The row's atomic block rolled back whatever it wrote (a new venue too).
            report.errors.append((number, _messages(exc)))
    if report.imported:
        record(
            codes.PREVENTION_IMPORT,
            actor=actor,
            object_type="prevention.event",
            object_label=source[:200],
            file=source[:200],
            imported=len(report.imported),
            skipped=len(report.skipped),
            invalid=len(report.errors),
            venues_created=report.venues_created,
        )
    return report


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {message}" for name, messages in exc.message_dict.items() for message in messages]
    return list(exc.messages)


# --- reading files ---------------------------------------------------------------------------------


def _header(names) -> list[str]:
    header = [fold(str(name or "")).replace(" ", "_") for name in names]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportFileError(_("The file is empty: expected a header row."))
    unknown = [name or _("(empty)") for name in header if name not in COLUMNS]
    if unknown:
        raise ImportFileError(
            _("Unknown column(s): %(names)s. Known: %(known)s")
            % {"names": ", ".join(unknown[:10]), "known": ", ".join(COLUMNS)}
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportFileError(_("Missing column(s): %(names)s") % {"names": ", ".join(missing)})
    if len(set(header)) != len(header):
        raise ImportFileError(_("A column appears twice in the header."))
    return header


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def read_csv(data: bytes) -> list[tuple[int, dict]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            _('The file is not UTF-8 text (byte %(position)s); save it as "CSV UTF-8".')
            % {"position": exc.start}
        ) from exc
    if "\x00" in text:
        raise ImportFileError(_("The file contains NUL characters; is it a spreadsheet rather than a CSV?"))
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count) if first_line else ","
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = _header(next(reader, []))
        rows = []
        for number, cells in enumerate(reader, start=2):
            if _blank(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(_("More than %(count)s rows; split the file.") % {"count": MAX_ROWS})
            rows.append((number, _named(header, cells)))
        return rows
    except csv.Error as exc:
        raise ImportFileError(_("Not a readable CSV file: %(error)s") % {"error": exc}) from exc


def _named(header: list[str], cells) -> dict:
    row = {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header)}
    extra = [c for c in cells[len(header) :] if not _blank([c])]
    if extra:
        row["(extra cells)"] = extra  # parse_row reports it as an unknown column
    return row


def read_xlsx(data: bytes) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 — zipfile, XML and openpyxl errors alike mean "not a workbook"
        raise ImportFileError(
            _("Not a readable .xlsx workbook (%(error)s).") % {"error": type(exc).__name__}
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        lines = sheet.iter_rows(values_only=True)
        header = _header(next(lines, ()) or ())
        rows = []
        for number, cells in enumerate(lines, start=2):
            if _blank(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(_("More than %(count)s rows; split the file.") % {"count": MAX_ROWS})
            rows.append((number, _named(header, list(cells))))
        return rows
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise ImportFileError(
            _("Not a readable .xlsx workbook (%(error)s).") % {"error": type(exc).__name__}
        ) from exc
    finally:
        workbook.close()


def read_file(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """Rows of a CSV or XLSX file; the format is told by the content (an XLSX is a ZIP archive)."""
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        return read_xlsx(data)
    return read_csv(data)


def import_file(data: bytes, filename: str, *, actor, system: bool = False) -> Report:
    return import_rows(read_file(data, filename), actor=actor, source=filename, system=system)


# --- templates -------------------------------------------------------------------------------------


def template_csv() -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in EXAMPLE_ROWS:
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8-sig")


def template_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "events"
    sheet.append(list(COLUMNS))
    for row in EXAMPLE_ROWS:
        sheet.append([row.get(name, "") for name in COLUMNS])
    codes_sheet = workbook.create_sheet("codes")
    codes_sheet.append(["column", "code", "meaning"])
    for column, choices in (
        ("kind", EventKind.choices),
        ("status", [c for c in EventStatus.choices if c[0] != EventStatus.CANCELLED]),
        ("language", EventLanguage.choices),
        ("venue_kind", VenueKind.choices),
    ):
        for code, label in choices:
            codes_sheet.append([column, code, str(label)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
