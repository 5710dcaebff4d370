"""The inbox at scale: bounded counting, pinned queries, indexed search on each engine.

The figures at a million contacts come from ``bench/inbox_list.py``; these tests pin what makes
them possible: no full count, no query per row, and (on PostgreSQL) the search and the default
order answered by their indexes.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection

from smartsafe import testing
from smartsafe.intake import paging, views
from smartsafe.intake.filters import ContactFilter
from smartsafe.intake.models import Contact

pytestmark = pytest.mark.django_db

INBOX = "/contacts/"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's indexes")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's schema")


def refs(response) -> list[str]:
    return re.findall(r'class="ref">(K-\d+)<', response.content.decode())


def test_the_count_stops_at_the_cap_and_paging_goes_on(client, counsellor, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 3)
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    made = [testing.make_contact(counsellor) for _ in range(5)]
    client.force_login(counsellor)
    first = client.get(INBOX)
    html = first.content.decode()
    assert "More than 3 contacts" in html and "Page 1<" in html and "page=2" in html
    seen = refs(first) + refs(client.get(INBOX, {"page": 2})) + refs(client.get(INBOX, {"page": 3}))
    assert sorted(seen) == sorted(c.reference for c in made)  # every contact once, in three pages
    last = client.get(INBOX, {"page": 3}).content.decode()
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_an_exact_count_below_the_cap(client, counsellor, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for _ in range(3):
        testing.make_contact(counsellor)
    client.force_login(counsellor)
    html = client.get(INBOX).content.decode()
    assert "3 contacts" in html and "More than" not in html and "Page 1 of 2" in html
    # A page past the end shows the last page; nonsense shows the first.
    assert len(refs(client.get(INBOX, {"page": 99}))) == 1
    assert len(refs(client.get(INBOX, {"page": "x" * 5000}))) == 2
    assert len(refs(client.get(INBOX, {"page": "-4"}))) == 2


@pytest.mark.parametrize(
    "query", [{}, {"search": "nasilje"}, {"search": "K-1"}, {"search": "SS-2026-000001"}, {"page": "2"}]
)
def test_queries_do_not_grow_with_rows(client, counsellor, django_assert_max_num_queries, query):
    bullying = testing.category("cyberbullying")
    client.force_login(counsellor)
    for _ in range(3):
        testing.make_contact(counsellor, topics=[bullying], summary="насиље")
    with django_assert_max_num_queries(20):
        assert client.get(INBOX, query).status_code == 200
    for _ in range(60):
        testing.make_contact(counsellor, topics=[bullying], summary="насиље")
    testing.make_case(counsellor, contacts=[testing.make_contact(counsellor, summary="nasilje")])
    with django_assert_max_num_queries(20):
        assert client.get(INBOX, query).status_code == 200


def test_search_by_case_reference_finds_its_contacts_and_text_naming_it(client, counsellor):
    first = testing.make_contact(counsellor, summary="Prva prijava")
    second = testing.make_contact(counsellor, summary="Druga prijava")
    case = testing.make_case(counsellor, contacts=[first, second])
    naming = testing.make_contact(counsellor, summary=f"Roditelj pominje predmet {case.reference}")
    testing.make_contact(counsellor, summary="Nešto drugo")
    client.force_login(counsellor)
    expected = {first.reference, second.reference, naming.reference}
    assert set(refs(client.get(INBOX, {"search": case.reference}))) == expected
    assert set(refs(client.get(INBOX, {"search": case.reference.lower()}))) == expected
    assert refs(client.get(INBOX, {"search": "XX-2026-999999"})) == []


def test_search_by_web_address_and_name_in_either_script(client, counsellor):
    url = testing.make_contact(counsellor, summary="Video: https://www.TikTok.com/@Marko_77/video/1")
    name = testing.make_contact(counsellor, summary="Poziv", reporter_name="Ђорђе Шошкић")
    testing.make_contact(counsellor, summary="https://www.tiktok.com/@ana")
    client.force_login(counsellor)
    assert refs(client.get(INBOX, {"search": "tiktok.com/@marko_77"})) == [url.reference]
    for spelling in ("Ђорђе Шошкић", "Đorđe Šoškić", "djordje soskic", "ШОШКИЋ"):
        assert refs(client.get(INBOX, {"search": spelling})) == [name.reference]


def test_search_stays_scoped_to_what_the_reader_may_see(client, counsellor, police_liaison):
    contact = testing.make_contact(counsellor, summary="Tajna prijava")
    # Liaisons see referral packets, never contacts: the filter over their scope finds nothing.
    from smartsafe.intake.queries import inbox

    scoped = ContactFilter({"search": contact.reference}, queryset=inbox(police_liaison)).qs
    assert list(scoped) == []
    client.force_login(police_liaison)
    assert client.get(INBOX, {"search": "Tajna"}).status_code == 403


@postgres_only
def test_postgres_search_and_order_use_their_indexes(counsellor):
    phone = testing.channel("phone")
    Contact.objects.bulk_create(
        Contact(channel=phone, summary=f"poziv {i}", search_text=f"poziv {i}") for i in range(3000)
    )
    testing.make_contact(counsellor, summary="Дете пријављује насиље")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'contact_search_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
        cursor.execute("ANALYZE intake_contact")
    search = ContactFilter({"search": "nasilje"}, queryset=Contact.objects.all()).qs
    ordered = Contact.objects.order_by("-urgent", "-received_at", "-pk")[:50]
    with connection.cursor() as cursor:
        for queryset, index in ((ordered, "contact_inbox_order"), (search, "contact_search_trgm")):
            if queryset is search:
                # A few thousand rows are cheaper to read whole; what is pinned here is that the
                # SQL Django writes for the search (``LIKE '%…%'``) is one the index can answer.
                cursor.execute("SET LOCAL enable_seqscan = off")
                cursor.execute("SET LOCAL enable_indexscan = off")
            sql, params = queryset.query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert index in plan, plan


@sqlite_only
def test_sqlite_has_the_order_index_and_no_trigram_index(counsellor):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'intake_contact'")
        names = {row[0] for row in cursor.fetchall()}
    assert "contact_inbox_order" in names and "contact_search_trgm" not in names
    hit = testing.make_contact(counsellor, summary="Насиље")
    assert list(ContactFilter({"search": "NASILJE"}, queryset=Contact.objects.all()).qs) == [hit]
