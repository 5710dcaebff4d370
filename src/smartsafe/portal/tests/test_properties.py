"""No input breaks the public pages or the API: random form data and random JSON to every step and
endpoint answer with a page or a 4xx, never a 500 (the test client re-raises server errors)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from smartsafe.portal import actions, tokens
from smartsafe.portal.forms import DetailsForm

from .conftest import DETAILS, answers

pytestmark = pytest.mark.django_db

FIELDS = sorted(
    set(DETAILS)
    | {
        "category",
        "go",
        "remove",
        "reporter",
        "reply",
        "name",
        "email",
        "phone",
        "consent",
        "website",
        "when_unsure",
        "reference",
        "secret",
        "text",
        "in_danger",
        "files",
    }
)
text = st.text(max_size=80) | st.sampled_from(
    [
        "",
        "\x00",
        "yes",
        "on",
        "2025-02-30",
        "25:61",
        "next",
        "back",
        "javascript:alert(1)",
        "<script>",
        "csam",
        "99999999999999999999",
        "https://x.example/" + "a" * 600,
        "@@@",
        "PB-2222-3333",
    ]
)
form_data = st.dictionaries(
    st.sampled_from(FIELDS) | st.text(max_size=10), text | st.lists(text, max_size=3), max_size=12
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
json_body = (
    st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), json_values, max_size=12) | json_values
)
RUN = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def no_limits(settings):
    settings.SMARTSAFE_PORTAL_REPORTS_PER_HOUR = 0
    settings.SMARTSAFE_PORTAL_CHECKS_PER_HOUR = 0


def _strip_nul_keys(data: dict) -> dict:
    # The test client itself cannot encode a NUL in a field name; browsers never send one.
    return {key.replace("\x00", ""): value for key, value in data.items()}


@RUN
@given(
    category=st.sampled_from(["predators", "csam", "internet_addiction", "other", "bogus"]),
    step=st.integers(min_value=1, max_value=4),
    data=form_data,
)
def test_random_form_data_on_every_step(category, step, data):
    client = Client()
    client.post("/public/report/1/", {"category": category, "go": "next"})
    client.post("/public/report/2/", {**DETAILS, "go": "next"})
    response = client.post(f"/public/report/{step}/", _strip_nul_keys(data))
    assert response.status_code in (200, 302, 429)
    assert client.get(f"/public/report/{step}/").status_code in (200, 302)


@RUN
@given(data=form_data)
def test_random_data_on_check_and_add(data):
    receipt = actions.submit_report(answers=answers())
    client = Client()
    assert client.post("/public/check/", _strip_nul_keys(data)).status_code in (200, 302)
    client.post("/public/check/", {"reference": receipt.reference, "secret": receipt.secret})
    response = client.post(f"/public/check/{receipt.reference}/add/", _strip_nul_keys(data))
    assert response.status_code in (200, 302)


@RUN
@given(reference=st.text(max_size=50))
def test_random_references_in_urls(reference):
    client = Client()
    safe = quote(reference, safe="") or "x"
    for url in (f"/public/check/{safe}/", f"/public/check/{safe}/status/", f"/public/check/{safe}/add/"):
        assert client.get(url).status_code < 500
    assert tokens.normalize_reference(reference) in ("",) or tokens.normalize_reference(reference).startswith(
        "PB-"
    )


@RUN
@given(body=json_body)
def test_random_json_on_every_endpoint(body):
    api = APIClient()
    receipt = actions.submit_report(answers=answers())
    raw = json.dumps(body)
    secret = {"HTTP_X_FOLLOW_UP_SECRET": receipt.secret}
    for url, extra in (("/api/v1/reports/", {}), (f"/api/v1/reports/{receipt.reference}/additions/", secret)):
        response = api.post(url, raw, content_type="application/json", **extra)
        assert response.status_code in (201, 400), (url, response.content[:300])
    status = api.get(f"/api/v1/reports/{receipt.reference}/status/", **secret)
    assert status.status_code == 200


@RUN
@given(data=form_data)
def test_random_multipart_on_the_api(data):
    api = APIClient()
    response = api.post("/api/v1/reports/", _strip_nul_keys(data), format="multipart")
    assert response.status_code in (201, 400)


@RUN
@given(data=form_data, category=st.sampled_from(["predators", "profile_abuse", "other"]))
def test_details_form_never_raises(data, category):
    form = DetailsForm(data=data, category=category)
    form.is_valid()
