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

Each job has its module: ``reading`` (a file → numbered rows; the blank templates), ``parsing``
(stage 1), ``resolving`` (stage 2); this one runs them and writes (stage 3).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.core.text import fold

from .. import actions
from ..models import AUDIENCE_FIELDS, Event, Venue
from .parsing import COLUMNS, EXAMPLE_ROWS, REQUIRED_COLUMNS, RowError, parse_row
from .reading import ImportFileError, read_csv, read_file, read_xlsx, template_csv, template_xlsx
from .resolving import resolve

__all__ = [
    "AUDIENCE_FIELDS",
    "COLUMNS",
    "EXAMPLE_ROWS",
    "REQUIRED_COLUMNS",
    "ImportFileError",
    "Report",
    "RowError",
    "import_file",
    "import_rows",
    "parse_row",
    "read_csv",
    "read_file",
    "read_xlsx",
    "resolve",
    "template_csv",
    "template_xlsx",
]


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


def import_file(data: bytes, filename: str, *, actor, system: bool = False) -> Report:
    return import_rows(read_file(data, filename), actor=actor, source=filename, system=system)
