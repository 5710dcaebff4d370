"""The auditor's pages: who may open them, filters, the verify button, CSV export, and that
browsing the log is itself recorded."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse

from smartsafe.audit.log import record
from smartsafe.audit.models import AuditEvent
from smartsafe.audit.sealing import seal_pending

from .helpers import make_events, sql

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")


def login(client, user):
    client.force_login(user)
    return client


def listed(response) -> list[int]:
    return [event.sequence for event in response.context["events"]]


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-pk").first()


# --- access -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, method",
    [
        (LIST, "get"),
        (reverse("audit:export"), "get"),
        (reverse("audit:verify"), "post"),
        ("/audit/1/", "get"),
    ],
)
def test_anonymous_is_sent_to_login(client, url, method):
    make_events(1)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("persona", ["counsellor", "supervisor", "analyst", "prevention", "police_liaison"])
@pytest.mark.parametrize(
    "url, method",
    [
        (LIST, "get"),
        (reverse("audit:export"), "get"),
        (reverse("audit:verify"), "post"),
        ("/audit/1/", "get"),
    ],
)
def test_other_roles_are_refused(client, request, persona, url, method):
    make_events(1)
    login(client, request.getfixturevalue(persona))  # records auth.login
    before = AuditEvent.objects.count()
    response = getattr(client, method)(url)
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before  # a refused look records no browse


@pytest.mark.parametrize("persona", ["auditor", "administrator"])
def test_auditor_and_administrator_may_browse(client, request, persona):
    login(client, request.getfixturevalue(persona))  # auth.login is #1
    make_events(3)
    response = client.get(LIST)
    assert response.status_code == 200
    assert listed(response) == [4, 3, 2, 1]  # newest first; the browse event is recorded after the query


def test_inactive_auditor_is_refused(client, auditor):
    auditor.is_active = False
    auditor.save()
    client.force_login(auditor)
    assert client.get(LIST).status_code in (302, 403)


# --- browsing is audited -----------------------------------------------------------------------


def test_browsing_is_recorded_with_its_filters(client, auditor):
    login(client, auditor)
    make_events(3)
    client.get(LIST, {"action": "case.", "object_id": "1"})
    event = last_event()
    assert (event.action, event.actor_id, event.via) == ("audit.browse", auditor.pk, "web")
    assert event.details == {"filters": {"action": "case.", "object_id": "1"}, "page": 1, "count": 1}


# --- filters ----------------------------------------------------------------------------------


def test_filters(client, auditor, counsellor, supervisor):
    login(client, auditor)  # its auth.login and browse events are left out below
    seal_pending()
    base = last_event().sequence
    record("case.view", actor=counsellor, object_type="cases.case", object_id="7")  # 1
    record("case.update", actor=supervisor, object_type="cases.case", object_id="7")  # 2
    record("contact.view", actor=counsellor, object_type="intake.contact", object_id="7")  # 3
    record("auth.login_failed", object_type="accounts.user", object_id="9", outcome="failed")  # 4
    record("case.view", actor=counsellor, object_type="cases.case", object_id="70")  # 5

    def seqs(**params):
        response = client.get(LIST, params)
        assert response.status_code == 200
        return [s - base for s in listed(response) if base < s <= base + 5]

    assert seqs(actor=counsellor.username) == [5, 3, 1]
    assert seqs(action="case.") == [5, 2, 1]
    assert seqs(action="case.view") == [5, 1]
    assert seqs(object_type="cases.case", object_id="7") == [2, 1]  # exact id: 70 is not 7
    assert seqs(object_id="7") == [3, 2, 1]
    assert seqs(outcome="failed") == [4]
    assert seqs(actor=counsellor.username, action="contact.") == [3]
    assert seqs(actor="nobody-by-that-name") == []


def test_date_filters_use_the_local_day(client, auditor):
    with time_machine.travel(dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        record("auth.login")  # 1
    # 23:30 UTC on 10 March is already 11 March in Belgrade (UTC+1).
    with time_machine.travel(dt.datetime(2025, 3, 10, 12, 0, tzinfo=dt.UTC), tick=False):
        record("case.view")  # 2
    with time_machine.travel(dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False):
        record("case.view")  # 3
    with time_machine.travel(dt.datetime(2025, 3, 12, 9, 0, tzinfo=dt.UTC), tick=False):
        record("case.view")  # 4
        login(client, auditor)  # 5
        assert listed(client.get(LIST, {"date_from": "2025-03-11"})) == [5, 4, 3]
        assert listed(client.get(LIST, {"date_from": "2025-03-02", "date_to": "2025-03-10"})) == [2]
        assert listed(client.get(LIST, {"date_from": "2025-03-11", "date_to": "2025-03-11"})) == [3]


def test_invalid_filter_shows_the_error_and_nothing_else(client, auditor):
    make_events(3)
    response = login(client, auditor).get(LIST, {"date_from": "2025-13-45", "outcome": "bogus", "page": "x"})
    assert response.status_code == 200
    assert listed(response) == []
    assert response.context["filter"].form.errors.keys() == {"date_from", "outcome"}
    # A NUL character would be a database error on PostgreSQL; the form refuses it first.
    response = client.get(LIST, {"object_id": "1\x00", "actor": "x" * 5000})
    assert response.status_code == 200 and listed(response) == []
    assert client.get(reverse("audit:export"), {"object_id": "1\x00"}).status_code == 400


def test_pagination_keeps_the_filters(client, auditor):
    make_events(120)
    login(client, auditor)  # #121
    first = client.get(LIST, {"action": "case."})
    assert len(listed(first)) == 50 and listed(first)[0] == 120
    assert "?action=case.&amp;page=2" in first.content.decode()
    second = client.get(LIST, {"action": "case.", "page": 2})
    assert listed(second)[0] == 70
    beyond = client.get(LIST, {"action": "case.", "page": 999})  # clamps to the last page
    assert listed(beyond) == list(range(20, 0, -1))


def test_list_page_query_count_is_fixed(client, auditor, counsellor, django_assert_max_num_queries):
    make_events(50, actor=counsellor)
    login(client, auditor)
    client.get(LIST)  # warm the session and caches
    # session, user; the seal of what is pending (savepoint, head lock, pending rows, their update,
    # head update, release); count, one page of rows, and record()'s insert = 11; one spare. The
    # number must not grow with the rows on the page.
    with django_assert_max_num_queries(12):
        response = client.get(LIST, {"action": "case."})
    assert len(listed(response)) == 50


# --- event detail ------------------------------------------------------------------------------


def test_detail_shows_every_field_and_the_hash_link(client, auditor, counsellor):
    login(client, auditor)
    event = record(
        "case.transition",
        actor=counsellor,
        object_type="cases.case",
        object_id="12",
        object_label="SS-2025-0012",
        transition="close",
        note="Дете је безбедно",
    )
    seal_pending()
    event.refresh_from_db()
    response = client.get(reverse("audit:detail", args=[event.sequence]))
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "case.transition",
        counsellor.username,
        "cases.case",
        "SS-2025-0012",
        event.hash,
        event.previous_hash,
        "&quot;transition&quot;: &quot;close&quot;",
        "Дете је безбедно",
    ):
        assert text in page
    assert response.context["seal_ok"] is True and response.context["link_ok"] is True
    opened = last_event()
    assert (opened.action, opened.object_id, opened.details) == (
        "audit.view",
        str(event.sequence),
        {"event_action": "case.transition"},
    )


def test_detail_of_a_tampered_event_says_so(client, auditor):
    make_events(3)
    sql("UPDATE {events} SET object_label = %s WHERE sequence = 2", ["changed"])
    response = login(client, auditor).get(reverse("audit:detail", args=[2]))
    assert response.context["seal_ok"] is False
    assert "content was altered" in response.content.decode()


def test_detail_of_a_missing_event_is_404(client, auditor):
    assert login(client, auditor).get("/audit/99999999999999999999/").status_code == 404
    assert client.get("/audit/5/").status_code == 404


# --- verify button -----------------------------------------------------------------------------


def test_verify_button_reports_an_intact_chain_and_is_recorded(client, auditor):
    login(client, auditor)  # #1
    make_events(4)
    response = client.post(reverse("audit:verify"))
    assert response.status_code == 200
    assert response.context["result"].ok and response.context["result"].count == 5
    assert "is intact" in response.content.decode()
    event = last_event()
    assert (event.action, event.outcome) == ("audit.verify", "ok")
    assert event.details == {"ok": True, "count": 5, "last_sequence": 5}


def test_verify_button_names_the_broken_event(client, auditor):
    login(client, auditor)
    make_events(6)
    sql("DELETE FROM {events} WHERE sequence = 3")
    response = client.post(reverse("audit:verify"))
    page = response.content.decode()
    assert "broken at event #3" in page and "Event #3 is missing" in page
    event = last_event()
    assert (event.action, event.outcome) == ("audit.verify", "failed")
    assert event.details["problem"] == {"kind": "missing", "sequence": 3}


def test_verify_needs_post(client, auditor):
    assert login(client, auditor).get(reverse("audit:verify")).status_code == 405


def test_list_page_has_the_verify_form(client, auditor):
    page = login(client, auditor).get(LIST).content.decode()
    assert f'action="{reverse("audit:verify")}"' in page and 'method="post"' in page


# --- CSV export --------------------------------------------------------------------------------


def export(client, **params):
    response = client.get(reverse("audit:export"), params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_is_filtered_and_recorded(client, auditor, counsellor):
    login(client, auditor)  # #1
    make_events(3, actor=counsellor)
    record("auth.login", actor=counsellor)
    rows = export(client, action="case.")
    assert [row["sequence"] for row in rows] == ["4", "3", "2"]
    assert rows[0]["actor"] == counsellor.username and rows[0]["details"] == '{"n": 2}'
    assert rows[0]["hash"] == AuditEvent.objects.get(sequence=4).hash
    event = last_event()
    assert (event.action, event.details) == ("audit.export", {"filters": {"action": "case."}, "count": 3})


def test_export_neutralises_spreadsheet_formulas(client, auditor):
    login(client, auditor)
    record("case.update", object_type="cases.case", object_id="1", object_label='=HYPERLINK("http://x")')
    rows = export(client, action="case.")
    assert rows[0]["object_label"] == '\'=HYPERLINK("http://x")'


def test_export_refuses_invalid_filters(client, auditor):
    login(client, auditor)
    make_events(2)
    before = AuditEvent.objects.count()
    assert client.get(reverse("audit:export"), {"date_to": "yesterday"}).status_code == 400
    assert AuditEvent.objects.count() == before
