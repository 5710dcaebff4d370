"""The import commands: per-row errors, nothing half-imported, idempotent upserts."""

import json
import string

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartsafe.audit.models import AuditEvent
from smartsafe.directory.csv_import import COLUMNS, parse_institution_row, read_csv
from smartsafe.directory.loaders import ImportFileError, RowError, clean_organisation
from smartsafe.directory.models import Institution, Organisation

pytestmark = pytest.mark.django_db

HEADER = "code,kind,level,name_sr,name_en,parent,municipality,areas,email,uses_portal\n"


def run(command, path, *args):
    """Run a command; (exit status, stdout, stderr) as a shell would see them."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, str(path), *args, stdout=out, stderr=err)
        return 0, out.getvalue(), err.getvalue()
    except CommandError as exc:
        return 1, out.getvalue(), err.getvalue() + str(exc)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def organisations_file(tmp_path, rows):
    return write(
        tmp_path, "orgs.json", json.dumps({"source": "test", "organisations": rows}, ensure_ascii=False)
    )


# --- organisations -------------------------------------------------------------------------------


def test_import_organisations_creates_then_is_idempotent(tmp_path):
    path = organisations_file(
        tmp_path,
        [
            {
                "slug": "sos-line-kikinda",
                "name": "SOS linija Kikinda",
                "website": "www.example.org",
                "towns": ["Кикинда"],
                "strategies": [6],
                "approaches": ["response-counselling"],
                "services": ["helpline", "psychological-support"],
                "links": [{"url": "https://example.org/a", "label": "A"}, "https://example.org/b"],
            },
        ],
    )
    status, out, _err = run("import_organisations", path)
    assert status == 0 and "1 created, 0 updated, 0 unchanged, 0 invalid" in out
    organisation = Organisation.objects.get(slug="sos-line-kikinda")
    assert organisation.website == "http://www.example.org"
    assert organisation.links == [
        {"url": "https://example.org/a", "label": "A"},
        {"url": "https://example.org/b", "label": ""},
    ]
    assert [m.code for m in organisation.municipalities.all()] == ["rs-kikinda"]
    assert "|kikinda|" == organisation.places_key
    assert AuditEvent.objects.filter(action="directory.import").count() == 1

    status, out, _err = run("import_organisations", path)
    assert status == 0 and "0 created, 0 updated, 1 unchanged, 0 invalid" in out


def test_an_approach_brings_its_strategy(tmp_path):
    run(
        "import_organisations",
        organisations_file(tmp_path, [{"slug": "a1", "name": "A", "approaches": ["parenting-parents"]}]),
    )
    assert [s.number for s in Organisation.objects.get(slug="a1").strategies.all()] == [4]


def test_update_changes_only_the_named_fields(tmp_path):
    run(
        "import_organisations",
        organisations_file(
            tmp_path, [{"slug": "a1", "name": "A", "description_en": "Old", "services": ["legal-aid"]}]
        ),
    )
    status, out, _ = run(
        "import_organisations",
        organisations_file(tmp_path, [{"slug": "a1", "name": "A", "description_en": "New"}]),
    )
    assert status == 0 and "1 updated" in out
    organisation = Organisation.objects.get(slug="a1")
    assert organisation.description_en == "New"
    assert [s.code for s in organisation.services.all()] == ["legal-aid"]


def test_invalid_rows_are_reported_and_nothing_is_written(tmp_path):
    before = Organisation.objects.count()
    path = organisations_file(
        tmp_path,
        [
            {"slug": "fine", "name": "Fine"},
            {"slug": "no-name"},
            {"slug": "bad-strategy", "name": "X", "strategies": [9, "norms"]},
            {"slug": "bad-link", "name": "Y", "links": ["javascript:alert(1)"]},
            {"slug": "Bad Slug!", "name": "Z", "colour": "red"},
            "not an object",
        ],
    )
    status, out, err = run("import_organisations", path)
    assert status == 1
    assert "row 2 (no-name): name: required" in err
    assert "row 3 (bad-strategy): unknown strategy: 9" in err
    assert "row 4 (bad-link): links: not a valid http(s) address" in err
    assert "unknown field(s): colour" in err and "slug: use only lower-case" in err
    assert "row 6: each row must be an object" in err
    assert "5 invalid" in out and "Nothing was saved" in err
    assert Organisation.objects.count() == before
    assert not AuditEvent.objects.filter(action="directory.import").exists()


def test_skip_invalid_saves_the_valid_rows(tmp_path):
    path = organisations_file(tmp_path, [{"slug": "fine", "name": "Fine"}, {"slug": "broken"}])
    status, out, err = run("import_organisations", path, "--skip-invalid")
    assert status == 1 and "1 created" in out and "Valid rows were saved" in err
    assert (
        Organisation.objects.filter(slug="fine").exists()
        and not Organisation.objects.filter(slug="broken").exists()
    )


def test_dry_run_saves_nothing(tmp_path):
    status, out, _ = run(
        "import_organisations", organisations_file(tmp_path, [{"slug": "dry", "name": "Dry"}]), "--dry-run"
    )
    assert status == 0 and "Dry run" in out and "1 created" in out
    assert not Organisation.objects.filter(slug="dry").exists()


@pytest.mark.parametrize(
    "content,message",
    [
        ("{not json", "Not valid JSON"),
        ('{"items": []}', 'Expected an object with a "organisations" list'),
        ('{"organisations": {"a": 1}}', "must be a list"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_a_malformed_file_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    status, _out, err = run("import_organisations", path)
    assert status == 1 and message in err


def test_a_missing_file_is_a_clear_error(tmp_path):
    status, _out, err = run("import_organisations", tmp_path / "nope.json")
    assert status == 1 and "File not found" in err


# --- institutions from CSV -----------------------------------------------------------------------


def test_csv_import_creates_with_parent_and_places_and_is_idempotent(tmp_path):
    path = write(
        tmp_path,
        "csr.csv",
        HEADER
        + "rs-csr-kikinda,social_work,municipality,ЦСР Кикинда,CSW Kikinda,rs-social-ministry,rs-kikinda,,"
        + "csr@example.org,yes\n"
        + "rs-su-test,education,region,ШУ Тест,SA Test,rs-csr-kikinda-parent,,"
        + "Севернобанатски округ;Средњобанатски,,\n"
        + "rs-csr-kikinda-parent,social_work,national,Тест,Test,,,,,\n",
    )
    status, out, err = run("import_institutions", path)
    assert status == 0, err
    assert "3 created, 0 updated, 0 unchanged, 0 invalid" in out
    centre = Institution.objects.get(code="rs-csr-kikinda")
    assert (
        centre.municipality.code == "rs-kikinda" and centre.uses_portal and centre.email == "csr@example.org"
    )
    test = Institution.objects.get(code="rs-su-test")
    assert test.parent.code == "rs-csr-kikinda-parent" and test.areas == [
        "Севернобанатски округ",
        "Средњобанатски",
    ]
    status, out, _ = run("import_institutions", path)
    assert "0 created, 0 updated, 3 unchanged" in out


def test_csv_semicolons_from_a_serbian_spreadsheet(tmp_path):
    path = tmp_path / "s.csv"
    path.write_bytes("\ufeffcode;kind;name_sr;name_en\nrs-csr-ub;social_work;ЦСР Уб;CSW Ub\n".encode())
    status, out, _ = run("import_institutions", path)
    assert status == 0 and "1 created" in out


def test_csv_per_row_error_report_and_nothing_half_imported(tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        HEADER
        + "rs-ok,police,national,Полиција,Police,,,,,\n"
        + "rs-bad-kind,circus,national,Ц,C,,,,,\n"
        + ",police,national,,,,,,not-an-email,maybe\n"
        + "rs-unknown-place,social_work,municipality,Ц,C,,rs-atlantis,,,\n"
        + "rs-no-parent,police,national,Ц,C,rs-nobody,,,,\n"
        + "rs-extra,police,national,Ц,C,,,,,,surplus\n"
        + "rs-ok,police,national,Полиција,Police,,,,,\n",
    )
    status, _out, err = run("import_institutions", path)
    assert status == 1
    assert "row 3 (rs-bad-kind): kind: 'circus' is not one of" in err
    assert (
        "row 4: code: required; name_sr: required; name_en: required; "
        "email: not a valid e-mail address; uses_portal: expected yes or no"
    ) in err
    assert "row 7 (rs-extra): more cells than columns" in err
    assert not Institution.objects.filter(code="rs-ok").exists()

    # Row-level problems found against the database are reported once the row itself is valid.
    path = write(
        tmp_path,
        "bad2.csv",
        HEADER
        + "rs-unknown-place,social_work,municipality,Ц,C,,rs-atlantis,,,\n"
        + "rs-no-parent,police,national,Ц,C,rs-nobody,,,,\n"
        + "rs-twice,police,national,Ц,C,,,,,\n"
        + "rs-twice,police,national,Ц,C,,,,,\n",
    )
    status, _out, err = run("import_institutions", path)
    assert status == 1
    assert "row 2 (rs-unknown-place): unknown municipality code(s): rs-atlantis" in err
    assert "row 3 (rs-no-parent): parent: no institution with code rs-nobody" in err
    assert "row 5 (rs-twice): code: rs-twice appears more than once" in err
    assert not Institution.objects.filter(code__in=["rs-twice", "rs-no-parent"]).exists()


@pytest.mark.parametrize(
    "content,message",
    [
        (b"", "empty"),
        (b"code,kind,name_sr\n", "Missing column(s): name_en"),
        (b"code,kind,name_sr,name_en,colour\n", "Unknown column(s): colour"),
        (b"code,kind,name_sr,name_en,code\n", "appears twice"),
        ("code,kind,name_sr,name_en\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_csv_file_errors(tmp_path, content, message):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    status, _out, err = run("import_institutions", path)
    assert status == 1 and message in err


def test_the_shipped_example_csv_imports(tmp_path):
    from smartsafe.directory.loaders import DATA_DIR

    status, out, err = run("import_institutions", DATA_DIR / "rs" / "institutions_example.csv")
    assert status == 0, err
    assert Institution.objects.get(code="rs-csr-cacak").parent.code == "rs-social-ministry"


# --- the row parsers never raise anything but a row error ------------------------------------------

cell = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "yes",
            "no",
            "police",
            "national",
            "rs-nis",
            "sr-Latn",
            "a@b.rs",
            "www.x.rs",
            "javascript:x",
            "2024-02-30",
            "\x00",
            "Ниш;Пирот",
        ]
    ),
)
csv_rows = st.dictionaries(
    st.one_of(st.sampled_from(COLUMNS), st.none(), st.text(alphabet=string.printable, max_size=8)),
    st.one_of(cell, st.lists(st.text(max_size=5), max_size=3)),
    max_size=12,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(row=csv_rows)
def test_csv_row_parser_only_raises_row_errors(row):
    try:
        values = parse_institution_row(row)
    except RowError as exc:
        assert exc.messages and all(isinstance(m, str) for m in exc.messages)
    else:
        assert values["code"] and values["kind"] in Institution.Kind.values


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    raw=st.one_of(
        json_values,
        st.dictionaries(
            st.sampled_from(["slug", "name", "strategies", "links", "towns", "website", "active"]),
            json_values,
        ),
    )
)
def test_organisation_parser_only_raises_row_errors(raw):
    try:
        clean_organisation(raw)
    except RowError:
        pass


def test_read_csv_rejects_binary():
    with pytest.raises(ImportFileError):
        read_csv(b"code,kind\x00")
