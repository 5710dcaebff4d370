"""Every role × every endpoint and method, with the exact status each gets.

Order of checks (api/permissions.py): 401 not signed in → 403 role never sees this kind of record
→ 404 record outside the caller's scope → 403 may see but not change → 400 → 409. Every 403 is
audited as ``api.denied``.

Columns: counsellor (who logged the contact and owns the case), supervisor, auditor, liaison of
the institution the case is shared with, liaison of another institution, analyst, prevention
coordinator, administrator, anonymous.
"""

from __future__ import annotations

import pytest

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.cases.actions import share_with_institution

pytestmark = pytest.mark.django_db

ROLES = [
    "counsellor",
    "supervisor",
    "auditor",
    "liaison_shared",
    "liaison_other",
    "analyst",
    "prevention",
    "admin",
    "anonymous",
]

C, A, L, N = "/api/v1/contacts/{contact}/", "/api/v1/cases/{case}/", "/api/v1/cases/", "/api/v1/contacts/"
# Shorthands for rows that repeat.
READ_ALL = [200, 200, 200, 200, 200, 403, 403, 403, 401]
ANY_USER = [200, 200, 200, 200, 200, 200, 200, 200, 401]
NOT_ALLOWED = [405, 405, 405, 405, 405, 403, 403, 403, 401]
CONTACT_WRITE = [200, 200, 403, 404, 404, 403, 403, 403, 401]
CASE_WRITE = [200, 200, 403, 403, 404, 403, 403, 403, 401]
CREATE = [201, 201, 403, 403, 403, 403, 403, 403, 401]
STAFF_ONLY_READ = [200, 200, 200, 403, 403, 403, 403, 403, 401]

ENDPOINTS = [
    # name, method, path, body, expected status per role (ROLES order)
    ("contact-list", "get", N, None, READ_ALL),
    ("contact-create", "post", N, {"channel": "phone", "summary": "A call"}, CREATE),
    ("contact-read", "get", C, None, [200, 200, 200, 404, 404, 403, 403, 403, 401]),
    ("contact-edit", "patch", C, {"version": 1, "subject": "Edited"}, CONTACT_WRITE),
    ("contact-triage", "post", C + "triage/", {}, CONTACT_WRITE),
    ("contact-close", "post", C + "close/", {}, CONTACT_WRITE),
    ("contact-assign", "post", C + "assign/", {"assignee": None}, CONTACT_WRITE),
    ("contact-put", "put", C, {"subject": "x"}, NOT_ALLOWED),
    ("contact-delete", "delete", C, None, NOT_ALLOWED),
    ("case-list", "get", L, None, READ_ALL),
    ("case-create", "post", L, {"title": "New case", "contacts": ["{free_contact}"]}, CREATE),
    ("case-read", "get", A, None, [200, 200, 200, 200, 404, 403, 403, 403, 401]),
    ("case-edit", "patch", A, {"version": "{version}", "title": "Renamed"}, CASE_WRITE),
    ("case-transition", "post", A + "transition/", {"action": "start"}, CASE_WRITE),
    ("case-notes-read", "get", A + "notes/", None, STAFF_ONLY_READ),
    (
        "case-notes-add",
        "post",
        A + "notes/",
        {"body": "A note"},
        [201, 201, 403, 403, 404, 403, 403, 403, 401],
    ),
    ("case-artefacts-read", "get", A + "artefacts/", None, [200, 200, 200, 200, 404, 403, 403, 403, 401]),
    (
        "case-artefacts-add",
        "post",
        A + "artefacts/",
        {"kind": "username", "value": "@someone", "platform": "instagram"},
        [201, 201, 403, 403, 404, 403, 403, 403, 401],
    ),
    ("case-timeline", "get", A + "timeline/", None, STAFF_ONLY_READ),
    ("case-assign", "post", A + "assign/", {"assignee": None}, CASE_WRITE),
    ("case-put", "put", A, {"title": "x"}, NOT_ALLOWED),
    ("case-delete", "delete", A, None, NOT_ALLOWED),
    *[
        (f"taxonomy-{name}", "get", f"/api/v1/{name}/", None, ANY_USER)
        for name in (
            "channels",
            "categories",
            "platforms",
            "reporter-types",
            "age-bands",
            "sexes",
            "municipalities",
        )
    ],
    ("taxonomy-post", "post", "/api/v1/channels/", {"code": "x"}, [405] * 8 + [401]),
    ("schema", "get", "/api/schema/", None, ANY_USER),
    ("docs", "get", "/api/docs/", None, ANY_USER),
    ("redoc", "get", "/api/redoc/", None, ANY_USER),
]

