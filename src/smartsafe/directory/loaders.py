"""Loading directory data: the INSPIRE reference data, institutions and organisations.

One code path for three callers: the data migration (historical models, passed as ``apps``), the
``load_directory``/``import_*`` management commands and the tests. Every loader

1. *validates* each row without touching the database (``clean_*``: pure functions that either
   return clean values or raise :class:`RowError` — nothing else);
2. *resolves* references (municipalities, parents, strategies…) against the database;
3. *writes* in one transaction, upserting by the stable key (``code`` or ``slug``) — so running it
   twice changes nothing the second time.

Invalid rows: by default a file with any invalid row writes **nothing** and reports every invalid
row (``skip_invalid=False``); with ``skip_invalid=True`` the valid rows are written and the invalid
ones reported. Either way nothing is ever half-written.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from . import models as m
from .links import normalise_url, validate_url
from .loading_common import (  # noqa: F401  (re-exported: callers import these from loaders)
    FALSE_WORDS,
    SLUG_RE,
    TRUE_WORDS,
    ImportFileError,
    Problem,
    Report,
    RowError,
    _is_fk,
    _records,
    _Row,
    _set_m2m,
    _upsert,
    model_registry,
    read_json,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

# --- INSPIRE reference data -------------------------------------------------------------------------


def load_inspire(document=None, *, apps=None) -> Report:
    """Upsert the strategies, approaches and services (``data/common/inspire.json`` by default)."""
    document = read_json(DATA_DIR / "common" / "inspire.json") if document is None else document
    reg = model_registry(apps)
    report = Report()
    with transaction.atomic():
        for row in _records(document, "strategies"):
            _upsert(
                reg.InspireStrategy,
                {"number": row["number"]},
                {k: row[k] for k in ("code", "name_en", "name_sr")},
                report,
            )
        strategies = {s.number: s for s in reg.InspireStrategy.objects.all()}
        for order, row in enumerate(_records(document, "approaches"), start=1):
            values = {k: row[k] for k in ("name_en", "name_sr")}
            values |= {
                "strategy": strategies[row["strategy"]],
                "sort_order": order,
                "survey_count": row.get("survey_count"),
            }
            _upsert(reg.InspireApproach, {"code": row["code"]}, values, report)
        for order, row in enumerate(_records(document, "services"), start=1):
            values = {"name_en": row["name_en"], "name_sr": row["name_sr"], "sort_order": order}
            _upsert(reg.Service, {"code": row["code"]}, values, report)
    report.written = True
    return report


# --- institutions -----------------------------------------------------------------------------------

# Every column an institution row may have, in the order CSV templates list them.
INSTITUTION_COLUMNS = (
    "code",
    "kind",
    "level",
    "name_sr",
    "name_en",
    "parent",
    "municipality",
    "areas",
    "covers",
    "email",
    "phone",
    "website",
    "postal_address",
    "working_hours",
    "packet_language",
    "uses_portal",
    "counsellor_notes",
    "source",
    "verified_on",
    "active",
)
INSTITUTION_FIELDS = frozenset(INSTITUTION_COLUMNS)


def clean_institution(raw) -> dict:
    """Validate one institution row (JSON object or a CSV row already split into fields).

    Pure: never touches the database, and raises nothing but :class:`RowError`.
    """
    row = _Row(raw, INSTITUTION_FIELDS)
    values = {
        "code": row.slug("code", max_length=60),
        "kind": row.choice("kind", m.Institution.Kind.values, ""),
        "level": row.choice("level", m.Institution.Level.values, m.Institution.Level.NATIONAL),
        "name_sr": row.text("name_sr", required=True),
        "name_en": row.text("name_en", required=True),
        "parent": row.text("parent", max_length=60).lower(),
        "municipality": row.text("municipality", max_length=50).lower(),
        "areas": row.text_list("areas", max_length=100),
        "covers": [c.lower() for c in row.text_list("covers", max_items=500, max_length=50)],
        "email": row.email("email"),
        "phone": row.text("phone", max_length=50),
        "website": row.url("website", max_length=300),
        "postal_address": row.text("postal_address", max_length=1000),
        "working_hours": row.text("working_hours", max_length=200),
        "packet_language": row.choice("packet_language", m.PacketLanguage.values, m.PacketLanguage.SR_CYRL),
        "uses_portal": row.boolean("uses_portal", False),
        "counsellor_notes": row.text("counsellor_notes", max_length=5000),
        "source": row.text("source"),
        "verified_on": row.date("verified_on"),
        "active": row.boolean("active", True),
    }
    if not values["kind"] and not any("kind:" in e for e in row.errors):
        row.errors.append("kind: required (one of " + ", ".join(m.Institution.Kind.values) + ")")
    if values["level"] == m.Institution.Level.MUNICIPALITY and not values["municipality"]:
        row.errors.append("municipality: required for an institution at municipality level")
    if values["parent"] and values["parent"] == values["code"]:
        row.errors.append("parent: an institution cannot be part of itself")
    return row.done(values)


def load_institutions(
    rows: list,
    *,
    apps=None,
    country: str = "RS",
    strict_places: bool = True,
    skip_invalid: bool = False,
    numbers: list[int] | None = None,
) -> Report:
    """Validate, resolve and upsert institutions by ``code``.

    ``strict_places=False`` (the shipped data, loaded by a migration perhaps before the
    municipalities are) turns an unknown municipality into a warning and leaves it empty;
    ``manage.py load_directory`` fills it in later. A CSV import is strict.
    """
    reg = model_registry(apps)
    report = Report()
    cleaned: list[tuple[int, dict]] = []
    numbers = numbers or list(range(1, len(rows) + 1))
    for number, raw in zip(numbers, rows, strict=True):
        try:
            cleaned.append((number, clean_institution(raw)))
        except RowError as exc:
            report.errors.append(Problem(number, _key_of(raw, "code"), exc.messages))

    codes_in_file = {values["code"] for _n, values in cleaned}
    seen: set[str] = set()
    resolved: list[tuple[dict, object, list]] = []
    for number, values in cleaned:
        problems = []
        if values["code"] in seen:
            problems.append(f"code: {values['code']} appears more than once in the file")
        seen.add(values["code"])
        municipality, covers, missing = _places(reg, values["municipality"], values["covers"])
        if missing:
            message = "unknown municipality code(s): " + ", ".join(missing)
            if strict_places:
                problems.append(message)
            else:
                report.warnings.append(f"{values['code']}: {message} (left empty)")
        parent = values["parent"]
        if (
            parent
            and parent not in codes_in_file
            and not reg.Institution.objects.filter(code=parent).exists()
        ):
            problems.append(f"parent: no institution with code {parent}")
        if problems:
            report.errors.append(Problem(number, values["code"], problems))
            continue
        resolved.append((values, municipality, covers))

    if report.errors and not skip_invalid:
        return report
    with transaction.atomic():
        written = {}
        for values, municipality, covers in resolved:
            fields = {
                k: v
                for k, v in values.items()
                if k not in ("code", "parent", "municipality", "covers", "given")
            }
            fields["municipality"] = municipality
            fields["country"] = (country or "").upper()[:2]
            given = values["given"] | {"country", "kind", "name_sr", "name_en"}
            obj = _upsert(
                reg.Institution,
                {"code": values["code"]},
                fields,
                report,
                before_save=m.refresh_institution_columns,
                given=given,
            )
            covers_changed = "covers" in given and _set_m2m(obj.covered_municipalities, covers)
            if covers_changed and not obj._directory_changed:
                # The many-to-many alone changed: count the row as updated, not unchanged.
                report.unchanged -= 1
                report.updated += 1
            written[values["code"]] = (obj, values["parent"], "parent" in given or obj._directory_created)
        # Parents last: a file may name a parent defined further down.
        for obj, parent_code, parent_given in written.values():
            if not parent_given:
                continue
            parent_id = None
            if parent_code:
                parent_id = reg.Institution.objects.only("pk").get(code=parent_code).pk
            if obj.parent_id != parent_id:
                reg.Institution.objects.filter(pk=obj.pk).update(parent_id=parent_id)
    report.written = True
    return report


def _places(reg, municipality_code: str, cover_codes: list[str]):
    codes = {c for c in [municipality_code, *cover_codes] if c}
    found = {mu.code: mu for mu in reg.Municipality.objects.filter(code__in=codes)}
    missing = sorted(codes - set(found))
    return found.get(municipality_code), [found[c] for c in cover_codes if c in found], missing


def _key_of(raw, name: str) -> str:
    value = raw.get(name) if isinstance(raw, Mapping) else None
    return value[:80] if isinstance(value, str) else ""


# --- organisations ----------------------------------------------------------------------------------

ORGANISATION_FIELDS = {
    "slug",
    "kind",
    "name",
    "name_local",
    "acronym",
    "website",
    "description_en",
    "description_sr",
    "towns",
    "strategies",
    "approaches",
    "services",
    "links",
    "institution",
    "source",
    "active",
    "seed_row",
}


def clean_organisation(raw) -> dict:
    """Validate one organisation object; pure, raises nothing but :class:`RowError`."""
    row = _Row(raw, ORGANISATION_FIELDS)
    values = {
        "slug": row.slug("slug", max_length=80),
        "kind": row.choice("kind", m.Organisation.Kind.values, m.Organisation.Kind.NGO),
        "name": row.text("name", required=True),
        "name_local": row.text("name_local"),
        "acronym": row.text("acronym", max_length=40),
        "website": row.url("website", max_length=500),
        "description_en": row.text("description_en", max_length=10000),
        "description_sr": row.text("description_sr", max_length=10000),
        "towns": row.text_list("towns", max_length=100),
        "approaches": [a.lower() for a in row.text_list("approaches", max_length=60)],
        "services": [s.lower() for s in row.text_list("services", max_length=40)],
        "institution": row.text("institution", max_length=60).lower(),
        "source": row.text("source"),
        "active": row.boolean("active", True),
    }
    values["strategies"] = _strategy_refs(raw.get("strategies"), row)
    values["links"] = _links(raw.get("links"), row)
    return row.done(values)


def _strategy_refs(value, row: _Row) -> list:
    """Strategies by number (1–7) or code."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        row.errors.append("strategies: must be a list of numbers or codes")
        return []
    refs = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (int, str)):
            row.errors.append(f"strategies: {item!r} is not a strategy number or code")
        elif isinstance(item, str) and item.strip().isdigit():
            refs.append(int(item.strip()))
        else:
            refs.append(item.strip().lower() if isinstance(item, str) else item)
    return refs


