"""Import of past events: per-row report, nothing half-done, venues matched, both formats, the command."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from smartsafe.audit.models import AuditEvent
from smartsafe.prevention import importers
from smartsafe.prevention.importers import COLUMNS, RowError, parse_row
from smartsafe.prevention.models import Event, Venue
from smartsafe.testing import category

from .helpers import municipality, organisation, venue

HEADER = ";".join(
    "date kind status venue_name venue_kind municipality country town pupils_grades_5_8 parents "
    "topics partners feedback_responses feedback_average".split()
)


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


@pytest.fixture
def places(db):
    municipality()
    category("cyberbullying")
    organisation()


@pytest.mark.django_db
def test_good_rows_are_imported_bad_rows_reported_with_numbers(prevention, places):
    data = csv_bytes(
        "2023-10-12;presentation;held;ОШ „Вук Караџић“;primary_school;rs-nis;;;54;12;cyberbullying;pds;40;4,6",  # noqa: E501
        "12.10.2023;workshop;;Народна библиотека;library;Niš;;;;20;;;;",
        "2023-13-01;presentation;held;ОШ X;primary_school;rs-nis;;;10;;;;;",  # bad date
        "2023-10-13;lecture;held;ОШ X;primary_school;rs-nis;;;-3;;;;;",  # bad kind and a negative count
        "2023-10-14;training;held;Opština Nikšić;municipality;;ME;Nikšić;;;;;;",
        "2099-01-01;presentation;held;ОШ Будућа;primary_school;rs-nis;;;10;;;;;",  # held in the future
    )
    report = importers.import_file(data, "past.csv", actor=prevention)
    assert [n for n, _pk in report.imported] == [2, 3, 6]
    errors = dict(report.errors)
    assert set(errors) == {4, 5, 7}
    assert any(m.startswith("date:") for m in errors[4])
    assert any(m.startswith("kind:") for m in errors[5]) and any("pupils_grades_5_8" in m for m in errors[5])
    assert any("future" in m for m in errors[7])
    # Nothing half-done: the school of row 7 was created inside the row and rolled back with it.
    assert not Venue.objects.filter(name="ОШ Будућа").exists()
    assert report.venues_created == 3 and Venue.objects.count() == 3
    first = Event.objects.get(pk=report.imported[0][1])
    assert (first.pupils, first.parents, str(first.feedback_average)) == (54, 12, "4.60")
    assert [t.code for t in first.topics.all()] == ["cyberbullying"] and first.partners.get().slug == "pds"
    abroad = Event.objects.get(pk=report.imported[2][1])
    assert (abroad.country, abroad.town, abroad.venue.country) == ("ME", "Nikšić", "ME")
    summary = AuditEvent.objects.filter(action="prevention.import").get()
    assert summary.details["imported"] == 3 and summary.details["invalid"] == 3
    assert AuditEvent.objects.filter(action="prevention.event_create", details__via="import").count() == 3


@pytest.mark.django_db
def test_venues_are_matched_by_folded_name_and_place(prevention, places):
    existing = venue(prevention, "ОШ „Вук Караџић“", place=municipality())
    data = csv_bytes(
        "2023-10-12;presentation;held;OŠ „Vuk Karadžić“;primary_school;rs-nis;;;54;;;;;",
        "2023-10-13;presentation;held;ош „вук караџић“;primary_school;Ниш;;;20;;;;;",
    )
    report = importers.import_file(data, "f.csv", actor=prevention)
    assert report.venues_created == 0 and not report.errors
    assert existing.events.count() == 2


@pytest.mark.django_db
def test_importing_again_skips_rows_already_recorded(prevention, places):
    data = csv_bytes("2023-10-12;presentation;held;ОШ Једна;primary_school;rs-nis;;;54;;;;;")
    importers.import_file(data, "f.csv", actor=prevention)
    again = importers.import_file(data, "f.csv", actor=prevention)
    assert again.imported == [] and [n for n, _ in again.skipped] == [2]
    assert Event.objects.count() == 1


@pytest.mark.django_db
def test_unknown_references_are_row_errors(prevention, places):
    data = csv_bytes("2023-10-12;presentation;held;ОШ;primary_school;Atlantis;;;5;;no-such-topic;nobody;;")
    report = importers.import_file(data, "f.csv", actor=prevention)
    ((number, problems),) = report.errors
    assert number == 2 and len(problems) == 3
    assert Event.objects.count() == 0 and Venue.objects.count() == 0


@pytest.mark.django_db
def test_xlsx_with_real_dates_and_numbers(prevention, places):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        ["Date", "Kind", "venue_name", "venue_kind", "municipality", "pupils_secondary", "start_time"]
    )
    sheet.append(
        [
            dt.datetime(2022, 11, 3),
            "Presentation",
            "Гимназија",
            "secondary_school",
            "rs-nis",
            87.0,
            dt.time(9, 30),
        ]
    )
    sheet.append([None, None, None, None, None, None, None])  # blank rows are ignored
    sheet.append(["not a date", "presentation", "Гимназија", "secondary_school", "rs-nis", 3.5, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = importers.import_file(buffer.getvalue(), "events.xlsx", actor=prevention)
    assert len(report.imported) == 1
    event = Event.objects.get()
    assert (event.date, event.pupils, event.start_time) == (dt.date(2022, 11, 3), 87, dt.time(9, 30))
    ((number, problems),) = report.errors
    assert (
        number == 4
        and any(p.startswith("date") for p in problems)
        and any("whole number" in p for p in problems)
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"date;kind;colour\n", "Unknown column"),
        (b"kind;title\n", "Missing column"),
        (b"date;kind;date\n", "twice"),
        (b"PK\x03\x04 not really a zip", "xlsx"),
    ],
)
def test_unusable_files_are_refused_as_a_whole(prevention, data, message):
    with pytest.raises(importers.ImportFileError, match=message):
        importers.import_file(data, "f.csv", actor=prevention)


@pytest.mark.django_db
def test_templates_are_importable(prevention, places):
    municipality()
    for content, name in ((importers.template_csv(), "t.csv"), (importers.template_xlsx(), "t.xlsx")):
        rows = importers.read_file(content, name)
        assert [n for n, _ in rows] == [2, 3]
        for _n, cells in rows:
            parse_row(cells)
    workbook = load_workbook(io.BytesIO(importers.template_xlsx()))
    assert [c.value for c in workbook["events"][1]] == list(COLUMNS)
    assert workbook["codes"].max_row > 10


@pytest.mark.django_db
def test_command_imports_and_fails_on_bad_rows(tmp_path, prevention, places, capsys):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes("2023-10-12;presentation;held;ОШ Једна;primary_school;rs-nis;;;54;;;;;"))
    call_command("import_prevention", str(good), "--user", prevention.username)
    assert "1 imported" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="prevention.import", actor=prevention).exists()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes("2023-10-13;presentation;held;ОШ Две;primary_school;rs-nis;;;54;;;;;", "x;y"))
    with pytest.raises(CommandError, match="1 invalid"):
        call_command("import_prevention", str(bad))  # no --user: the system imports
    assert "row 3:" in capsys.readouterr().err
    assert Event.objects.count() == 2
    with pytest.raises(CommandError, match="not an active"):
        call_command("import_prevention", str(good), "--user", "nobody")
    template = tmp_path / "template.xlsx"
    call_command("import_prevention", str(template), "--template")
    assert template.read_bytes()[:2] == b"PK"


# --- the row parser never raises anything but RowError --------------------------------------------

cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(
        ["2023-05-17", "17.05.2023.", "presentation", "held", "primary_school", "4,5", "12", "-1", "rs-nis"]
    ),
)
keys = st.one_of(st.sampled_from(COLUMNS), st.text(max_size=12), st.integers())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, cells, max_size=12))
def test_row_parser_gives_a_row_or_a_row_error(row):
    try:
        values = parse_row(row)
    except RowError as exc:
        assert exc.messages and all(isinstance(m, str) and m for m in exc.messages)
        return
    assert isinstance(values["date"], dt.date) and values["kind"]
    assert all(isinstance(values[name], int) and values[name] >= 0 for name in importers.AUDIENCE_FIELDS)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {name: cells for name in ("date", "kind", "parents", "feedback_average", "start_time")}
    )
)
def test_row_parser_with_the_known_columns(row):
    try:
        parse_row(row)
    except RowError:
        pass
