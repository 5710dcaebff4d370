"""/api/v1/cases/: open, read, edit, workflow, notes, artefacts, timeline, assignment."""

from __future__ import annotations

import pytest
from django.test import override_settings

from smartsafe.audit.models import AuditEvent
from smartsafe.cases.models import Case
from smartsafe.testing import make_case, make_contact, make_user

pytestmark = pytest.mark.django_db
URL = "/api/v1/cases/"


def test_open_case_from_contacts(api, counsellor, terms):
    first, second = make_contact(counsellor), make_contact(counsellor, urgent=True)
    body = {
        "title": "Sextortion on Instagram",
        "kind": "referred",
        "contacts": [first.pk, str(second.pk), first.pk],
        "categories": ["threats_blackmail", "predators"][1:],
        "platforms": ["instagram"],
        "municipality": "beograd-vracar",
        "child_age_band": "age-13-15",
        "child_sex": "female",
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["reference"].startswith("SS-")
    assert sorted(data["contacts"]) == sorted([first.pk, second.pk])
    assert data["categories"] == ["predators"] and data["platforms"] == ["instagram"]
    assert data["municipality"] == "beograd-vracar" and data["child_sex"] == "female"
    assert data["urgent"] is True  # carried over from the urgent contact
    assert data["owner"] == counsellor.username
    assert data["allowed_actions"] == ["start", "await_institution", "close"]
    first.refresh_from_db()
    assert first.state == "linked"


def test_unknown_or_invisible_contact_is_the_same_field_error(api, client_for, counsellor, terms):
    response = api.post(URL, {"title": "x", "contacts": [999999]}, format="json")
    assert response.status_code == 400
    assert response.json()["contacts"] == {"0": ["Unknown contact 999999."]}
    bad_type = api.post(URL, {"title": "x", "contacts": ["abc", True, 2**70]}, format="json")
    assert bad_type.status_code == 400 and set(bad_type.json()["contacts"]) == {"0", "1", "2"}


def test_contact_already_in_a_case(api, counsellor, terms):
    contact = make_contact(counsellor)
    make_case(counsellor, contacts=[contact])
    response = api.post(URL, {"title": "again", "contacts": [contact.pk]}, format="json")
    assert response.status_code == 400
    assert "already belongs" in response.json()["contacts"][0]


def test_unknown_code_names_the_field(api, terms):
    response = api.post(
        URL, {"title": "x", "categories": ["nope"], "municipality": "atlantis"}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert errors["categories"] == ["Unknown code “nope”."]
    assert errors["municipality"] == ["Unknown code “atlantis”."]


def test_urgent_needs_a_reason(api, terms):
    response = api.post(URL, {"title": "x", "urgent": True}, format="json")
    assert response.status_code == 400 and "urgent_reason" in response.json()


def test_retrieve_by_reference_or_id_is_audited(api, counsellor, terms):
    case = make_case(counsellor)
    assert api.get(f"{URL}{case.reference}/").json()["id"] == case.pk
    assert api.get(f"{URL}{case.reference.lower()}/").json()["id"] == case.pk
    assert api.get(f"{URL}{case.pk}/").json()["reference"] == case.reference
    assert AuditEvent.objects.filter(action="case.view", object_id=str(case.pk)).count() == 3
    assert api.get(f"{URL}SS-1900-000001/").status_code == 404


def test_list_filters_count_and_audit(api, counsellor, terms):
    urgent = make_case(counsellor, urgent=True, urgent_reason="meeting tonight", categories=[terms.predators])
    plain = make_case(counsellor, municipality=terms.municipality, platforms=[terms.tiktok])
    response = api.get(URL, {"urgent": "true"})
    assert response.status_code == 200
    assert response.json()["count"] == 1 and response.json()["results"][0]["reference"] == urgent.reference
    assert [r["id"] for r in api.get(URL, {"category": "predators"}).json()["results"]] == [urgent.pk]
    assert [r["id"] for r in api.get(URL, {"municipality": "beograd-vracar"}).json()["results"]] == [plain.pk]
    assert [r["id"] for r in api.get(URL, {"platform": "tiktok"}).json()["results"]] == [plain.pk]
    assert api.get(URL, {"state": "closed"}).json()["count"] == 0
    assert api.get(URL).json()["results"][0]["id"] == urgent.pk  # urgent first
    event = AuditEvent.objects.filter(action="case.list").order_by("-pk").first()
    assert event.details == {"filters": {}, "count": 2}


def test_edit_with_version(api, counsellor, terms):
    case = make_case(counsellor)
    url = f"{URL}{case.reference}/"
    ok = api.patch(
        url, {"version": case.version, "title": "Renamed", "categories": ["cyberbullying"]}, format="json"
    )
    assert ok.status_code == 200, ok.json()
    assert ok.json()["title"] == "Renamed" and ok.json()["categories"] == ["cyberbullying"]
    stale = api.patch(url, {"version": case.version, "title": "Lost"}, format="json")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == ok.json()["version"]
    assert api.patch(url, {"title": "No version"}, format="json").status_code == 400
    assert Case.objects.get(pk=case.pk).title == "Renamed"


@override_settings(SMARTSAFE_CLOSURE_NEEDS_APPROVAL=True)
def test_workflow_transitions(client_for, counsellor, supervisor, terms):
    case = make_case(counsellor)
    url = f"{URL}{case.reference}/transition/"
    mine, boss = client_for(counsellor), client_for(supervisor)
    assert mine.post(url, {"action": "start"}, format="json").json()["state"] == "in_progress"

    illegal = mine.post(url, {"action": "resume"}, format="json")
    assert illegal.status_code == 409
    assert illegal.json()["allowed"] == ["await_institution", "close"]
    assert illegal.json()["state"] == "in_progress"

    no_resolution = mine.post(url, {"action": "close"}, format="json")
    assert no_resolution.status_code == 400 and "resolution" in no_resolution.json()
    other = mine.post(url, {"action": "close", "resolution": "other"}, format="json")
    assert other.status_code == 400 and "note" in other.json()

    closing = mine.post(url, {"action": "close", "resolution": "advice_given", "note": "done"}, format="json")
    assert closing.json()["state"] == "pending_closure"
    denied = mine.post(url, {"action": "approve_closure"}, format="json")
    assert denied.status_code == 403
    assert AuditEvent.objects.filter(action="api.denied", actor=counsellor, outcome="denied").exists()
    approved = boss.post(url, {"action": "approve_closure"}, format="json")
    assert approved.json()["state"] == "closed" and approved.json()["closed_by"] == supervisor.username

    stale = mine.post(url, {"action": "reopen", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    unknown = mine.post(url, {"action": "explode"}, format="json")
    assert unknown.status_code == 400 and "action" in unknown.json()


def test_notes(api, counsellor, terms):
    case = make_case(counsellor)
    url = f"{URL}{case.reference}/notes/"
    created = api.post(url, {"body": "  Called the school.  "}, format="json")
    assert created.status_code == 201
    assert created.json()["body"] == "Called the school." and created.json()["author"] == counsellor.username
    assert api.post(url, {"body": "   "}, format="json").status_code == 400
    listed = api.get(url).json()
    assert listed["count"] == 1 and listed["results"][0]["body"] == "Called the school."


def test_artefacts_link_cases(api, counsellor, terms):
    earlier = make_case(counsellor)
    case = make_case(counsellor)
    first = api.post(
        f"{URL}{earlier.reference}/artefacts/",
        {"kind": "profile_url", "value": "https://www.instagram.com/Ana.Petrovic/?igshid=x"},
        format="json",
    )
    assert first.status_code == 201, first.json()
    assert first.json()["artefact"]["normalized"] == "profile:instagram:ana.petrovic"
    assert first.json()["artefact"]["platform"] == "instagram"
    second = api.post(
        f"{URL}{case.reference}/artefacts/",
        {"kind": "username", "value": "@ana.petrovic", "platform": "instagram"},
        format="json",
    )
    assert second.status_code == 201
    assert second.json()["linked_cases"] == [earlier.reference]
    duplicate = api.post(
        f"{URL}{case.reference}/artefacts/",
        {"kind": "username", "value": "ANA.petrovic", "platform": "instagram"},
    )
    assert duplicate.status_code == 400 and "value" in duplicate.json()
    bad = api.post(f"{URL}{case.reference}/artefacts/", {"kind": "url", "value": "javascript:alert(1)"})
    assert bad.status_code == 400 and "value" in bad.json()
    assert api.get(f"{URL}{case.reference}/artefacts/").json()["count"] == 1


def test_timeline_and_assign(client_for, counsellor, supervisor, terms):
    case = make_case(counsellor)
    marko = make_user("counsellor", "marko2")
    assigned = client_for(supervisor).post(
        f"{URL}{case.reference}/assign/", {"assignee": "marko2"}, format="json"
    )
    assert assigned.status_code == 200 and assigned.json()["assigned_to"] == "marko2"
    refused = client_for(supervisor).post(
        f"{URL}{case.reference}/assign/", {"assignee": make_user("analyst").username}, format="json"
    )
    assert refused.status_code == 400 and "assignee" in refused.json()
    timeline = client_for(marko).get(f"{URL}{case.reference}/timeline/").json()
    kinds = [entry["kind"] for entry in timeline["results"]]
    assert kinds[0] == "opened" and "assigned" in kinds
    entry = timeline["results"][-1]
    assert entry["actor"] == supervisor.username and entry["data"] == {"assignee": "marko2"}


def test_list_query_count_is_flat(client_for, counsellor, terms, django_assert_max_num_queries):
    for _ in range(30):
        make_case(
            counsellor,
            categories=[terms.predators, terms.cyberbullying],
            municipality=terms.municipality,
            child_age_band=terms.age,
        )
    client = client_for(counsellor)
    client.get(URL)
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"page_size": 50})
    assert len(response.json()["results"]) == 30