def _links(value, row: _Row) -> list[dict]:
    if value in (None, ""):
        return []
    if not isinstance(value, list) or len(value) > 50:
        row.errors.append("links: must be a list of at most 50 links")
        return []
    links = []
    for item in value:
        if isinstance(item, str):
            item = {"url": item}
        if not isinstance(item, Mapping) or not isinstance(item.get("url"), str):
            row.errors.append("links: each link needs a url")
            continue
        label = item.get("label") or ""
        if not isinstance(label, str) or len(label) > 300 or "\x00" in label:
            row.errors.append("links: a label must be text of at most 300 characters")
            continue
        url = normalise_url(item["url"])
        try:
            validate_url(url)
        except ValidationError:
            row.errors.append(f"links: not a valid http(s) address: {item['url'][:100]!r}")
            continue
        if len(url) > 2000:
            row.errors.append("links: an address is longer than 2000 characters")
            continue
        links.append({"url": url, "label": label.strip()})
    return links


def load_organisations(
    document, *, apps=None, country: str = "RS", skip_invalid: bool = False, source: str = ""
) -> Report:
    """Validate, resolve and upsert organisations by ``slug`` (see the module docstring)."""
    reg = model_registry(apps)
    records = _records(document, "organisations")
    if isinstance(document, Mapping):
        source = source or (document.get("source") if isinstance(document.get("source"), str) else "")
        country = document.get("country") if isinstance(document.get("country"), str) else country
    report = Report()
    strategies = {s.number: s for s in reg.InspireStrategy.objects.all()}
    strategies |= {s.code: s for s in strategies.values()}
    approaches = {a.code: a for a in reg.InspireApproach.objects.all()}
    services = {s.code: s for s in reg.Service.objects.all()}
    resolved = []
    seen: set[str] = set()
    for number, raw in enumerate(records, start=1):
        try:
            values = clean_organisation(raw)
        except RowError as exc:
            report.errors.append(Problem(number, _key_of(raw, "slug"), exc.messages))
            continue
        problems = []
        if values["slug"] in seen:
            problems.append(f"slug: {values['slug']} appears more than once in the file")
        seen.add(values["slug"])
        unknown = [str(s) for s in values["strategies"] if s not in strategies]
        if unknown:
            problems.append("unknown strategy: " + ", ".join(unknown))
        unknown = [a for a in values["approaches"] if a not in approaches]
        if unknown:
            problems.append("unknown approach: " + ", ".join(unknown))
        unknown = [s for s in values["services"] if s not in services]
        if unknown:
            problems.append("unknown service: " + ", ".join(unknown))
        institution = None
        if values["institution"]:
            institution = reg.Institution.objects.filter(code=values["institution"]).first()
            if institution is None:
                problems.append(f"institution: no institution with code {values['institution']}")
        if problems:
            report.errors.append(Problem(number, values["slug"], problems))
            continue
        chosen_strategies = {strategies[s].pk: strategies[s] for s in values["strategies"]}
        chosen_approaches = [approaches[a] for a in values["approaches"]]
        for approach in chosen_approaches:
            # An approach implies its strategy, so a filter by strategy finds the organisation.
            chosen_strategies.setdefault(approach.strategy_id, approach.strategy)
        resolved.append(
            (
                values,
                institution,
                list(chosen_strategies.values()),
                chosen_approaches,
                [services[s] for s in values["services"]],
            )
        )

    if report.errors and not skip_invalid:
        return report
    municipalities = list(reg.Municipality.objects.all())
    with transaction.atomic():
        for values, institution, strat, appr, serv in resolved:
            fields = {
                k: values[k]
                for k in (
                    "kind",
                    "name",
                    "name_local",
                    "acronym",
                    "website",
                    "description_en",
                    "description_sr",
                    "towns",
                    "links",
                    "active",
                )
            }
            fields |= {
                "institution": institution,
                "country": (country or "").upper()[:2],
                "source": values["source"] or source,
            }
            given = values["given"] | {"name", "country", "source"}
            places = _municipalities_for_towns(municipalities, values["towns"])
            obj = _upsert(
                reg.Organisation,
                {"slug": values["slug"]},
                fields,
                report,
                given=given,
                before_save=lambda o, places=places: m.refresh_organisation_columns(
                    o, [p.name_sr for p in places]
                ),
            )
            changed = False
            for name, manager, objects in (
                ("strategies", obj.strategies, strat),
                ("approaches", obj.approaches, appr),
                ("services", obj.services, serv),
                ("towns", obj.municipalities, places),
            ):
                if name in given or obj._directory_created:
                    changed = _set_m2m(manager, objects) or changed
            if changed:
                m.refresh_organisation_columns(obj, [p.name_sr for p in places])
                reg.Organisation.objects.filter(pk=obj.pk).update(
                    search_text=obj.search_text, places_key=obj.places_key
                )
                if not obj._directory_changed:
                    report.unchanged -= 1
                    report.updated += 1
    report.written = True
    return report


