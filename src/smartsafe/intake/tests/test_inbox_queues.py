"""The inbox's queues (intake/queues.py): new, waiting for me, unread today, urgent — each with
its order, its waiting time and its index."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from smartsafe import testing
from smartsafe.inbox import unread
from smartsafe.inbox.actions import opened
from smartsafe.intake import actions, queues
from smartsafe.intake.models import Contact

pytestmark = pytest.mark.django_db

INBOX = "/contacts/"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")


def refs(response) -> list[str]:
    return re.findall(r'class="ref">(K-\d+)<', response.content.decode())


@pytest.fixture
def inbox(counsellor, other_counsellor):
    """Months-old unread urgent contacts, today's reports, some of them the counsellor's."""
    now = timezone.now()
    made = {
        "stale_urgent": testing.make_contact(
            other_counsellor, urgent=True, received_at=now - dt.timedelta(days=90)
        ),
        "today_mine": testing.make_contact(counsellor, received_at=now - dt.timedelta(minutes=20)),
        "today_other": testing.make_contact(other_counsellor, received_at=now - dt.timedelta(minutes=5)),
        "old_mine": testing.make_contact(counsellor, received_at=now - dt.timedelta(days=3)),
        "closed_urgent": testing.make_contact(
            other_counsellor, urgent=True, close=True, received_at=now - dt.timedelta(hours=2)
        ),
    }
    opened.mark_opened(made["today_other"], other_counsellor)
    return made


def test_default_view_puts_todays_reports_first(client, counsellor, inbox):
    client.force_login(counsellor)
    shown = refs(client.get(INBOX))
    assert shown[:2] == [inbox["today_other"].reference, inbox["today_mine"].reference]
    assert shown.index(inbox["stale_urgent"].reference) == len(shown) - 1


@pytest.mark.parametrize(
    ("queue", "expected"),
    [
        ("new", ["stale_urgent", "old_mine", "today_mine", "today_other"]),
        ("mine", ["old_mine", "today_mine"]),
        ("unread_today", ["today_mine"]),
        ("urgent", ["stale_urgent"]),
    ],
)
def test_each_queue_holds_and_orders_its_contacts(client, counsellor, inbox, queue, expected):
    client.force_login(counsellor)
    response = client.get(INBOX, {"queue": queue})
    assert refs(response) == [inbox[name].reference for name in expected]
    page = response.content.decode()
    assert f'data-queue="{queue}" aria-current="page"' in page
    assert str(queues.QUEUES[queue].description) in page


def test_tabs_count_and_rows_show_waiting_time(client, counsellor, inbox):
    client.force_login(counsellor)
    page = client.get(INBOX).content.decode()
    counts = dict(re.findall(r'data-queue="(\w+)"[^>]*>[^<]*<span class="queue-count[^"]*">([^<]+)<', page))
    assert counts == {"new": "4", "mine": "2", "unread_today": "1", "urgent": "1"}
    page = page.replace("\xa0", " ")
    assert "waiting 20 minutes" in page or "waiting 19 minutes" in page
    assert "waiting 2 months" in page or "waiting 3 months" in page


def test_a_queue_combines_with_the_filters(client, counsellor, inbox):
    actions.update_contact(
        actor=counsellor, contact=inbox["old_mine"], expected_version=None, summary="Пријава: насиље"
    )
    client.force_login(counsellor)
    assert refs(client.get(INBOX, {"queue": "mine", "search": "nasilje"})) == [inbox["old_mine"].reference]
    assert refs(client.get(INBOX, {"queue": "no-such-queue"}))  # unknown: the default view


@pytest.mark.parametrize("queue", list(queues.QUEUES))
def test_queue_pages_keep_their_query_count(client, counsellor, django_assert_max_num_queries, queue):
    client.force_login(counsellor)
    for _ in range(3):
        testing.make_contact(counsellor, urgent=True)
    with django_assert_max_num_queries(24):
        assert client.get(INBOX, {"queue": queue}).status_code == 200
    for _ in range(60):
        testing.make_contact(counsellor, urgent=True)
    with django_assert_max_num_queries(24):
        assert client.get(INBOX, {"queue": queue}).status_code == 200


@postgres_only
@pytest.mark.parametrize("queue", list(queues.QUEUES))
def test_each_queue_reads_its_index(counsellor, queue):
    phone = testing.channel("phone")
    now = timezone.now()
    Contact.objects.bulk_create(
        Contact(
            channel=phone,
            summary=f"poziv {i}",
            search_text=f"poziv {i}",
            received_at=now - dt.timedelta(minutes=i),
            state="closed" if i % 3 else "new",
            urgent=i % 50 == 0,
            assigned_to=counsellor if i % 7 == 0 else None,
        )
        for i in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE intake_contact")
    chosen = queues.QUEUES[queue]
    queryset = chosen.apply(unread.with_unread(Contact.objects.all()), counsellor)[:50]
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on intake_contact" not in plan, plan
    assert "Index" in plan, plan
    if chosen.index:  # a queue of any size: read in its order off its index, no sort of its rows
        assert chosen.index in plan and "Sort" not in plan.split("SubPlan")[0], plan
