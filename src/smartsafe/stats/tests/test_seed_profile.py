"""``load_demo --profile seed`` reproduces the seed slide, checked through the API and the dashboard.

The full profile (37,131 contacts) is loaded — never a reduced variant — inside one test, so the
data lives in that test's transaction only.
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from smartsafe.accounts.models import ApiToken
from smartsafe.demo import seed_profile
from smartsafe.taxonomy.models import Channel


def _token_client(user) -> APIClient:
    key = ApiToken.generate_key()
    ApiToken.objects.create(user=user, name="test", prefix=key[:8], key_hash=ApiToken.hash_key(key))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_the_seed_profile_shows_the_slide_through_the_api_and_the_dashboard(analyst, client):
    with override_settings(DEMO=True):
        call_command("load_demo", "--profile", "seed", stdout=open("/dev/null", "w"))

    body = _token_client(analyst).get("/api/v1/stats/summary/").json()
    contacts = body["contacts"]
    assert contacts["total"] == 37_131
    by_channel = contacts["by_channel"]
    assert (by_channel["web_form"], by_channel["email"], by_channel["phone"]) == (26_552, 92, 10_334)
    social = set(Channel.objects.filter(kind="social").values_list("code", flat=True))
    assert sum(n for code, n in by_channel.items() if code in social) == 153
    assert len([code for code in by_channel if code in social]) > 1  # spread over the messengers
    assert body["cases"] == {"total": 7_050, "advisory": 6_500, "referred": 550}
    referred = body["referred_by_category"]
    assert sum(referred.values()) == 550
    shares = {code: round(100 * n / 550) for code, n in referred.items()}
    assert shares == seed_profile.SLIDE_PIE
    assert body["prevention"] == {
        "events": 601,
        "pupils": 25_770,
        "parents": 7_048,
        "primary_schools": 198,
        "secondary_schools": 31,
    }

    client.force_login(analyst)
    page = client.get(reverse("stats:dashboard")).content.decode()
    text = re.sub(r"\s+", " ", page)
    for figure in (
        "37,131",
        "26,552",
        "10,334",
        "7,050",
        "6,500",
        "550",
        "601",
        "25,770",
        "7,048",
        "198",
        "31",
    ):
        assert figure in text, figure
    for pct in ("21%", "24%", "19%", "16%", "11%"):
        assert pct in text, pct

    # Loading again adds nothing.
    with override_settings(DEMO=True):
        call_command("load_demo", "--profile", "seed", stdout=open("/dev/null", "w"))
    assert _token_client(analyst).get("/api/v1/stats/summary/").json()["contacts"]["total"] == 37_131
