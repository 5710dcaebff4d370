"""Institutions from a spreadsheet: ``manage.py import_institutions FILE.csv``.

The CSV has a header row naming the columns (any order, any case); ``code``, ``kind``, ``name_sr``
and ``name_en`` are required, the rest optional — see ``COLUMNS`` and docs/directory.md. Comma,
semicolon (what a Serbian-locale spreadsheet saves) and tab separators are recognised. Lists
(``areas``, ``covers``) are separated by ``;`` or ``|`` inside the cell.
"""

from __future__ import annotations

import csv
import io

from .loaders import (
    INSTITUTION_COLUMNS,
    INSTITUTION_FIELDS,
    ImportFileError,
    Problem,
    Report,
    RowError,
    clean_institution,
    load_institutions,
)

REQUIRED_COLUMNS = ("code", "kind", "name_sr", "name_en")
COLUMNS = INSTITUTION_COLUMNS
MAX_ROWS = 20_000


def parse_institution_row(row) -> dict:
    """One CSV row (``csv.DictReader`` output) → clean values, or :class:`RowError`. Never anything else.

    ``DictReader`` puts surplus cells under the key ``None`` and fills missing cells with ``None``;
    both are row errors/empty values here rather than surprises later.
    """
    try:
        if not isinstance(row, dict):
            raise RowError(["not a row of named cells"])
        problems = []
        if row.get(None):
            problems.append("more cells than columns in the header")
        raw = {}
        for key, value in row.items():
            if key is None:
                continue
            if not isinstance(key, str):
                problems.append("a column name is not text")
                continue
            if value is not None and not isinstance(value, str):
                problems.append(f"{key}: not text")
                continue
            name = key.strip().lower()
            if name not in INSTITUTION_FIELDS:
                problems.append(f"unknown column: {name[:40]}")
                continue
            # An empty cell means "not given", so optional columns keep their defaults.
            if value is not None and value.strip():
                raw[name] = value
        try:
            values = clean_institution(raw)
        except RowError as exc:
            problems += exc.messages
        if problems:
            raise RowError(problems)
        return values
    except RowError:
        raise
    except Exception as exc:  # noqa: BLE001 — the contract: a bad row is a row error, whatever broke
        raise RowError([f"unreadable row ({type(exc).__name__})"]) from exc


def read_csv(data: bytes) -> list[dict]:
    """Decode and split a CSV file into rows; :class:`ImportFileError` when the file itself is unusable."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f'The file is not UTF-8 text (byte {exc.start}); save it as "CSV UTF-8".'
        ) from exc
    if "\x00" in text:
        raise ImportFileError("The file contains NUL characters; is it a spreadsheet rather than a CSV?")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count) if first_line else ","
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = [(name or "").strip().lower() for name in (reader.fieldnames or [])]
        if not header:
            raise ImportFileError("The file is empty: expected a header row.")
        unknown = [name for name in header if name not in COLUMNS]
        if unknown:
            raise ImportFileError(
                "Unknown column(s): " + ", ".join(unknown[:10]) + ". Known: " + ", ".join(COLUMNS)
            )
        missing = [name for name in REQUIRED_COLUMNS if name not in header]
        if missing:
            raise ImportFileError("Missing column(s): " + ", ".join(missing))
        if len(set(header)) != len(header):
            raise ImportFileError("A column appears twice in the header.")
        reader.fieldnames = header
        rows = []
        for row in reader:
            if len(rows) >= MAX_ROWS:
                raise ImportFileError(f"More than {MAX_ROWS} rows; split the file.")
            rows.append(row)
        return rows
    except csv.Error as exc:
        raise ImportFileError(f"Not a readable CSV file: {exc}") from exc


def import_institutions_csv(data: bytes, *, country: str = "RS", skip_invalid: bool = False) -> Report:
    """Parse every row, report every invalid one (numbered as in a spreadsheet: header = row 1), and
    upsert the valid ones — all of them, or with any invalid row none unless ``skip_invalid``."""
    rows = read_csv(data)
    report = Report()
    parsed = []
    for number, row in enumerate(rows, start=2):
        try:
            parsed.append((number, parse_institution_row(row)))
        except RowError as exc:
            key = row.get("code") if isinstance(row.get("code"), str) else ""
            report.errors.append(Problem(number, (key or "")[:80], exc.messages))
    if report.errors and not skip_invalid:
        return report
    # The loader validates again (cheap, pure), resolves municipalities and parents across the
    # whole file and writes everything in one transaction.
    loaded = load_institutions(
        [_as_raw(values) for _n, values in parsed],
        numbers=[n for n, _v in parsed],
        country=country,
        strict_places=True,
        skip_invalid=skip_invalid,
    )
    return report.merge(loaded)


def _as_raw(values: dict) -> dict:
    """The parsed row back in the loader's input shape, with only the cells the row filled in."""
    raw = {name: values[name] for name in values["given"]}
    if "verified_on" in raw:
        raw["verified_on"] = values["verified_on"].isoformat() if values["verified_on"] else ""
    return raw
