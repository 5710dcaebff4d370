"""Malformed input is a 400 with field errors, never a 500 — hand-picked cases and random JSON."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartsafe.testing import make_case, make_contact

pytestmark = pytest.mark.django_db
CONTACTS, CASES = "/api/v1/contacts/", "/api/v1/cases/"

BAD_CONTACTS = [
    ({"channel": 5}, "channel"),
    ({"channel": ["phone"]}, "channel"),
    ({"channel": "x" * 100_000}, "channel"),
    ({"channel": "nope"}, "channel"),
    ({"channel": "pho\x00ne"}, "channel"),
    ({"summary": "no channel"}, "channel"),
    ({"channel": "phone", "urgent": "maybe"}, "urgent"),
    ({"channel": "phone", "received_at": "yesterday"}, "received_at"),
    ({"channel": "phone", "received_at": "2026-13-45T25:00:00"}, "received_at"),
    ({"channel": "phone", "received_at": "0001-01-01T00:00:00+14:00"}, "received_at"),
    ({"channel": "phone", "received_at": 1700000000}, "received_at"),
    ({"channel": "phone", "topics": "predators"}, "topics"),
    ({"channel": "phone", "topics": [1, 2]}, "topics"),
    ({"channel": "phone", "topics": ["predators", "nope"]}, "topics"),
    ({"channel": "phone", "summary": "x" * 30_000}, "summary"),
    ({"channel": "phone", "subject": {"a": 1}}, "subject"),
    ({"channel": "phone", "subject": "a\x00b"}, "subject"),
    ({"channel": "phone", "duration_seconds": -1}, "duration_seconds"),
    ({"channel": "phone", "duration_seconds": 10**30}, "duration_seconds"),
    ({"channel": "phone", "duration_seconds": 1.5}, "duration_seconds"),
    ({"channel": "phone", "language": "klingon"}, "language"),
    ({"channel": "phone", "reporter_type": 3}, "reporter_type"),
    ({"channel": "phone", "non_data_kind": "ghost"}, "non_data_kind"),
]


@pytest.mark.parametrize(
    "body,field", BAD_CONTACTS, ids=[f"{f}-{i}" for i, (_b, f) in enumerate(BAD_CONTACTS)]
)
def test_bad_contact_bodies_name_the_field(api, terms, body, field):
    response = api.post(CONTACTS, body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


@pytest.mark.parametrize(
    "raw", ["{not json", "[1, 2]", '"text"', "null", "42", "", "\x00", '{"channel": NaN}', "{" * 5000]
)
def test_non_json_and_non_object_bodies(api, terms, raw):
    for url in (CONTACTS, CASES):
        response = api.generic("POST", url, raw.encode(), content_type="application/json")
        assert response.status_code == 400, (url, raw[:20], response.content[:200])
        assert isinstance(response.json(), dict)


def test_form_and_plain_text_bodies(api, terms):
    assert api.generic("POST", CONTACTS, b"garbage", content_type="text/plain").status_code == 415
    # Form bodies are parsed (the browsable API uses them) and validated the same way.
    assert api.post(CONTACTS, {"channel": "nope"}).status_code == 400


@pytest.mark.parametrize(
    "params,field",
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "²"}, "page"),
        ({"page_size": "lots"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "9" * 40}, "page"),
        ({"received_from": "not-a-date"}, "received_from"),
        ({"received_to": "2026-02-30"}, "received_to"),
        ({"channel": "nope"}, "channel"),
        ({"state": "bogus"}, "state"),
        ({"search": "a\x00b"}, "search"),
    ],
)
def test_bad_contact_list_params(api, terms, params, field):
    response = api.get(CONTACTS, params)
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


@pytest.mark.parametrize(
    "params,field",
    [
        ({"page": "x"}, "page"),
        ({"opened_from": "soon"}, "opened_from"),
        ({"category": "nope"}, "category"),
        ({"municipality": "atlantis"}, "municipality"),
        ({"kind": "weird"}, "kind"),
        ({"open": "x\x00"}, "open"),
    ],
)
def test_bad_case_list_params(api, terms, params, field):
    response = api.get(CASES, params)
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


def test_huge_and_odd_ids_in_paths(api, counsellor, terms):
    for path in (
        f"{CONTACTS}abc/",
        f"{CONTACTS}{'9' * 30}/",
        f"{CONTACTS}999999999999999999/",
        f"{CASES}{'9' * 18}/",
        f"{CASES}SS-../",
        f"{CASES}%00/",
    ):
        assert api.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "body,field",
    [
        ({"action": 5}, "action"),
        ({"action": "explode"}, "action"),
        ({}, "action"),
        ({"action": "close", "resolution": "bogus"}, "resolution"),
        ({"action": "start", "version": "abc"}, "version"),
        ({"action": "start", "version": 0}, "version"),
        ({"action": "start", "note": ["x"]}, "note"),
    ],
)
def test_bad_transitions(api, counsellor, terms, body, field):
    case = make_case(counsellor)
    response = api.post(f"{CASES}{case.reference}/transition/", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


@pytest.mark.parametrize(
    "url_suffix,body,field",
    [
        ("assign/", {}, "assignee"),
        ("assign/", {"assignee": 5}, "assignee"),
        ("assign/", {"assignee": "x" * 1000}, "assignee"),
        ("notes/", {"body": ""}, "body"),
        ("notes/", {"body": None}, "body"),
        ("artefacts/", {"kind": "dna", "value": "x"}, "kind"),
        ("artefacts/", {"kind": "phone", "value": "call me"}, "value"),
        ("artefacts/", {"kind": "url", "value": "x", "platform": "myspace"}, "platform"),
    ],
)
def test_bad_case_action_bodies(api, counsellor, terms, url_suffix, body, field):
    case = make_case(counsellor)
    response = api.post(f"{CASES}{case.reference}/{url_suffix}", body, format="json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json()


# --- random JSON ------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=8,
)
CONTACT_KEYS = [
    "channel",
    "received_at",
    "ended_at",
    "duration_seconds",
    "reporter_type",
    "language",
    "subject",
]
CONTACT_KEYS += ["summary", "urgent", "topics", "non_data_kind", "close", "version", "assignee"]
CASE_KEYS = [
    "title",
    "kind",
    "summary",
    "urgent",
    "urgent_reason",
    "child_age_band",
    "child_sex",
    "municipality",
]
CASE_KEYS += [
    "categories",
    "platforms",
    "contacts",
    "version",
    "action",
    "resolution",
    "note",
    "body",
    "value",
]
# Plausible values mixed in, so examples get past the first check and reach the actions.
plausible = st.sampled_from(
    [
        "phone",
        "predators",
        "instagram",
        "close",
        "start",
        "reopen",
        "advice_given",
        "other",
        "2026-01-01T10:00:00Z",
    ]
) | st.integers(min_value=-2, max_value=3)


def bodies(keys):
    value = json_values | plausible
    return st.fixed_dictionaries({}, optional={key: value for key in keys}) | json_values


@pytest.mark.parametrize(
    "method,target,keys",
    [
        ("post", "contacts", CONTACT_KEYS),
        ("patch", "contact", CONTACT_KEYS),
        ("post", "contact:triage/", CONTACT_KEYS),
        ("post", "contact:assign/", CONTACT_KEYS),
        ("post", "cases", CASE_KEYS),
        ("patch", "case", CASE_KEYS),
        ("post", "case:transition/", CASE_KEYS),
        ("post", "case:artefacts/", ["kind", "value", "platform"]),
        ("post", "case:notes/", ["body"]),
    ],
)
def test_random_json_never_500(client_for, supervisor, terms, method, target, keys):
    contact = make_contact(supervisor)
    case = make_case(supervisor, contacts=[make_contact(supervisor)])
    base, _, suffix = target.partition(":")
    url = {
        "contacts": CONTACTS,
        "cases": CASES,
        "contact": f"{CONTACTS}{contact.pk}/",
        "case": f"{CASES}{case.reference}/",
    }[base] + suffix
    client = client_for(supervisor)

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies(keys))
    def check(body):
        response = client.generic(method.upper(), url, json.dumps(body), content_type="application/json")
        assert response.status_code < 500, (body, response.content[:300])
        if response.status_code == 400:
            assert isinstance(response.json(), dict)

    check()
