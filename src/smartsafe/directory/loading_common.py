"""The machinery every directory loader shares: row errors and reports, reading files, validating
one row (``_Row``) and upserting by a stable key. See ``loaders.py`` for the loading rules."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .links import normalise_url, validate_url

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
TRUE_WORDS = {"1", "true", "yes", "y", "da", "x", "✓"}
FALSE_WORDS = {"", "0", "false", "no", "n", "ne", "-"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (not JSON, wrong shape, not a CSV, unknown columns…)."""


class RowError(Exception):
    """One row is invalid. ``messages`` says why, one message per problem."""

    def __init__(self, messages: Iterable[str]):
        self.messages = [str(msg) for msg in messages] or ["invalid row"]
        super().__init__("; ".join(self.messages))


@dataclass
class Problem:
    row: int | str
    key: str
    messages: list[str]

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" ({self.key})" if self.key else "")
        return f"{where}: " + "; ".join(self.messages)


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def invalid(self) -> int:
        return len(self.errors)

    def merge(self, other: Report) -> Report:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors += other.errors
        self.warnings += other.warnings
        self.written = self.written or other.written
        return self

    def summary(self) -> str:
        counts = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        counts += f", {self.invalid} invalid"
        return counts + ("" if self.written or not self.errors else " — nothing was written")


def model_registry(apps=None) -> SimpleNamespace:
    """The models to write with: the real ones, or a migration's historical ones."""
    if apps is None:
        from django.apps import apps as real_apps

        apps = real_apps
    get = apps.get_model
    return SimpleNamespace(
        Institution=get("directory", "Institution"),
        InspireStrategy=get("directory", "InspireStrategy"),
        InspireApproach=get("directory", "InspireApproach"),
        Service=get("directory", "Service"),
        Organisation=get("directory", "Organisation"),
        Municipality=get("taxonomy", "Municipality"),
    )


# --- reading files ----------------------------------------------------------------------------------


def read_json(source: str | Path | bytes) -> object:
    """Parse JSON from a file path or from bytes; a clear :class:`ImportFileError` when it is not JSON."""
    try:
        text = (
            source.decode("utf-8-sig")
            if isinstance(source, bytes)
            else Path(source).read_text(encoding="utf-8-sig")
        )
        return json.loads(text)
    except FileNotFoundError as exc:
        raise ImportFileError(f"File not found: {exc.filename}") from exc
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"The file is not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"Not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from exc
    except (OSError, RecursionError) as exc:
        raise ImportFileError(f"Cannot read the file: {exc}") from exc


def _records(document, key: str) -> list:
    """The list of records in a document: either ``{"<key>": [...]}`` or a bare list."""
    if isinstance(document, Mapping):
        if key not in document:
            raise ImportFileError(f'Expected an object with a "{key}" list.')
        document = document[key]
    if not isinstance(document, list):
        raise ImportFileError(f'"{key}" must be a list of objects.')
    return document


# --- small validators shared by every row -----------------------------------------------------------


class _Row:
    """Collects the problems of one row instead of stopping at the first."""

    def __init__(self, raw, allowed: set[str]):
        self.errors: list[str] = []
        if not isinstance(raw, Mapping):
            raise RowError(["each row must be an object with named fields"])
        self.raw = raw
        unknown = sorted(str(k) for k in raw if k not in allowed)
        if unknown:
            self.errors.append("unknown field(s): " + ", ".join(unknown))

    def text(self, name: str, *, required=False, max_length=250, default="") -> str:
        value = self.raw.get(name)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.errors.append(f"{name}: must be text")
            return default
        value = value.strip()
        if "\x00" in value:
            self.errors.append(f"{name}: contains a NUL character")
            return default
        if required and not value:
            self.errors.append(f"{name}: required")
        if max_length and len(value) > max_length:
            self.errors.append(f"{name}: longer than {max_length} characters")
        return value or default

    def slug(self, name: str, *, max_length: int) -> str:
        value = self.text(name, required=True, max_length=max_length).lower()
        if value and not SLUG_RE.match(value):
            self.errors.append(f"{name}: use only lower-case letters, digits, hyphens and underscores")
        return value

    def choice(self, name: str, choices, default: str) -> str:
        value = self.text(name, max_length=40) or default
        by_lower = {c.lower(): c for c in choices}
        if value.lower() not in by_lower:
            self.errors.append(f"{name}: {value!r} is not one of {', '.join(choices)}")
            return default
        return by_lower[value.lower()]

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return default if word == "" else False
        self.errors.append(f"{name}: expected yes or no")
        return default

    def text_list(self, name: str, *, max_items=100, max_length=250) -> list[str]:
        value = self.raw.get(name)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            value = [part for part in re.split(r"[;|\n]", value)]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors.append(f"{name}: must be a list of texts")
            return []
        items = [v.strip() for v in value if v.strip()]
        if len(items) > max_items:
            self.errors.append(f"{name}: more than {max_items} items")
        if any(len(v) > max_length or "\x00" in v for v in items):
            self.errors.append(f"{name}: an item is too long or contains a NUL character")
        return items

    def url(self, name: str, *, max_length: int) -> str:
        value = normalise_url(self.text(name, max_length=max_length))
        if value:
            try:
                validate_url(value)
            except ValidationError:
                self.errors.append(f"{name}: not a valid http(s) address")
                return ""
            if len(value) > max_length:
                self.errors.append(f"{name}: longer than {max_length} characters")
        return value

    def email(self, name: str) -> str:
        value = self.text(name, max_length=254)
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.errors.append(f"{name}: not a valid e-mail address")
                return ""
        return value

    def date(self, name: str):
        value = self.text(name, max_length=20)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.errors.append(f"{name}: use a date like 2025-01-31")
            return None

    def done(self, values: dict) -> dict:
        if self.errors:
            raise RowError(self.errors)
        # Which fields the row named: an update changes only those, so what an administrator
        # entered in the admin (an e-mail, notes) survives re-loading a file that does not set it.
        values["given"] = frozenset(str(k) for k in self.raw if k is not None)
        return values


def _upsert(model, key: dict, values: dict, report: Report, *, before_save=None, given=None):
    """Create or update one row; count it as created, updated or unchanged. Returns the object.

    ``given``: on update, only these fields are changed (all of ``values`` when None).
    """
    obj = model.objects.filter(**key).first()
    if obj is None:
        obj = model(**key, **values)
        if before_save:
            before_save(obj)
        obj.save()
        report.created += 1
        obj._directory_changed = obj._directory_created = True
        return obj
    changed = False
    for name, value in values.items():
        if given is not None and name not in given:
            continue
        current = getattr(obj, name + "_id") if _is_fk(model, name) else getattr(obj, name)
        new = value.pk if _is_fk(model, name) and value is not None else value
        if current != new:
            setattr(obj, name, value)
            changed = True
    if changed:
        if before_save:
            before_save(obj)
        obj.save()
        report.updated += 1
    else:
        report.unchanged += 1
    obj._directory_changed = changed
    obj._directory_created = False
    return obj


def _is_fk(model, name: str) -> bool:
    field_ = model._meta.get_field(name)
    return field_.many_to_one or field_.one_to_one


def _set_m2m(manager, objects) -> bool:
    """Set a many-to-many to ``objects``; True when that changed anything."""
    wanted = {o.pk for o in objects}
    if set(manager.values_list("pk", flat=True)) == wanted:
        return False
    manager.set(list(wanted))
    return True
