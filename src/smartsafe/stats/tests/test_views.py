"""Dashboard, exports, reports, returns and the API summary: access per role, shapes, bad input."""

from __future__ import annotations

import datetime as dt
import io
import re
from xml.etree import ElementTree

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from smartsafe import testing
from smartsafe.accounts.models import ApiToken
from smartsafe.taxonomy.models import Category, Channel

ZONE = timezone.get_default_timezone()


def at(y, m, d, h=12):
    return timezone.make_aware(dt.datetime(y, m, d, h), ZONE)


@pytest.fixture
def data(counsellor):
    phone, email = Channel.objects.get(code="phone"), Channel.objects.get(code="email")
    bullying, predators = Category.objects.get(code="cyberbullying"), Category.objects.get(code="predators")
    c1 = testing.make_contact(counsellor, channel=phone, received_at=at(2024, 1, 5))
    c2 = testing.make_contact(counsellor, channel=phone, received_at=at(2024, 2, 5))
    testing.make_contact(counsellor, channel=email, received_at=at(2024, 2, 6))
    for contact, case in (
        (c1, testing.make_case(counsellor, contacts=[c1], categories=[bullying], kind="referred")),
        (c2, testing.make_case(counsellor, contacts=[c2], categories=[bullying, predators])),
    ):
        case.opened_at = contact.received_at  # history: opened the day the contact came in
        case.save()
    return {"phone": phone, "bullying": bullying}


def _api(user) -> APIClient:
    key = ApiToken.generate_key()
    ApiToken.objects.create(user=user, name="t", prefix=key[:8], key_hash=ApiToken.hash_key(key))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


URL = "/api/v1/stats/summary/"


@pytest.mark.django_db
def test_api_summary_has_exactly_the_documented_shape(data, analyst):
    body = _api(analyst).get(URL).json()
    assert set(body) == {"contacts", "cases", "referred_by_category", "prevention"}
    assert body["contacts"] == {"total": 3, "by_channel": {"phone": 2, "email": 1}}
    assert body["cases"] == {"total": 2, "advisory": 1, "referred": 1}
    assert body["referred_by_category"] == {"cyberbullying": 1}
    assert set(body["prevention"]) == {"events", "pupils", "parents", "primary_schools", "secondary_schools"}


@pytest.mark.django_db
def test_api_summary_by_period(data, supervisor):
    body = _api(supervisor).get(URL, {"from": "2024-02-01", "to": "2024-02-29"}).json()
    assert body["contacts"]["total"] == 2
    assert body["cases"] == {"total": 1, "advisory": 1, "referred": 0}
    assert _api(supervisor).get(URL, {"to": "2024-01-31"}).json()["contacts"]["total"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2024-13-01"}, "from"),
        ({"to": "yesterday"}, "to"),
        ({"from": "2024-03-01", "to": "2024-02-01"}, "from"),
    ],
)
def test_api_summary_bad_dates_are_400_with_field_errors(analyst, params, field):
    response = _api(analyst).get(URL, params)
    assert response.status_code == 400
    assert field in str(response.json())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["counsellor", "prevention", "auditor", "admin"])
def test_api_summary_is_for_analysts_and_supervisors_only(role):
    assert _api(testing.make_user(role)).get(URL).status_code == 403
    assert APIClient().get(URL).status_code in (401, 403)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, status",
    [
        ("analyst", 200),
        ("supervisor", 200),
        ("admin", 200),
        ("counsellor", 200),
        ("prevention", 403),
        ("auditor", 403),
    ],
)
def test_dashboard_access_by_role(client, role, status):
    client.force_login(testing.make_user(role))
    assert client.get(reverse("stats:dashboard")).status_code == status


@pytest.mark.django_db
def test_dashboard_refuses_liaisons_and_anonymous(client, police_liaison):
    assert client.get(reverse("stats:dashboard")).status_code == 302  # to the login page
    client.force_login(police_liaison)
    assert client.get(reverse("stats:dashboard")).status_code == 403


