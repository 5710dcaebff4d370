"""The inbox: filters, order, pagination, htmx partial, audit, pinned query count."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.intake import actions

pytestmark = pytest.mark.django_db

INBOX = "/contacts/"


def refs(response) -> list[str]:
    return re.findall(r'class="ref">(K-\d+)<', response.content.decode())


def test_search_in_latin_finds_cyrillic(client, counsellor):
    hit = testing.make_contact(counsellor, summary="Пријава: вршњачко насиље у одељењу")
    testing.make_contact(counsellor, summary="Питање о родитељској контроли")
    client.force_login(counsellor)
    assert refs(client.get(INBOX, {"search": "nasilje"})) == [hit.reference]
    assert refs(client.get(INBOX, {"search": "НАСИЉЕ"})) == [hit.reference]
    assert refs(client.get(INBOX, {"search": hit.reference})) == [hit.reference]


def test_newest_first_with_urgency_marked(client, counsellor):
    """An old urgent contact keeps its badge but no longer sits above today's (intake/queues.py)."""
    now = timezone.now()
    old_urgent = testing.make_contact(counsellor, urgent=True, received_at=now - dt.timedelta(days=2))
    newest = testing.make_contact(counsellor, received_at=now)
    older = testing.make_contact(counsellor, received_at=now - dt.timedelta(hours=1))
    client.force_login(counsellor)
    response = client.get(INBOX)
    assert refs(response) == [newest.reference, older.reference, old_urgent.reference]
    assert response.content.decode().count('class="is-urgent"') == 1
    assert 'class="badge badge-urgent"' in response.content.decode()


def test_filters_by_state_channel_topic_assignee_and_date(client, counsellor, other_counsellor):
    email = testing.channel("email")
    bullying = testing.category("cyberbullying")
    now = timezone.now()
    a = testing.make_contact(counsellor, topics=[bullying], received_at=now - dt.timedelta(days=10))
    b = testing.make_contact(other_counsellor, channel=email)
    c = testing.make_contact(counsellor)
    actions.close_contact(actor=counsellor, contact=c)
    actions.assign_contact(actor=other_counsellor, contact=b, assignee=None)
    client.force_login(counsellor)
    assert refs(client.get(INBOX, {"state": "closed"})) == [c.reference]
    assert refs(client.get(INBOX, {"channel": "email"})) == [b.reference]
    assert refs(client.get(INBOX, {"topic": "cyberbullying"})) == [a.reference]
    assert set(refs(client.get(INBOX, {"assignee": "me"}))) == {a.reference, c.reference}
    assert refs(client.get(INBOX, {"assignee": "none"})) == [b.reference]
    since = (now - dt.timedelta(days=1)).date().isoformat()
    assert a.reference not in refs(client.get(INBOX, {"received_from": since}))
    assert refs(client.get(INBOX, {"received_to": (now - dt.timedelta(days=5)).date().isoformat()})) == [
        a.reference
    ]
    # The chosen filters are shown back in the filter bar.
    html = client.get(INBOX, {"state": "closed", "search": "x"}).content.decode()
    assert '<option value="closed" selected>' in html and 'value="x"' in html


def test_bad_filter_values_do_not_break_the_page(client, counsellor):
    testing.make_contact(counsellor)
    client.force_login(counsellor)
    for query in (
        {"received_from": "yesterday"},
        {"state": "exploded"},
        {"page": "999"},
        {"urgent": "maybe"},
    ):
        assert client.get(INBOX, query).status_code == 200


def test_pagination_by_fifty(client, counsellor):
    for _ in range(52):
        testing.make_contact(counsellor)
    client.force_login(counsellor)
    first = client.get(INBOX, {"state": "new"})
    assert len(refs(first)) == 50
    assert "state=new&amp;page=2" in first.content.decode()
    assert len(refs(client.get(INBOX, {"state": "new", "page": 2}))) == 2


def test_htmx_gets_only_the_results(client, counsellor):
    testing.make_contact(counsellor)
    client.force_login(counsellor)
    full = client.get(INBOX)
    assert b"<html" in full.content and b'hx-target="#inbox-results"' in full.content
    partial = client.get(INBOX, {"search": "x"}, HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"contacts" in partial.content
    assert "HX-Request" in partial["Vary"]
    restore = client.get(INBOX, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert b"<html" in restore.content


def test_each_inbox_request_audits_one_list_read(client, counsellor):
    testing.make_contact(counsellor)
    client.force_login(counsellor)
    before = AuditEvent.objects.filter(action="contact.list").count()
    client.get(INBOX, {"state": "new"})
    events = AuditEvent.objects.filter(action="contact.list")
    assert events.count() == before + 1
    assert events.order_by("-pk").first().details["filters"] == {"state": ["new"]}


def test_query_count_does_not_grow_with_rows(client, counsellor):
    bullying = testing.category("cyberbullying")
    client.force_login(counsellor)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(INBOX).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(2):
        testing.make_contact(counsellor, topics=[bullying])
    few = count_queries()
    for _ in range(20):
        case_contact = testing.make_contact(counsellor, topics=[bullying])
    testing.make_case(counsellor, contacts=[case_contact])
    many = count_queries()
    assert many == few
    assert few <= 22
