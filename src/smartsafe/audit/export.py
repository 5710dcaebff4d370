"""The filtered audit log as CSV, streamed row by row so a large export never sits in memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator

from django.utils import timezone

from .models import AuditEvent

COLUMNS = (
    "sequence",
    "occurred_at",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "outcome",
    "ip",
    "user_agent",
    "request_id",
    "via",
    "details",
    "previous_hash",
    "hash",
)

# A cell starting with one of these is a formula to a spreadsheet (CSV injection); a leading
# apostrophe makes it text. Labels and user agents come from outside, so this matters.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _safe(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def row(event: AuditEvent) -> list[str]:
    return [
        str(event.sequence),
        event.occurred_at.astimezone(timezone.get_current_timezone()).isoformat(timespec="seconds"),
        _safe(event.actor_label),
        _safe(event.action),
        _safe(event.object_type),
        _safe(event.object_id),
        _safe(event.object_label),
        _safe(event.outcome),
        _safe(event.ip),
        _safe(event.user_agent),
        _safe(event.request_id),
        _safe(event.via),
        _safe(json.dumps(event.details, ensure_ascii=False, sort_keys=True)),
        event.previous_hash,
        event.hash,
    ]


def csv_lines(events: Iterable[AuditEvent]) -> Iterator[str]:
    """The header and one line per event; starts with a BOM so spreadsheets read Cyrillic as UTF-8."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(COLUMNS)
    for event in events:
        yield writer.writerow(row(event))
