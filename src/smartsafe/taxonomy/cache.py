"""Taxonomy terms from memory: the reference data that every report and every public form reads.

Terms change a few times a year (an administrator adds a platform or renames a category) while
each report needs half a dozen of them, so each process keeps every term table it has read for a
minute instead of asking the database on every request. A change made in this process clears the
cache at once (the receivers in apps.py); other processes see it within ``TTL_SECONDS``.

The cached instances are shared between threads: treat them as read-only (use them for display,
choices and as foreign-key values; to edit a term, load it from the database).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from django.utils import translation

TTL_SECONDS = 60.0

_lock = threading.Lock()


@dataclass(frozen=True)
class _Table:
    loaded_at: float
    rows: tuple
    by_code: dict
    # (code, name) pairs of the active terms, per language: built once, not per form.
    choices: dict = field(default_factory=dict)


_tables: dict[type, _Table] = {}


def _table(model) -> _Table:
    table = _tables.get(model)
    if table is None or time.monotonic() - table.loaded_at >= TTL_SECONDS:
        rows = tuple(model.objects.all())  # in the model's display order
        table = _Table(time.monotonic(), rows, {term.code: term for term in rows})
        with _lock:
            _tables[model] = table
    return table


def terms(model, *, include_inactive: bool = False) -> tuple:
    """The terms of ``model`` in display order; only the active ones unless asked otherwise."""
    rows = _table(model).rows
    return rows if include_inactive else tuple(term for term in rows if term.active)


def by_code(model, code) -> object | None:
    """The term of ``model`` with ``code`` (active or not), or None."""
    if not code:
        return None
    return _table(model).by_code.get(code)


def choices(model) -> list[tuple[str, str]]:
    """``(code, name)`` of the active terms in the current language, for a form's choices."""
    table = _table(model)
    language = translation.get_language() or ""
    pairs = table.choices.get(language)
    if pairs is None:
        pairs = table.choices[language] = [(term.code, term.name) for term in table.rows if term.active]
    return list(pairs)


def clear(*_args, **_kwargs) -> None:
    """Forget every cached table (a term was saved or deleted; tests start from the database)."""
    with _lock:
        _tables.clear()