@pytest.mark.django_db
def test_dashboard_charts_are_svg_without_scripts_or_styles_and_tables_beside_them(client, analyst, data):
    client.force_login(analyst)
    page = client.get(reverse("stats:dashboard")).content.decode()
    assert page.count("<svg") >= 8 and "<title id=" in page and "<desc id=" in page
    assert "style=" not in page.split("<main", 1)[-1]
    assert "<script" not in page.split("<main", 1)[-1]
    assert 'id="workload"' in page
    for svg in re.findall(r"<svg.*?</svg>", page, re.S):
        root = ElementTree.fromstring(svg)  # well-formed
        assert root.get("role") == "img" and root.find("{http://www.w3.org/2000/svg}desc").text


@pytest.mark.django_db
def test_counsellors_see_no_colleague_workload(client, counsellor, data):
    client.force_login(counsellor)
    page = client.get(reverse("stats:dashboard")).content.decode()
    assert 'id="workload"' not in page
    assert client.get(reverse("stats:export", args=["workload", "csv"])).status_code == 404


@pytest.mark.django_db
def test_dashboard_filters(client, analyst, data):
    client.force_login(analyst)
    page = client.get(reverse("stats:dashboard"), {"channel": "email"}).content.decode()
    assert "E-mail" in page
    response = client.get(reverse("stats:export", args=["contacts_by_channel", "csv"]), {"channel": "email"})
    assert response.content.decode("utf-8-sig").splitlines()[1:] == ["E-mail,email,1"]
    by_category = client.get(reverse("stats:export", args=["cases", "csv"]), {"category": "predators"})
    assert by_category.content.decode("utf-8-sig").splitlines()[1:3] == ["Advisory,1,100%", "Referred,0,0%"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2024-99-01"},
        {"channel": "nope"},
        {"date_from": "2024-03-01", "date_to": "2024-01-01"},
        {"municipality": "\x00"},
    ],
)
def test_dashboard_bad_filters_are_reported_not_500(client, analyst, params):
    client.force_login(analyst)
    response = client.get(reverse("stats:dashboard"), params)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()


@pytest.mark.django_db
def test_every_table_exports_as_csv_and_xlsx(client, analyst, data):
    from openpyxl import load_workbook

    from smartsafe.stats.tables import BUILDERS

    client.force_login(analyst)
    for name in BUILDERS:
        csv = client.get(reverse("stats:export", args=[name, "csv"]))
        assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
        xlsx = client.get(reverse("stats:export", args=[name, "xlsx"]))
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        assert sheet.max_row >= 1
    sheet = load_workbook(
        io.BytesIO(client.get(reverse("stats:export", args=["cases", "xlsx"])).content)
    ).active
    assert [c.value for c in sheet[2]] == ["Advisory", 1, "50%"]


@pytest.mark.django_db
def test_annual_report_is_a_pdf_with_the_figures(client, analyst, data):
    from pypdf import PdfReader

    client.force_login(analyst)
    response = client.get(reverse("stats:annual_report", args=["2024"]))
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Annual report 2024" in text and "Referred cases by category" in text
    client.force_login(testing.make_user("counsellor"))
    assert client.get(reverse("stats:annual_report", args=["2024"])).status_code == 403


@pytest.mark.django_db
def test_chi_and_insafe_returns_count_by_the_mappings(client, analyst, data):
    bullying = data["bullying"]
    client.force_login(analyst)
    chi = (
        client.get(reverse("stats:chi_return", args=["2024", "csv"])).content.decode("utf-8-sig").splitlines()
    )
    assert chi[0] == "section,code,label,value"
    assert "contacts,total,Total contacts,3" in chi
    assert any(
        line.startswith(f"reason_for_contact_cases,{bullying.chi_code or 'unmapped'},")
        and line.endswith(",2")
        for line in chi
    )
    q1 = (
        client.get(reverse("stats:insafe_return", args=["2024", "1", "csv"]))
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert "contacts,total,Total contacts,3" in q1
    assert any(line.startswith(f"topic_cases,{bullying.insafe_code or 'unmapped'},") for line in q1)
    q2 = (
        client.get(reverse("stats:insafe_return", args=["2024", "2", "csv"]))
        .content.decode("utf-8-sig")
        .splitlines()
    )
    assert "contacts,total,Total contacts,0" in q2
