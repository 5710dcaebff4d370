"""Reading the files of the import of past events (CSV or XLSX) into numbered rows, and writing
the blank templates people fill in.

Rows are numbered as a spreadsheet shows them: the header is row 1. Blank rows are left out; a
file that cannot be read as a whole raises ``ImportFileError``.
"""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from smartsafe.core.text import fold

from ..models import EventKind, EventLanguage, EventStatus, VenueKind
from .parsing import COLUMNS, EXAMPLE_ROWS, MAX_ROWS, REQUIRED_COLUMNS


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, unknown columns)."""


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
