"""The directory pages: who may open them, what they show, and that nothing in the data can
inject markup or a script link."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from smartsafe.directory import actions
from smartsafe.directory.models import Institution, Organisation
from smartsafe.testing import make_user

pytestmark = pytest.mark.django_db

INDEX = reverse("directory:index")


def pages():
    return (
        INDEX,
        reverse("directory:institution", args=["rs-police-vtk"]),
        reverse("directory:organisation", args=["grig"]),
    )


@pytest.mark.parametrize(
    "role,expected",
    [
        ("counsellor", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("liaison", 403),
        ("analyst", 403),
        ("prevention", 403),
        ("auditor", 403),
    ],
)
def test_access_per_role(client, role, expected):
    client.force_login(make_user(role))
    assert [client.get(url).status_code for url in pages()] == [expected] * 3


def test_liaison_with_an_institution_is_refused_too(client, police_liaison):
    client.force_login(police_liaison)
    assert client.get(INDEX).status_code == 403


def test_anonymous_is_sent_to_login(client):
    for url in pages():
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_unknown_entries_are_404(client, counsellor):
    client.force_login(counsellor)
    assert client.get(reverse("directory:institution", args=["nope"])).status_code == 404
    assert client.get(reverse("directory:organisation", args=["nope"])).status_code == 404


def test_search_page_filters(client, counsellor):
    client.force_login(counsellor)
    page = client.get(INDEX, {"strategy": "6"}).content.decode()
    assert "Center for Social Preventive Activities GRIG" in page and "Praxis" not in page
    assert "High-Tech Crime" not in page  # institutions are not mapped to INSPIRE strategies
    page = client.get(INDEX, {"q": "visokotehnoloskog"}).content.decode()
    assert "Ministry of Interior — High-Tech Crime Department" in page
    page = client.get(INDEX, {"place": "Nis", "kind": "education"}).content.decode()
    assert "School Administration Niš" in page and "Open Club" not in page
    page = client.get(INDEX, {"service": "psychological-support"}).content.decode()
    assert "Psychosocial Innovation Network" in page


def test_stale_or_hostile_parameters_never_break_the_page(client, counsellor):
    client.force_login(counsellor)
    for params in (
        {"strategy": "99"},
        {"approach": "<script>"},
        {"service": "x" * 5000},
        {"ipage": "-1", "opage": "zz"},
        {"q": "\x00"},
        {"place": "%%%"},
        {"kind": "spaceship"},
        {"strategy": "1" * 40},
    ):
        assert client.get(INDEX, params).status_code == 200, params


def test_htmx_gets_only_the_results(client, counsellor):
    client.force_login(counsellor)
    response = client.get(INDEX, {"q": "praxis"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "Praxis" in body


def test_detail_pages_show_contacts_and_links_safely(client, counsellor):
    client.force_login(counsellor)
    page = client.get(reverse("directory:organisation", args=["praxis"])).content.decode()
    assert (
        '<a href="https://www.praxis.org.rs/images/praxis_downloads/Stop_Decijim_Brakovima.pdf" '
        'rel="noopener noreferrer" target="_blank">Stop child marriages</a>'
    ) in page
    assert "Increase enrolment in pre-school, primary and secondary schools" in page
    page = client.get(reverse("directory:institution", args=["rs-su-nis"])).content.decode()
    assert "Ministry of Education" in page and "not yet — check before referring" in page


def test_names_and_links_cannot_inject_markup(client, counsellor):
    Institution.objects.filter(code="rs-police-vtk").update(
        name_en="<script>alert(1)</script>",
        website="javascript:alert(2)",
        counsellor_notes="<img src=x onerror=alert(3)>",
    )
    Organisation.objects.filter(slug="grig").update(
        name="<b>GRIG</b>",
        website="javascript:alert(4)",
        links=[
            {"url": "javascript:alert(5)", "label": "<i>x</i>"},
            {"url": "data:text/html,hi", "label": "d"},
            {"url": 'https://ok.example/?a=1&b="2"', "label": "ok"},
            "just a string",
        ],
    )
    client.force_login(counsellor)
    for url in (
        reverse("directory:institution", args=["rs-police-vtk"]),
        reverse("directory:organisation", args=["grig"]),
        INDEX + "?q=grig",
        INDEX + "?q=policija",
    ):
        page = client.get(url).content.decode()
        assert (
            "<script>alert" not in page
            and "<img src=x" not in page
            and "<b>GRIG</b>" not in page
            and "<i>x</i>" not in page
        )
        assert 'href="javascript:' not in page and 'href="data:text' not in page
    page = client.get(reverse("directory:organisation", args=["grig"])).content.decode()
    assert "&lt;i&gt;x&lt;/i&gt;" in page
    assert 'href="https://ok.example/?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer"' in page


def test_make_referrable_links_an_ngo_institution(administrator, counsellor):
    organisation = Organisation.objects.get(slug="open-club-nis")
    with pytest.raises(PermissionDenied):
        actions.make_referrable(actor=counsellor, organisation=organisation)
    institution = actions.make_referrable(actor=administrator, organisation=organisation)
    assert institution.kind == "ngo" and institution.code == "ngo-open-club-nis"
    assert institution.municipality.code == "rs-nis" and institution.level == "municipality"
    assert actions.make_referrable(actor=administrator, organisation=organisation) == institution
    from smartsafe.directory.queries import institutions_for, search_organisations

    assert "ngo-open-club-nis" in [i.code for i in institutions_for("ngo", "rs-nis")]
    assert [o.slug for o in search_organisations(referrable_only=True)] == ["open-club-nis"]


def test_admin_pages_open(client, db):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser(
        "root", "root@example.org", "pw-12345-long", role="admin"
    )
    client.force_login(admin)
    for name in (
        "institution",
        "organisation",
        "inspirestrategy",
        "inspireapproach",
        "service",
        "institutionmember",
    ):
        assert client.get(reverse(f"admin:directory_{name}_changelist")).status_code == 200, name
    org = Organisation.objects.get(slug="cpd")
    assert client.get(reverse("admin:directory_organisation_change", args=[org.pk])).status_code == 200
    inst = Institution.objects.get(code="rs-su-nis")
    assert client.get(reverse("admin:directory_institution_change", args=[inst.pk])).status_code == 200
