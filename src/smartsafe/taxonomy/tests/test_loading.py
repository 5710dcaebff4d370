"""The loader: upsert by code, idempotent, never deletes or silently deactivates, validates first."""

import json
import shutil

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from smartsafe.taxonomy import loading
from smartsafe.taxonomy.loading import TaxonomyDataError, load
from smartsafe.taxonomy.models import Category, Channel, Municipality, Platform

pytestmark = pytest.mark.django_db

MODELS = (Channel, Category, Platform, Municipality)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_twice_changes_nothing_the_second_time(taxonomy):
    before = counts()
    report = load("rs")
    assert (report.created, report.updated) == (0, 0)
    assert counts() == before
    assert all(m.unchanged > 0 and not m.not_in_files for m in report.models)


def test_an_edited_name_is_restored_and_a_missing_row_recreated(taxonomy):
    Category.objects.filter(code="csam").update(name_sr="погрешно", name_en="wrong")
    Channel.objects.filter(code="letter").delete()
    before = Category.objects.count()
    report = load("rs")
    csam = Category.objects.get(code="csam")
    assert (csam.name_sr, csam.name_en) == (
        "Материјал сексуалног злостављања деце",
        "Child sexual abuse material",
    )
    assert Channel.objects.filter(code="letter", kind="letter").exists()
    assert Category.objects.count() == before
    by_model = {m.model: m for m in report.models}
    assert by_model["Category"].updated == ["csam"] and by_model["Channel"].created == ["letter"]


def test_nothing_is_deleted_or_deactivated_silently(taxonomy):
    Platform.objects.filter(code="kick").update(active=False)  # an administrator switched it off
    Platform.objects.create(code="local-forum", name_sr="Форум", name_en="Forum", kind="web")
    report = load("rs")
    assert Platform.objects.get(code="kick").active is False
    assert Platform.objects.get(code="local-forum").active is True
    assert {m.model: m for m in report.models}["Platform"].not_in_files == ["local-forum"]


def test_a_historical_model_gets_only_the_fields_it_has(taxonomy):
    """The data migration runs with the models as they were; later fields must not break it."""
    old_apps = MigrationLoader(connection).project_state(("taxonomy", "0001_initial")).apps
    Municipality.objects.filter(code="rs-nis").update(name_en="Nish", district_en="")
    load("rs", apps=old_apps)
    nis = Municipality.objects.get(code="rs-nis")
    assert nis.name_en == "Niš"  # a field the old model had: restored
    assert nis.district_en == ""  # added in 0002: the old model could not write it


@pytest.fixture
def data_root(tmp_path, monkeypatch):
    """A copy of the shipped data in a temporary folder, to break on purpose."""
    shutil.copytree(loading.DATA_ROOT / "rs", tmp_path / "rs")
    monkeypatch.setattr(loading, "DATA_ROOT", tmp_path)
    return tmp_path


def edit(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "change", "message"),
    [
        ("categories", lambda d: d["items"][0].update(chi_code="violence.nonsense"), "chi_code"),
        ("categories", lambda d: d["items"][1].update(insafe_code=""), "missing insafe_code"),
        ("categories", lambda d: d["items"][2].update(nmae_en="typo"), "unknown field"),
        ("channels", lambda d: d["items"][3].update(code=d["items"][0]["code"]), "appears twice"),
        ("channels", lambda d: d["items"][0].update(kind="pigeon"), "kind"),
        ("channels", lambda d: d["items"][0].update(code="not a slug"), "code"),
        ("sexes", lambda d: d["items"][0].update(name_sr="Ženski"), "Cyrillic"),
        ("sexes", lambda d: d["items"][0].update(active="no"), "true or false"),
        ("platforms", lambda d: d["items"][1]["hosts"].append("instagram.com"), "already belongs"),
        ("platforms", lambda d: d["items"][0]["hosts"].append("www.instagram.com"), "host name"),
        ("municipalities", lambda d: d["items"][0].update(name_en="x" * 300), "name_en"),
        ("municipalities", lambda d: d.pop("items"), "items"),
    ],
)
def test_bad_data_is_rejected_and_nothing_is_written(taxonomy, data_root, file, change, message):
    Category.objects.filter(code="csam").update(name_en="edited")
    edit(data_root / "rs" / f"{file}.json", change)
    with pytest.raises(TaxonomyDataError, match=message):
        load("rs")
    assert Category.objects.get(code="csam").name_en == "edited"


def test_a_broken_file_and_unknown_countries_are_reported(data_root):
    (data_root / "rs" / "sexes.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(TaxonomyDataError, match="not valid UTF-8 JSON"):
        load("rs")
    for country in ("xx", "../rs", ""):
        with pytest.raises(TaxonomyDataError):
            loading.read_country(country)


def test_another_country_is_another_folder(taxonomy, data_root):
    folder = data_root / "me"
    folder.mkdir()
    (folder / "country.json").write_text(
        json.dumps({"country": "ME", "name_en": "Montenegro"}), encoding="utf-8"
    )
    (folder / "municipalities.json").write_text(
        json.dumps(
            {"items": [{"code": "me-kotor", "name_sr": "Котор", "name_en": "Kotor", "kind": "municipality"}]}
        ),
        encoding="utf-8",
    )
    assert loading.available_countries() == ["me", "rs"]
    report = load("me")
    assert [m.model for m in report.models] == ["Municipality"]
    assert Municipality.objects.get(code="me-kotor").country == "ME"
    # Serbia's municipalities are none of Montenegro's business, and the other way round.
    assert report.models[0].not_in_files == []
    assert {m.model: m for m in load("rs").models}["Municipality"].not_in_files == []


def test_the_configured_country_is_the_default(settings):
    settings.SMARTSAFE_COUNTRY = "ME"
    assert loading.default_country() == "me"
    del settings.SMARTSAFE_COUNTRY
    assert loading.default_country() in loading.available_countries()