CASES = [
    pytest.param(role, method, path, body, statuses[i], id=f"{name}-{role}")
    for name, method, path, body, statuses in ENDPOINTS
    for i, role in enumerate(ROLES)
]


def _fill(value, names):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in names:
            return names[value[1:-1]]
        return value.format(**names)
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


@pytest.fixture
def world(counsellor, supervisor, auditor, police, school, police_liaison, school_liaison, terms):
    contact = testing.make_contact(counsellor)
    free_contact = testing.make_contact(counsellor)
    case = testing.make_case(counsellor)
    share_with_institution(actor=supervisor, case=case, institution=police, reason="Test share")
    case.refresh_from_db()
    users = {
        "counsellor": counsellor,
        "supervisor": supervisor,
        "auditor": auditor,
        "liaison_shared": police_liaison,
        "liaison_other": school_liaison,
        "analyst": testing.make_user("analyst"),
        "prevention": testing.make_user("prevention"),
        "admin": testing.make_user("admin"),
        "anonymous": None,
    }
    names = {
        "contact": contact.pk,
        "case": case.reference,
        "free_contact": free_contact.pk,
        "version": case.version,
    }
    return users, names


@pytest.mark.parametrize("role,method,path,body,expected", CASES)
def test_role_endpoint_matrix(world, client_for, role, method, path, body, expected):
    users, names = world
    user = users[role]
    client = client_for(user)
    url = _fill(path, names)
    kwargs = {"format": "json"} if body is not None else {}
    response = (
        getattr(client, method)(url, _fill(body, names), **kwargs)
        if body is not None
        else getattr(client, method)(url)
    )
    assert response.status_code == expected, (role, method, url, response.content[:300])
    if expected == 403:
        assert AuditEvent.objects.filter(action="api.denied", actor=user, details__path=url).exists()


def test_institution_isolation(
    client_for, counsellor, police, school, police_liaison, school_liaison, terms, supervisor
):
    """A liaison sees their own institution's shared cases and nothing of another's, by any key."""
    police_case, school_case, private_case = (testing.make_case(counsellor) for _ in range(3))
    share_with_institution(actor=supervisor, case=police_case, institution=police, reason="Test share")
    share_with_institution(actor=supervisor, case=school_case, institution=school, reason="Test share")
    for liaison, own, others in (
        (police_liaison, police_case, (school_case, private_case)),
        (school_liaison, school_case, (police_case, private_case)),
    ):
        client = client_for(liaison)
        listed = client.get("/api/v1/cases/").json()
        assert [row["reference"] for row in listed["results"]] == [own.reference]
        assert listed["count"] == 1
        assert client.get(f"/api/v1/cases/{own.reference}/").status_code == 200
        for other in others:
            for key in (other.reference, other.pk):
                assert client.get(f"/api/v1/cases/{key}/").status_code == 404
                assert client.get(f"/api/v1/cases/{key}/artefacts/").status_code == 404
                assert (
                    client.post(f"/api/v1/cases/{key}/notes/", {"body": "x"}, format="json").status_code
                    == 404
                )
        # Filters cannot widen the scope either.
        assert client.get("/api/v1/cases/", {"search": others[0].reference}).json()["count"] == 0
