"""A class reporting together from its school's one address is not refused; a flood is."""

from __future__ import annotations

import re

import pytest
from django.test import Client, RequestFactory

from smartsafe.portal import ratelimit
from smartsafe.portal.tests.conftest import Walker

pytestmark = pytest.mark.django_db
SCHOOL = "203.0.113.50"


def _request(address: str):
    return RequestFactory().post("/public/report/4/", REMOTE_ADDR=address)


def test_a_class_of_thirty_reports_from_one_address(settings):
    assert settings.SMARTSAFE_PORTAL_REPORTS_PER_HOUR >= 35  # 30 pupils, some of whom send two
    for _pupil in range(settings.SMARTSAFE_PORTAL_REPORTS_PER_HOUR):
        assert ratelimit.hit(_request(SCHOOL), "report") is None
    wait = ratelimit.hit(_request(SCHOOL), "report")
    assert wait is not None and 0 < wait <= 3600
    assert "a school or a shared Wi-Fi counts as one" in ratelimit.wait_message(wait)
    assert ratelimit.hit(_request("198.51.100.9"), "report") is None  # another network goes on


def test_the_circuit_breaker_stops_a_flood_from_many_addresses(settings):
    settings.SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES = 5
    for i in range(5):
        assert ratelimit.hit(_request(f"198.51.100.{i}"), "report") is None
    wait = ratelimit.hit(_request("198.51.100.200"), "report")
    assert wait is not None and 0 < wait <= 600
    assert "Very many reports are arriving at the same moment" in ratelimit.wait_message(wait)
    assert ratelimit.hit(_request("198.51.100.201"), "check") is None  # checks are not paused


def test_the_form_says_why_and_where_to_call(settings):
    settings.SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES = 1
    assert Walker(Client(REMOTE_ADDR="198.51.100.1")).file("cyberbullying").status_code == 302
    response = Walker(Client(REMOTE_ADDR="198.51.100.2")).file("cyberbullying")
    assert response.status_code == 429 and int(response["Retry-After"]) <= 600
    page = response.content.decode()
    assert "the form is paused for" in page
    assert re.search(r'href="tel:19833"', page) and re.search(r'href="tel:192"', page)


def test_counts_are_exact_on_the_database_cache(settings):
    """The database cache reads and writes: each count is taken under a lock (see the concurrent
    test for several processes)."""
    from django.core.cache import caches
    from django.core.management import call_command

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ratelimit_test_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    assert type(caches["default"]).__name__ == "DatabaseCache"
    assert [ratelimit.count("k", 60) for _ in range(3)] == [1, 2, 3]
