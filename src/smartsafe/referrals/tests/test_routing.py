"""Routing suggestions from the shipped rules and the shipped directory (migration data)."""

import pytest

from smartsafe import testing
from smartsafe.directory.models import Institution
from smartsafe.referrals import actions
from smartsafe.referrals.models import RoutingRule
from smartsafe.referrals.routing import suggest_institutions
from smartsafe.taxonomy.models import Category, Municipality, Platform

pytestmark = pytest.mark.django_db


def case_with(counsellor, *codes, municipality=None, urgent=False, platforms=()):
    fields = {"urgent": urgent, "urgent_reason": "Састанак договорен за вечерас" if urgent else ""}
    if municipality:
        fields["municipality"] = Municipality.objects.get(code=municipality)
    return testing.make_case(
        counsellor,
        categories=list(Category.objects.filter(code__in=codes)),
        platforms=list(Platform.objects.filter(code__in=platforms)),
        **fields,
    )


def codes(suggestions):
    return [(s.institution.code, s.preselected) for s in suggestions]


def test_default_rules_are_shipped_and_use_the_directory_codes():
    rules = RoutingRule.objects.select_related("category", "institution")
    named = {r.institution.code for r in rules if r.institution}
    assert {
        "rs-police-vtk",
        "rs-prosecutor-vtk",
        "rs-hotline-netpatrola",
        "rs-health-child-psychiatry",
    } <= named
    categories = {r.category.code for r in rules if r.category}
    assert {
        "csam",
        "predators",
        "threats_blackmail",
        "cyberbullying",
        "internet_addiction",
        "dangerous_challenges",
        "profile_abuse",
    } <= categories


def test_csam_goes_to_prosecutor_police_and_hotline(counsellor):
    suggestions = suggest_institutions(case_with(counsellor, "csam"))
    assert codes(suggestions) == [
        ("rs-prosecutor-vtk", True),
        ("rs-police-vtk", True),
        ("rs-hotline-netpatrola", True),
    ]
    institution, kind, reason, preselected = suggestions[0]
    assert institution.kind == "prosecutor" and kind == "report" and preselected
    assert reason


@pytest.mark.parametrize("category", ["predators", "threats_blackmail"])
def test_predators_and_threats_go_to_police_and_prosecutor(counsellor, category):
    preselected = [
        code for code, ticked in codes(suggest_institutions(case_with(counsellor, category))) if ticked
    ]
    assert preselected == ["rs-police-vtk", "rs-prosecutor-vtk"]


def test_cyberbullying_goes_to_the_school_administration_of_the_municipality(counsellor):
    suggestions = suggest_institutions(
        case_with(counsellor, "cyberbullying", municipality="rs-beograd-vracar")
    )
    assert codes(suggestions) == [("rs-su-beograd", True), ("rs-csr-beograd", False)]
    suggestions = suggest_institutions(case_with(counsellor, "cyberbullying", municipality="rs-nis"))
    assert codes(suggestions) == [("rs-su-nis", True), ("rs-csr-nis", False)]
    assert suggestions[1].kind == "support"


def test_severe_cyberbullying_ticks_social_work_and_the_police(counsellor):
    suggestions = suggest_institutions(
        case_with(counsellor, "cyberbullying", municipality="rs-novi-sad", urgent=True)
    )
    assert codes(suggestions) == [
        ("rs-police-vtk", True),
        ("rs-su-novi-sad", True),
        ("rs-csr-novi-sad", True),
    ]


def test_without_a_municipality_the_national_body_is_suggested(counsellor):
    suggestions = suggest_institutions(case_with(counsellor, "cyberbullying"))
    assert codes(suggestions) == [("rs-education-ministry", True), ("rs-social-ministry", False)]


def test_internet_addiction_goes_to_the_health_service(counsellor):
    suggestions = suggest_institutions(case_with(counsellor, "internet_addiction", municipality="rs-sabac"))
    assert codes(suggestions) == [("rs-health-child-psychiatry", True)]
    assert suggestions[0].kind == "support"


def test_dangerous_challenges_go_to_education_and_health(counsellor):
    suggestions = suggest_institutions(
        case_with(counsellor, "dangerous_challenges", municipality="rs-kragujevac")
    )
    assert codes(suggestions) == [("rs-su-kragujevac", True), ("rs-health-child-psychiatry", False)]


def test_profile_abuse_goes_to_the_platforms_and_police_when_severe(counsellor):
    case = case_with(counsellor, "profile_abuse", platforms=["instagram", "tiktok", "whatsapp"])
    assert codes(suggest_institutions(case)) == [
        ("platform-meta", True),
        ("platform-tiktok", True),
        ("rs-police-vtk", False),
    ]


def test_several_categories_merge_without_duplicates(counsellor):
    case = case_with(counsellor, "profile_abuse", "threats_blackmail", platforms=["instagram"])
    suggestions = suggest_institutions(case)
    assert codes(suggestions) == [
        ("rs-police-vtk", True),  # ticked by the threats rule although profile abuse alone would not
        ("platform-meta", True),
        ("rs-prosecutor-vtk", True),
    ]
    assert ";" in suggestions[0].reason


def test_institutions_already_referred_are_left_out(counsellor):
    case = case_with(counsellor, "csam")
    actions.create_referral(
        actor=counsellor, case=case, institution=Institution.objects.get(code="rs-police-vtk")
    )
    assert [code for code, _ in codes(suggest_institutions(case))] == [
        "rs-prosecutor-vtk",
        "rs-hotline-netpatrola",
    ]


def test_rules_are_data(counsellor):
    """An admin deactivates a rule, adds another: the suggestions follow at once."""
    RoutingRule.objects.filter(category__code="csam", institution__code="rs-hotline-netpatrola").update(
        active=False
    )
    RoutingRule.objects.create(
        category=Category.objects.get(code="csam"),
        institution_kind="social_work",
        kind="support",
        priority=99,
    )
    suggestions = suggest_institutions(case_with(counsellor, "csam", municipality="rs-subotica"))
    assert codes(suggestions) == [
        ("rs-prosecutor-vtk", True),
        ("rs-police-vtk", True),
        ("rs-csr-subotica", True),
    ]


def test_inactive_institutions_are_not_suggested(counsellor):
    Institution.objects.filter(code="rs-hotline-netpatrola").update(active=False)
    assert "rs-hotline-netpatrola" not in [
        c for c, _ in codes(suggest_institutions(case_with(counsellor, "csam")))
    ]


def test_advisory_case_gets_no_suggestions(counsellor):
    assert suggest_institutions(case_with(counsellor, "privacy_settings")) == []
