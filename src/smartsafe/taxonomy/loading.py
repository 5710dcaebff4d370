"""The one loader of the shipped taxonomy: data files in ``taxonomy/data/<country>/`` → database.

Used by the data migration (so every database, test databases included, starts with the
taxonomy) and by ``manage.py load_taxonomy`` (to apply later changes to the files).

Contract:

- rows are matched by ``code`` and upserted: a code missing from the database is created, a row
  whose fields differ from the file is updated to the file's values;
- nothing is ever deleted, and nothing is deactivated unless the file says ``"active": false``
  (a term an administrator switched off stays off; rows that are in the database but not in the
  files are left alone and listed in the report);
- running it twice changes nothing the second time;
- the files are validated against the current models before anything is written, and the whole
  load is one transaction: a bad file writes nothing.

A country is a folder, not code: another country is another folder with the same files.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, transaction

from . import models
from .frameworks import CHI_LABELS, INSAFE_LABELS

DATA_ROOT = Path(__file__).resolve().parent / "data"

# File name (without .json) → model name, in load order.
FILES: tuple[tuple[str, str], ...] = (
    ("channels", "Channel"),
    ("categories", "Category"),
    ("platforms", "Platform"),
    ("reporter_types", "ReporterType"),
    ("age_bands", "AgeBand"),
    ("sexes", "Sex"),
    ("municipalities", "Municipality"),
)
# Fields every item must give; the rest fall back to the model's defaults.
REQUIRED = ("code", "name_sr", "name_en")
REQUIRED_BY_MODEL = {
    "Channel": ("kind",),
    "Category": ("kind", "chi_code", "insafe_code"),
    "Platform": ("kind",),
}
_COUNTRY = re.compile(r"^[a-z]{2,8}$")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Serbian Latin letters: their presence in a "Cyrillic" name means it was typed in the wrong script.
_SERBIAN_LATIN = re.compile(r"[čćžšđČĆŽŠĐ]")


class TaxonomyDataError(ValueError):
    """A data file is missing, malformed or contradicts the models. Nothing was written."""


@dataclass
class ModelReport:
    model: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    not_in_files: list[str] = field(default_factory=list)


@dataclass
class LoadReport:
    country: str
    models: list[ModelReport] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(len(m.created) for m in self.models)

    @property
    def updated(self) -> int:
        return sum(len(m.updated) for m in self.models)


def default_country() -> str:
    """The data folder this installation uses: the ``SMARTSAFE_COUNTRY`` setting, else ``rs``."""
    configured = getattr(settings, "SMARTSAFE_COUNTRY", None) or os.environ.get("SMARTSAFE_COUNTRY")
    return (configured or "rs").lower()


def available_countries() -> list[str]:
    return sorted(p.name for p in DATA_ROOT.iterdir() if (p / "country.json").is_file())


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyDataError(f"{path}: file not found.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TaxonomyDataError(f"{path}: not valid UTF-8 JSON ({exc}).") from None
    if not isinstance(data, dict):
        raise TaxonomyDataError(f"{path}: expected a JSON object.")
    return data


def _country_dir(country: str) -> Path:
    if not _COUNTRY.match(country or ""):
        raise TaxonomyDataError(f"Not a country folder name: {country!r} (lower-case letters, e.g. 'rs').")
    folder = DATA_ROOT / country
    if not (folder / "country.json").is_file():
        raise TaxonomyDataError(
            f"No taxonomy data for {country!r}: expected {folder}/country.json "
            f"(available: {', '.join(available_countries()) or 'none'})."
        )
    return folder


def read_country(country: str) -> dict[str, list[dict]]:
    """The validated items of every data file of ``country``, keyed by model name.

    Validation runs against the current models (so a typo in a field name is an error); the
    loader later writes only the fields the target model has.
    """
    folder = _country_dir(country)
    manifest = _read_json(folder / "country.json")
    country_code = manifest.get("country")
    if not isinstance(country_code, str) or not re.fullmatch(r"[A-Z]{2}", country_code):
        raise TaxonomyDataError(f"{folder}/country.json: 'country' must be a two-letter code such as \"RS\".")
    result: dict[str, list[dict]] = {}
    for stem, model_name in FILES:
        path = folder / f"{stem}.json"
        if not path.exists():
            continue  # a country may ship fewer lists; nothing to load for this model
        items = _read_json(path).get("items")
        if not isinstance(items, list):
            raise TaxonomyDataError(f"{path}: expected an 'items' list.")
        model = getattr(models, model_name)
        result[model_name] = _validated(path, model, items, country_code)
    return result


def _validated(path: Path, model, items: list, country_code: str) -> list[dict]:
    fields = {f.name: f for f in model._meta.concrete_fields if not f.primary_key}
    required = REQUIRED + REQUIRED_BY_MODEL.get(model.__name__, ())
    seen_codes: set[str] = set()
    seen_hosts: dict[str, str] = {}
    clean_items = []
    for index, item in enumerate(items):
        where = f"{path.name}, item {index + 1}"
        if not isinstance(item, dict):
            raise TaxonomyDataError(f"{where}: expected an object.")
        where = f"{path.name}, item {index + 1} ({item.get('code', '?')})"
        unknown = sorted(set(item) - set(fields))
        if unknown:
            raise TaxonomyDataError(f"{where}: unknown field(s) {', '.join(unknown)}.")
        missing = [name for name in required if item.get(name) in (None, "")]
        if missing:
            raise TaxonomyDataError(f"{where}: missing {', '.join(missing)}.")
        row = dict(item)
        row.setdefault("sort_order", (index + 1) * 10)
        if "country" in fields:
            row.setdefault("country", country_code)
        for name, value in row.items():
            if name in ("active", "suggests_urgent") and not isinstance(value, bool):
                raise TaxonomyDataError(f"{where}: {name} must be true or false.")
            try:
                row[name] = fields[name].clean(value, None)
            except ValidationError as exc:
                raise TaxonomyDataError(f"{where}: {name}: {' '.join(exc.messages)}") from None
        if row["code"] in seen_codes:
            raise TaxonomyDataError(f"{where}: code {row['code']!r} appears twice.")
        seen_codes.add(row["code"])
        if _SERBIAN_LATIN.search(row["name_sr"]):
            raise TaxonomyDataError(
                f"{where}: name_sr looks like Latin script; write Serbian names in Cyrillic."
            )
        if model.__name__ == "Category":
            _check_mappings(where, row)
        if "hosts" in row:
            _check_hosts(where, row, seen_hosts)
        clean_items.append(row)
    return clean_items


def _check_mappings(where: str, row: dict) -> None:
    for name, known, listing in (
        ("chi_code", CHI_LABELS, "CHI_CATEGORIES"),
        ("insafe_code", INSAFE_LABELS, "INSAFE_CATEGORIES"),
    ):
        if row[name] not in known:
            raise TaxonomyDataError(f"{where}: {name} {row[name]!r} is not in frameworks.{listing}.")


def _check_hosts(where: str, row: dict, seen: dict[str, str]) -> None:
    hosts = row["hosts"]
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        raise TaxonomyDataError(f"{where}: hosts must be a list of host names.")
    for host in hosts:
        if host != host.lower() or host.startswith("www.") or not _HOST.match(host):
            raise TaxonomyDataError(f"{where}: {host!r} is not a lower-case host name without 'www.'.")
        if host in seen:
            raise TaxonomyDataError(f"{where}: host {host!r} already belongs to {seen[host]!r}.")
        seen[host] = row["code"]


def load(country: str | None = None, *, apps=None, using: str = DEFAULT_DB_ALIAS) -> LoadReport:
    """Upsert the taxonomy of ``country`` (default: ``default_country()``); see the module docstring.

    ``apps`` is the migration's app registry when called from a data migration (historical
    models); otherwise the current models are used.
    """
    country = country or default_country()
    data = read_country(country)
    report = LoadReport(country=country)
    with transaction.atomic(using=using):
        for _stem, model_name in FILES:
            if model_name not in data:
                continue
            model = apps.get_model("taxonomy", model_name) if apps is not None else _current_model(model_name)
            report.models.append(_upsert(model, data[model_name], using))
    return report


def _current_model(model_name: str):
    return getattr(models, model_name)


def _upsert(model, items: list[dict], using: str) -> ModelReport:
    report = ModelReport(model=model.__name__)
    # A historical model (in a migration) may lack fields added later: write only what it has.
    names = {f.name for f in model._meta.concrete_fields if not f.primary_key}
    rows = [{k: v for k, v in item.items() if k in names} for item in items]
    manager = model._default_manager.db_manager(using)
    existing = {obj.code: obj for obj in manager.filter(code__in=[row["code"] for row in rows])}
    to_create, to_update, changed_fields = [], [], set()
    for row in rows:
        obj = existing.get(row["code"])
        if obj is None:
            to_create.append(model(**row))
            report.created.append(row["code"])
            continue
        changed = [name for name, value in row.items() if getattr(obj, name) != value]
        if not changed:
            report.unchanged += 1
            continue
        for name in changed:
            setattr(obj, name, row[name])
        to_update.append(obj)
        changed_fields.update(changed)
        report.updated.append(row["code"])
    if to_create:
        manager.bulk_create(to_create)
    if to_update:
        manager.bulk_update(to_update, sorted(changed_fields))
    others = manager.exclude(code__in=[row["code"] for row in rows])
    if "country" in names and rows:
        # Municipalities of other countries are not this folder's business.
        others = others.filter(country__in={row["country"] for row in rows})
    report.not_in_files = sorted(others.values_list("code", flat=True))
    return report
