"""Every dashboard table as CSV or XLSX (openpyxl). Cells are written as values, never formulas."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    # A label starting with "=" would be a formula in a spreadsheet: CSV/XLSX injection guard.
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def as_csv(columns, rows, filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_safe(str(c)) for c in columns])
    for row in rows:
        writer.writerow([_safe(v if not hasattr(v, "__html__") else str(v)) for v in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def workbook(sheets: list[tuple[str, list, list]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, columns, rows in sheets:
        sheet = book.create_sheet(title=str(title)[:31])
        sheet.append([_safe(str(c)) for c in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_safe(v) if isinstance(v, (int, float)) is False else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_xlsx(sheets: list[tuple[str, list, list]], filename: str) -> HttpResponse:
    response = HttpResponse(
        workbook(sheets), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def respond(fmt: str, title: str, columns, rows, filename: str) -> HttpResponse:
    if fmt == "csv":
        return as_csv(columns, rows, filename)
    return as_xlsx([(title, columns, rows)], filename)
