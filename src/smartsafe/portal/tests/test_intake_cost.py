"""What one public report costs the database: a small, fixed number of statements, flat as the day fills.

Each figure counts everything the request runs, the audit seal after its commit included. Nothing
here times anything (that is bench/intake_load.py's job): statement counts are what make the cost
per report independent of how busy the day already is.
"""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from smartsafe.core.samples import EXAMPLE_REPORT
from smartsafe.intake.models import Contact
from smartsafe.taxonomy.models import Channel

pytestmark = pytest.mark.django_db

BODY = EXAMPLE_REPORT
MAX_STATEMENTS = 25


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    settings.SMARTSAFE_PORTAL_REPORTS_PER_HOUR = 0


def post(client):
    return client.post("/api/v1/reports/", data=json.dumps(BODY), content_type="application/json")


def statements_of_one_report(client, django_assert_max_num_queries, django_capture_on_commit_callbacks):
    with (
        django_assert_max_num_queries(MAX_STATEMENTS) as counted,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = post(client)
    assert response.status_code == 201, response.content
    return len(counted.captured_queries)


def test_a_json_report_costs_at_most_25_statements(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    assert post(client).status_code == 201  # the first report of a process also reads the taxonomy
    statements_of_one_report(client, django_assert_max_num_queries, django_capture_on_commit_callbacks)


def test_the_cost_does_not_grow_with_the_day(
    client, counsellor, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    assert post(client).status_code == 201
    on_a_quiet_day = statements_of_one_report(
        client, django_assert_max_num_queries, django_capture_on_commit_callbacks
    )
    phone = Channel.objects.get(code="phone")
    now = timezone.now()
    Contact.objects.bulk_create(
        [Contact(channel=phone, received_at=now, created_by=counsellor) for _ in range(3000)]
    )
    on_a_busy_day = statements_of_one_report(
        client, django_assert_max_num_queries, django_capture_on_commit_callbacks
    )
    assert on_a_busy_day == on_a_quiet_day


def test_no_taxonomy_lookup_once_the_reference_data_is_cached(
    client, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    assert post(client).status_code == 201
    with (
        django_assert_max_num_queries(MAX_STATEMENTS) as counted,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert post(client).status_code == 201
    taxonomy_reads = [q["sql"] for q in counted.captured_queries if 'FROM "taxonomy_' in q["sql"]]
    # Only the many-to-many add of the contact's topic joins the category table.
    assert len(taxonomy_reads) <= 1, taxonomy_reads
