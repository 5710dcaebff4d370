"""The shipped data: every database has it (data migration), reloading is idempotent, and the
organisations match seed 002."""

import json

import pytest
from django.core.management import call_command

from smartsafe.directory.loaders import DATA_DIR, load_country
from smartsafe.directory.models import InspireApproach, InspireStrategy, Institution, Organisation, Service

pytestmark = pytest.mark.django_db

SEED_FILE = DATA_DIR / "rs" / "organisations_inspire_2019.json"
# The table "Links and references" of seed 002 numbers its rows 1 to 35.
SEED_ORGANISATIONS = 35


def test_national_institutions_are_in_every_database():
    codes = set(Institution.objects.values_list("code", flat=True))
    assert {
        "rs-police-vtk",
        "rs-prosecutor-vtk",
        "rs-education-ministry",
        "rs-health-ministry",
        "rs-health-imh",
        "rs-health-child-psychiatry",
        "rs-hotline-netpatrola",
        "platform-meta",
        "platform-tiktok",
        "platform-google",
        "platform-telegram",
    } <= codes
    police = Institution.objects.get(code="rs-police-vtk")
    assert police.kind == "police" and police.level == "national" and police.active
    assert "Високотехнолошког".lower() in police.name_sr.lower()


def test_school_administrations_are_regional_units_of_the_ministry():
    administrations = Institution.objects.filter(code__startswith="rs-su-")
    assert administrations.count() == 18
    names = {i.name_en for i in administrations}
    for city in (
        "Belgrade",
        "Novi Sad",
        "Niš",
        "Kragujevac",
        "Kraljevo",
        "Čačak",
        "Valjevo",
        "Zaječar",
        "Jagodina",
        "Kruševac",
        "Leskovac",
        "Novi Pazar",
        "Požarevac",
        "Sombor",
        "Šabac",
        "Zrenjanin",
        "Užice",
    ):
        assert f"School Administration {city}" in names
    nis = administrations.get(code="rs-su-nis")
    assert nis.level == "region" and nis.parent.code == "rs-education-ministry"
    assert nis.municipality.code == "rs-nis"
    assert nis.areas_key == "|nisavski|pirotski|toplicki|"


def test_centres_for_social_work_examples_sit_in_their_city():
    centre = Institution.objects.get(code="rs-csr-novi-sad")
    assert centre.kind == "social_work" and centre.level == "municipality"
    assert centre.municipality.code == "rs-novi-sad"


def test_inspire_reference_data():
    assert list(InspireStrategy.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert InspireStrategy.objects.get(number=6).name_en == "Response and support services"
    # Counts as reported by the seed.
    assert InspireApproach.objects.get(code="education-life-skills").survey_count == 21
    assert InspireApproach.objects.get(code="laws-punishment-parents").survey_count == 18
    assert InspireApproach.objects.get(code="response-foster-care").survey_count == 5
    assert Service.objects.filter(code="psychological-support").exists()


def test_every_seed_organisation_is_imported_with_its_website():
    rows = json.loads(SEED_FILE.read_text(encoding="utf-8"))["organisations"]
    assert len(rows) == SEED_ORGANISATIONS
    assert sorted(r["seed_row"] for r in rows) == list(range(1, SEED_ORGANISATIONS + 1))
    assert Organisation.objects.count() == SEED_ORGANISATIONS
    for row in rows:
        organisation = Organisation.objects.get(slug=row["slug"])
        if row["website"]:
            assert organisation.website.startswith(("http://", "https://"))
            assert row["website"].split("://")[-1] in organisation.website
        assert {s.number for s in organisation.strategies.all()} >= set(row["strategies"])


@pytest.mark.parametrize(
    "slug,website,strategies,services,town",
    [
        # "Center for Youth Integration (CYI) www.cim.org.rs"; anti-trafficking programme under strategy 1.
        ("cyi", "http://www.cim.org.rs", {1}, {"shelter", "victim-protection", "education-inclusion"}, None),
        # GRIG: strategy 6, socio-therapeutic clubs, psychotherapy for families.
        ("grig", "http://www.cspa-grig.org/", {6}, {"youth-clubs", "psychotherapy"}, None),
        # SIPRU appears in the examples of strategies 1 to 6.
        (
            "sipru",
            "http://socijalnoukljucivanje.gov.rs/en/",
            {1, 2, 3, 4, 5, 6},
            {"professional-training", "research-monitoring"},
            None,
        ),
        # Open Club Niš: strategies 6 and 7.
        (
            "open-club-nis",
            "http://www.oknis.org.rs",
            {6, 7},
            {"counselling", "school-mediation", "employment-support"},
            "Niš",
        ),
        # EduLink: the seed lists no web site ("-") and names no strategy.
        ("edulink", "", set(), {"education-inclusion"}, None),
        # Gradsko udruženje za pomoć osobama sa autizmom Subotica: name and town only.
        ("autism-subotica", "", set(), set(), "Subotica"),
    ],
)
def test_seed_spot_checks(slug, website, strategies, services, town):
    organisation = Organisation.objects.get(slug=slug)
    assert organisation.website == website
    assert {s.number for s in organisation.strategies.all()} == strategies
    assert {s.code for s in organisation.services.all()} == services
    if town:
        assert town in organisation.towns
        assert organisation.municipalities.count() == 1


def test_seed_links_and_approaches():
    praxis = Organisation.objects.get(slug="praxis")
    assert [a.code for a in praxis.approaches.all()] == ["education-enrolment"]
    assert any(link["url"].endswith("Stop_Decijim_Brakovima.pdf") for link in praxis.links)
    sipru = Organisation.objects.get(slug="sipru")
    assert len(sipru.links) == 10  # eleven printed, one (the gender equality index) twice
    assert all(
        link["url"].startswith(("http://", "https://"))
        for o in Organisation.objects.all()
        for link in o.links
    )
    ministry = Organisation.objects.get(slug="ministry-of-education")
    assert (
        ministry.kind == "public"
        and ministry.links[0]["url"] == "http://www.mpn.gov.rs/grupa-za-prevenciju-nasilja/"
    )


def test_reloading_changes_nothing():
    report = load_country("rs")
    assert (report.created, report.updated, report.invalid) == (0, 0, 0)
    assert (
        report.unchanged
        == Institution.objects.count()
        + Organisation.objects.count()
        + InspireStrategy.objects.count()
        + InspireApproach.objects.count()
        + Service.objects.count()
    )


def test_reloading_keeps_what_an_administrator_entered():
    Institution.objects.filter(code="rs-police-vtk").update(email="vtk@example.org", phone="011 000 000")
    police = Institution.objects.get(code="rs-police-vtk")
    police.name_en = "Renamed by hand"
    police.save()
    call_command("load_directory", stdout=open("/dev/null", "w"))
    police.refresh_from_db()
    # The file names the name, so it wins; it does not name the e-mail or phone, so they stay.
    assert police.name_en == "Ministry of Interior — High-Tech Crime Department"
    assert (police.email, police.phone) == ("vtk@example.org", "011 000 000")


def test_a_country_without_data_is_a_clear_error():
    from smartsafe.directory.loaders import ImportFileError

    with pytest.raises(ImportFileError, match="No directory data"):
        load_country("xx")
