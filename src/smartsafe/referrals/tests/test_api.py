"""``/api/v1/referrals/``: the workflow over HTTP, the error conventions, institution isolation."""

import datetime as dt
import itertools
import json

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from smartsafe import testing
from smartsafe.audit.models import AuditEvent
from smartsafe.directory.models import Institution
from smartsafe.referrals.models import Referral
from smartsafe.referrals.models import ReferralState as S
from smartsafe.taxonomy.models import Category

API = "/api/v1/referrals/"
pytestmark = pytest.mark.django_db


def url(referral, suffix=""):
    return f"{API}{referral.pk}/{suffix}"


# --- create, read, list ------------------------------------------------------------------------------


def test_create_and_read(client_for, counsellor, police):
    case = testing.make_case(counsellor)
    api = client_for(counsellor)
    response = api.post(
        API,
        {
            "case": case.reference.lower(),
            "institution": police.code,
            "kind": "report",
            "reason": "Предатор",
            "delivery_method": "phone",
            "packet_language": "en",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["case"] == case.reference and body["institution"] == police.code
    assert (body["state"], body["delivery_method"], body["packet_language"]) == ("draft", "phone", "en")
    assert body["allowed_actions"] == ["submit", "send", "revoke"]
    assert body["your_actions"] == ["submit", "revoke"]  # approval on: a counsellor submits
    assert [e["action"] for e in body["events"]] == ["create"]
    detail = api.get(url(Referral.objects.get()))
    assert detail.status_code == 200 and detail.json()["reason"] == "Предатор"
    assert AuditEvent.objects.filter(action="referral.view").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"institution": "police-test"}, "case"),
        ({"case": "SS-1999-000001", "institution": "police-test"}, "case"),
        ({"case": 17, "institution": "police-test"}, "case"),
        ({"case": "CASE", "institution": "no-such-institution"}, "institution"),
        ({"case": "CASE", "institution": "police-test", "kind": "gossip"}, "kind"),
        ({"case": "CASE", "institution": "police-test", "delivery_method": "pigeon"}, "delivery_method"),
        ({"case": "CASE", "institution": "police-test", "delivery_method": "email"}, "delivery_method"),
        ({"case": "CASE", "institution": "police-test", "delivery_method": "portal"}, "delivery_method"),
        ({"case": "CASE", "institution": "police-test", "reason": "x\x00y"}, "reason"),
        ({"case": "CASE", "institution": "police-test", "reason": "x" * 20_001}, "reason"),
    ],
)
def test_bad_create_bodies_name_the_field(client_for, counsellor, police, body, field):
    case = testing.make_case(counsellor)
    body = {key: case.reference if value == "CASE" else value for key, value in body.items()}
    response = client_for(counsellor).post(API, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_duplicate_referral_is_a_400(client_for, counsellor, police):
    case = testing.make_case(counsellor)
    api = client_for(counsellor)
    assert (
        api.post(API, {"case": case.reference, "institution": police.code}, format="json").status_code == 201
    )
    response = api.post(API, {"case": case.reference, "institution": police.code}, format="json")
    assert response.status_code == 400 and "institution" in response.json()


def test_who_may_create(client_for, counsellor, supervisor, auditor, analyst, police_liaison, police):
    case = testing.make_case(counsellor)
    for user, expected in ((auditor, 403), (police_liaison, 403), (analyst, 403), (None, 401)):
        response = client_for(user).post(
            API, {"case": case.reference, "institution": police.code}, format="json"
        )
        assert response.status_code == expected, user
    assert AuditEvent.objects.filter(action="api.denied").count() == 3


def test_list_filters(client_for, counsellor, supervisor, make_referral, police, school):
    urgent_case = testing.make_case(counsellor, urgent=True, urgent_reason="Опасност")
    with time_machine.travel(timezone.now() - dt.timedelta(days=40)):
        late = make_referral(counsellor, school, state=S.SENT)
    sent = make_referral(counsellor, police, state=S.SENT, case=urgent_case)
    draft = make_referral(counsellor, police)
    api = client_for(counsellor)

    def ids(**params):
        response = api.get(API, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {late.pk, sent.pk, draft.pk}
    assert ids(state="draft") == {draft.pk}
    assert api.get(f"{API}?state=sent&state=draft").json()["count"] == 3
    assert ids(institution=school.code) == {late.pk}
    assert ids(case=urgent_case.reference.lower()) == {sent.pk}
    assert ids(overdue="true") == {late.pk}
    assert ids(overdue="false") == {sent.pk, draft.pk}
    assert ids(urgent="true") == {sent.pk}
    assert ids(institution="no-such") == set()
    event = AuditEvent.objects.filter(action="referral.list").order_by("pk").last()
    assert event.details["filters"] == {"institution": ["no-such"]} and event.details["count"] == 0


@pytest.mark.parametrize(
    "params",
    [{"state": "lost"}, {"delivery_status": "lost"}, {"page": "x"}, {"page_size": "0"}, {"kind": "x"}],
)
def test_bad_list_params_are_400(client_for, counsellor, params):
    assert client_for(counsellor).get(API, params).status_code == 400


def test_list_query_count_is_flat(
    client_for, counsellor, make_referral, police, django_assert_max_num_queries
):
    for _ in range(12):
        make_referral(counsellor, police, state=S.SENT)
    api = client_for(counsellor)
    with django_assert_max_num_queries(12):
        response = api.get(API)
    assert response.json()["count"] == 12


# --- transitions -----------------------------------------------------------------------------------------


def test_workflow_over_http(client_for, counsellor, supervisor, police, police_liaison, token_for):
    case = testing.make_case(counsellor)
    staff = client_for(counsellor)
    referral_id = staff.post(API, {"case": case.reference, "institution": police.code}, format="json").json()[
        "id"
    ]
    path = f"{API}{referral_id}/transition/"

    refused = staff.post(path, {"action": "send"}, format="json")
    assert refused.status_code == 403 and "submit" in refused.json()["detail"]
    assert staff.post(path, {"action": "submit"}, format="json").json()["state"] == "pending_approval"
    approved = client_for(supervisor).post(path, {"action": "approve", "note": "У реду"}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "sent"
    assert len(approved.json()["packet_sha256"]) == 64

    # The police's own system, with the liaison's token.
    portal = APIClient()
    portal.credentials(HTTP_AUTHORIZATION=f"Token {token_for(police_liaison)}")
    listed = portal.get(API).json()
    assert [row["id"] for row in listed["results"]] == [referral_id]
    detail = portal.get(f"{API}{referral_id}/").json()
    assert detail["your_actions"] == ["acknowledge", "accept", "reject"]
    assert [e["action"] for e in detail["events"]] == ["approve"]  # not the centre's internal steps
    version = detail["version"]
    ack = portal.post(
        path,
        {"action": "acknowledge", "institution_reference": "KT-77/26", "version": version},
        format="json",
    )
    assert ack.status_code == 200 and ack.json()["institution_reference"] == "KT-77/26"

    stale = portal.post(path, {"action": "accept", "version": version}, format="json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"

    illegal = portal.post(path, {"action": "complete", "feedback": "x"}, format="json")
    assert illegal.status_code == 409
    assert illegal.json()["code"] == "illegal_transition"
    assert illegal.json()["state"] == "acknowledged"
    assert illegal.json()["allowed"] == ["accept", "reject", "revoke"]

    not_theirs = portal.post(path, {"action": "revoke", "reason": "x"}, format="json")
    assert not_theirs.status_code == 403

    assert portal.post(path, {"action": "accept"}, format="json").status_code == 200
    missing = portal.post(path, {"action": "complete"}, format="json")
    assert missing.status_code == 400 and "feedback" in missing.json()
    done = portal.post(path, {"action": "complete", "feedback": "Кривична пријава поднета."}, format="json")
    assert done.json()["state"] == "completed" and done.json()["feedback"] == "Кривична пријава поднета."


def test_staff_record_answers_on_behalf(client_for, counsellor, make_referral, police):
    referral = make_referral(counsellor, police, state=S.SENT)
    api = client_for(counsellor)
    refused = api.post(url(referral, "transition/"), {"action": "reject", "reason": "x"}, format="json")
    assert refused.status_code == 403
    response = api.post(
        url(referral, "transition/"),
        {"action": "reject", "reason": "Ненадлежни", "on_behalf": True},
        format="json",
    )
    assert response.status_code == 200 and response.json()["rejection_reason"] == "Ненадлежни"
    assert response.json()["events"][-1]["on_behalf"] is True


def test_auditor_reads_but_may_not_act(client_for, counsellor, auditor, make_referral, police):
    referral = make_referral(counsellor, police, state=S.SENT)
    api = client_for(auditor)
    assert api.get(url(referral)).status_code == 200
    assert (
        api.post(url(referral, "transition/"), {"action": "revoke", "reason": "x"}, format="json").status_code
        == 403
    )
    assert api.post(url(referral, "messages/"), {"body": "x"}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "action"),
        ({"action": "explode"}, "action"),
        ({"action": ["send"]}, "action"),
        ({"action": "revoke", "reason": ["x"]}, "reason"),
        ({"action": "revoke", "reason": "x", "version": "one"}, "version"),
        ({"action": "revoke", "reason": "x", "version": 2**40}, "version"),
        ({"action": "revoke", "reason": "x", "on_behalf": "perhaps"}, "on_behalf"),
        (
            {"action": "acknowledge", "on_behalf": True, "institution_reference": "r" * 101},
            "institution_reference",
        ),
        ({"action": "revoke", "reason": "\x00"}, "reason"),
        ({"action": "revoke"}, "reason"),
    ],
)
def test_bad_transition_bodies_name_the_field(client_for, counsellor, make_referral, police, body, field):
    referral = make_referral(counsellor, police, state=S.SENT)
    response = client_for(counsellor).post(url(referral, "transition/"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_update_draft(client_for, counsellor, make_referral, police):
    referral = make_referral(counsellor, police)
    api = client_for(counsellor)
    assert api.patch(url(referral), {"reason": "x"}, format="json").status_code == 400  # version required
    response = api.patch(url(referral), {"reason": "Ново", "version": referral.version}, format="json")
    assert response.status_code == 200 and response.json()["reason"] == "Ново"
    stale = api.patch(url(referral), {"reason": "Опет", "version": referral.version}, format="json")
    assert stale.status_code == 409
    assert api.put(url(referral), {}, format="json").status_code == 405
    assert api.delete(url(referral)).status_code == 405


# --- messages, delivery, suggestions --------------------------------------------------------------------


def test_messages(client_for, counsellor, make_referral, police, police_liaison):
    referral = make_referral(counsellor, police, state=S.SENT)
    liaison = client_for(police_liaison)
    posted = liaison.post(url(referral, "messages/"), {"body": "Треба нам адреса."}, format="json")
    assert posted.status_code == 201 and posted.json()["from_institution"] is True
    reply = client_for(counsellor).post(url(referral, "messages/"), {"body": "Шаљемо."}, format="json")
    assert reply.status_code == 201 and reply.json()["from_institution"] is False
    listed = liaison.get(url(referral, "messages/")).json()
    assert [m["body"] for m in listed["results"]] == ["Треба нам адреса.", "Шаљемо."]
    assert (
        client_for(counsellor).post(url(referral, "messages/"), {"body": " "}, format="json").status_code
        == 400
    )


def test_manual_delivery(client_for, counsellor, make_referral, police):
    referral = make_referral(counsellor, police, state=S.SENT)
    api = client_for(counsellor)
    assert api.post(url(referral, "delivery/"), {"method": "email"}, format="json").status_code == 400
    response = api.post(
        url(referral, "delivery/"), {"method": "paper", "note": "Предато на шалтеру"}, format="json"
    )
    assert response.status_code == 200 and response.json()["delivery_status"] == "delivered"


def test_suggestions(client_for, counsellor, police_liaison, auditor):
    case = testing.make_case(counsellor, categories=list(Category.objects.filter(code="csam")))
    api = client_for(counsellor)
    response = api.get(f"{API}suggestions/", {"case": case.reference})
    assert response.status_code == 200
    assert [(s["institution"], s["preselected"]) for s in response.json()] == [
        ("rs-prosecutor-vtk", True),
        ("rs-police-vtk", True),
        ("rs-hotline-netpatrola", True),
    ]
    assert response.json()[0]["institution_name"] == Institution.objects.get(code="rs-prosecutor-vtk").name
    for params in ({}, {"case": "SS-0000-000000"}, {"case": "\x00"}, {"case": "x" * 500}):
        bad = api.get(f"{API}suggestions/", params)
        assert bad.status_code == 400 and "case" in bad.json()
    for user in (police_liaison, auditor):
        assert client_for(user).get(f"{API}suggestions/", {"case": case.reference}).status_code == 403


# --- institution isolation ---------------------------------------------------------------------------------


def test_isolation_matrix_over_the_api(
    client_for, counsellor, make_referral, police, school, police_liaison, school_liaison
):
    """Every liaison × every referral (every state, two institutions) × every endpoint: their own
    institution's sent referrals answer, everything else is a 404 identical to a missing id."""
    referrals = [
        make_referral(counsellor, inst, state=state) for inst in (police, school) for state in S.values
    ]
    missing = Referral.objects.order_by("-pk").first().pk + 1000
    for liaison, referral in itertools.product((police_liaison, school_liaison), referrals):
        client = client_for(liaison)
        own = referral.institution_id == liaison.institution_membership.institution_id
        visible = own and referral.sent_at is not None and referral.state not in (S.DRAFT, S.PENDING_APPROVAL)
        listed = {row["id"] for row in client.get(API, {"page_size": 200}).json()["results"]}
        assert (referral.pk in listed) == visible
        probes = [
            ("get", url(referral), None),
            ("get", url(referral, "messages/"), None),
            ("post", url(referral, "messages/"), {"body": "?"}),
            ("post", url(referral, "transition/"), {"action": "explode"}),
            ("patch", url(referral), {"version": 1}),
            ("post", url(referral, "delivery/"), {"method": "phone"}),
        ]
        for method, path, body in probes:
            with transaction.atomic():
                response = getattr(client, method)(path, body, format="json")
                transaction.set_rollback(True)
            where = (liaison.username, referral.institution.code, referral.state, method, path)
            if not visible:
                ghost = getattr(client, method)(
                    path.replace(f"/{referral.pk}/", f"/{missing}/"), body, format="json"
                )
                assert response.status_code == ghost.status_code == 404, where
                assert response.json() == ghost.json(), where
            else:
                assert response.status_code != 404, where


def test_odd_ids_are_404(client_for, counsellor):
    api = client_for(counsellor)
    for key in ("abc", "0", "-1", "9" * 30, "1.5", "%00"):
        assert api.get(f"{API}{key}/").status_code == 404, key


# --- random input ---------------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=8,
)
plausible = (
    st.sampled_from(
        [
            "send",
            "submit",
            "approve",
            "return",
            "acknowledge",
            "accept",
            "reject",
            "complete",
            "revoke",
            "x",
            "",
        ]
    )
    | st.integers(min_value=-2, max_value=5)
    | st.booleans()
)
KEYS = ["action", "note", "reason", "feedback", "institution_reference", "version", "on_behalf"]


@pytest.mark.parametrize("state", [S.DRAFT, S.PENDING_APPROVAL, S.SENT, S.ACCEPTED])
@pytest.mark.parametrize("who", ["supervisor", "counsellor", "liaison"])
def test_random_transition_bodies_never_500(
    client_for, counsellor, supervisor, police, police_liaison, make_referral, state, who
):
    referral = make_referral(counsellor, police, state=state)
    actor = {"supervisor": supervisor, "counsellor": counsellor, "liaison": police_liaison}[who]
    client = client_for(actor)
    path = url(referral, "transition/")
    value = json_values | plausible

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=st.fixed_dictionaries({}, optional={key: value for key in KEYS}) | json_values)
    def check(body):
        with transaction.atomic():
            response = client.generic("POST", path, json.dumps(body), content_type="application/json")
            transaction.set_rollback(True)
        assert response.status_code in (200, 400, 403, 404, 409), (body, response.content[:300])
        if response.status_code == 404:
            assert who == "liaison" and state in (S.DRAFT, S.PENDING_APPROVAL)
        if response.status_code >= 400:
            assert isinstance(response.json(), dict)

    check()