def _municipalities_for_towns(municipalities, towns: list[str]) -> list:
    """The municipalities whose name is one of ``towns`` (matched folded, in either script)."""
    wanted = {m.area_key(t) for t in towns}
    return [
        mu for mu in municipalities if m.area_key(mu.name_sr) in wanted or m.area_key(mu.name_en) in wanted
    ]


# --- a country's default data -----------------------------------------------------------------------


def country_files(country: str) -> dict[str, list[Path]]:
    folder = DATA_DIR / country.lower()
    return {
        "institutions": [DATA_DIR / "common" / "platforms.json", *sorted(folder.glob("institutions*.json"))],
        "organisations": sorted(folder.glob("organisations*.json")),
    }


def load_country(country: str = "rs", *, apps=None) -> Report:
    """Load everything shipped for ``country``: INSPIRE data, platforms, institutions, organisations.

    Lenient about municipalities (the taxonomy may be loaded later); strict about everything else:
    the shipped files must be valid, so an invalid row raises :class:`ImportFileError`.
    """
    if not (DATA_DIR / country.lower()).is_dir():
        raise ImportFileError(
            f"No directory data for country {country!r} (expected {DATA_DIR / country.lower()})."
        )
    report = load_inspire(apps=apps)
    files = country_files(country)
    for path in files["institutions"]:
        document = read_json(path)
        file_country = document.get("country", country) if isinstance(document, Mapping) else country
        part = load_institutions(
            _records(document, "institutions"), apps=apps, country=file_country, strict_places=False
        )
        _raise_on_errors(path, part)
        report.merge(part)
    for path in files["organisations"]:
        part = load_organisations(read_json(path), apps=apps, country=country)
        _raise_on_errors(path, part)
        report.merge(part)
    return report


def _raise_on_errors(path: Path, report: Report) -> None:
    if report.errors:
        raise ImportFileError(f"{path.name}: " + " | ".join(str(p) for p in report.errors))
