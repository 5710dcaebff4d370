"""Taxonomy lists in the request's language; token authentication end to end."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from smartsafe.audit.models import AuditEvent
from smartsafe.taxonomy.models import Category, Municipality
from smartsafe.testing import make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def vracar(db):
    obj, _ = Municipality.objects.update_or_create(
        code="beograd-vracar", defaults={"name_sr": "Врачар", "name_en": "Vracar", "district": "Београд"}
    )
    return obj


@pytest.mark.parametrize(
    "language,name",
    [("en", "Vracar"), ("sr", "Врачар"), ("sr-Latn", "Vračar"), ("sr-latn,en;q=0.5", "Vračar")],
)
def test_names_follow_accept_language(client_for, analyst, vracar, language, name):
    response = client_for(analyst).get("/api/v1/municipalities/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    row = next(r for r in response.json() if r["code"] == "beograd-vracar")
    assert row["name"] == name


def test_categories_carry_mappings_and_active_filter(client_for, prevention):
    Category.objects.update_or_create(
        code="cyberbullying",
        defaults={
            "name_sr": "Вршњачко насиље",
            "name_en": "Peer violence",
            "kind": "referral",
            "active": True,
        },
    )
    Category.objects.update_or_create(
        code="retired-topic",
        defaults={"name_sr": "Стара", "name_en": "Old", "kind": "advisory", "active": False},
    )
    client = client_for(prevention)
    rows = {r["code"]: r for r in client.get("/api/v1/categories/").json()}
    assert {"kind", "chi_code", "insafe_code", "name", "active"} <= set(rows["cyberbullying"])
    assert rows["cyberbullying"]["kind"] == "referral" and rows["retired-topic"]["active"] is False
    active = {r["code"] for r in client.get("/api/v1/categories/", {"active": "true"}).json()}
    assert "cyberbullying" in active and "retired-topic" not in active
    assert client.get("/api/v1/categories/cyberbullying/").json()["name"] == "Peer violence"


def test_token_end_to_end(token_for, counsellor, terms):
    key = token_for(counsellor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    created = client.post("/api/v1/contacts/", {"channel": "phone", "summary": "By script"}, format="json")
    assert created.status_code == 201
    assert created.json()["created_by"] == counsellor.username
    event = AuditEvent.objects.get(action="contact.create", object_id=str(created.json()["id"]))
    assert event.actor == counsellor and event.via == "api"
    listed = client.get("/api/v1/contacts/")
    assert listed.status_code == 200 and listed.json()["count"] == 1

    # No session is involved: a token client is not subject to CSRF and needs no cookie.
    assert not client.cookies.get("sessionid")


@pytest.mark.parametrize("header", ["Token nope", "Token", "Token a b", "Token " + "x" * 500])
def test_bad_tokens_are_401(counsellor, terms, header):
    make_contact(counsellor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_revoked_token_and_inactive_owner(token_for, counsellor, terms):
    from django.utils import timezone

    from smartsafe.accounts.models import ApiToken

    key = token_for(counsellor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/cases/").status_code == 200
    ApiToken.objects.filter(user=counsellor).update(revoked_at=timezone.now())
    assert client.get("/api/v1/cases/").status_code == 401


def test_session_writes_need_csrf(counsellor, terms):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(counsellor)
    assert client.get("/api/v1/contacts/").status_code == 200
    refused = client.post("/api/v1/contacts/", {"channel": "phone"}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
