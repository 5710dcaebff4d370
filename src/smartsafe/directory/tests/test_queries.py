"""Routing and search: who can take a case from a place, and finding organisations."""

import pytest

from smartsafe.directory.models import Institution
from smartsafe.directory.queries import institutions_for, search_institutions, search_organisations
from smartsafe.taxonomy.models import Municipality

pytestmark = pytest.mark.django_db


def codes(queryset):
    return [obj.code if hasattr(obj, "code") else obj.slug for obj in queryset]


def test_institutions_for_a_municipality_nearest_first():
    found = list(institutions_for("education", "rs-vrnjacka-banja"))
    assert [(i.code, i.nearness) for i in found] == [("rs-su-kraljevo", 1), ("rs-education-ministry", 2)]


def test_institutions_for_reaches_a_district_and_its_city_municipalities():
    assert codes(institutions_for("education", "rs-beograd-vozdovac")) == [
        "rs-su-beograd",
        "rs-education-ministry",
    ]
    assert codes(institutions_for("education", "rs-bela-palanka"))[0] == "rs-su-nis"  # Pirot district
    social = institutions_for("social_work", Municipality.objects.get(code="rs-novi-sad"))
    assert [(i.code, i.nearness) for i in social][:2] == [("rs-csr-novi-sad", 0), ("rs-social-ministry", 2)]


def test_institutions_for_leaves_out_other_places_and_inactive_ones():
    found = codes(institutions_for(None, "rs-sombor"))
    assert "rs-su-sombor" in found and "rs-su-nis" not in found and "rs-csr-novi-sad" not in found
    assert "platform-meta" in found  # platforms belong to no country
    Institution.objects.filter(code="rs-su-sombor").update(active=False)
    assert "rs-su-sombor" not in codes(institutions_for(None, "rs-sombor"))


def test_an_unknown_municipality_gives_only_national_institutions():
    found = list(institutions_for("education", "rs-atlantis"))
    assert codes(found) == ["rs-education-ministry"]


def test_search_organisations_by_strategy_approach_service_place_and_text():
    assert set(codes(search_organisations(strategy=6))) == {"grig", "open-club-nis", "sipru"}
    assert codes(search_organisations(strategy="response-support")) == codes(search_organisations(strategy=6))
    assert codes(search_organisations(approach="response-counselling")) == ["grig", "open-club-nis"]
    assert codes(search_organisations(service="psychological-support")) == ["pin"]
    for place in ("Niš", "nis", "НИШ"):
        assert codes(search_organisations(place=place)) == ["open-club-nis"]
    # A Latin query finds a Cyrillic municipality name and vice versa.
    assert codes(search_organisations(text="сомбор")) == ["sec"]
    assert codes(search_organisations(text="corporal punishment", strategy=3)) == ["cpd"]
    assert codes(search_organisations(strategy=99999999999999999999)) == []


def test_search_institutions_latin_query_finds_cyrillic_name():
    assert "rs-prosecutor-vtk" in codes(search_institutions(text="tuzilastvo visokotehnoloskog"))
    assert "rs-police-vtk" in codes(search_institutions(text="МИНИСТАРСТВО унутрашњих"))
    assert codes(search_institutions(text="skolska uprava", place="Ниш")) == ["rs-su-nis"]
    assert codes(search_institutions(place="Pirotski okrug")) == ["rs-su-nis"]


def test_search_text_is_kept_current_on_save():
    institution = Institution.objects.get(code="rs-csr-subotica")
    institution.name_sr = "Центар за социјални рад Ђурђево"
    institution.save()
    assert codes(search_institutions(text="djurdjevo")) == ["rs-csr-subotica"]
