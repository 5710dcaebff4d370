"""No body makes an API endpoint answer 5xx, and every refusal of a body is JSON.

The endpoints are found by walking the URL resolver under ``/api/v1/``, so an endpoint added later is
covered without touching this file. Each one gets, for every method it accepts a body on, hostile
bodies (nesting deep enough to exhaust the parser's stack, bodies over the size limits, bytes that
are not UTF-8, content types that do not match the body) from an anonymous caller, a signed-in
supervisor (with and without CSRF enforcement, which makes DRF parse the body while it
authenticates) and the telephony exchange's token.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from smartsafe import testing
from smartsafe.accounts.models import ApiToken
from smartsafe.inbox.api_telephony import SERVICE_USERNAME

pytestmark = pytest.mark.django_db

GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
BODY_METHODS = ("post", "put", "patch", "delete")
DEEP = b"[" * 100_000
INVALID_UTF8 = b'{"summary": "\xff\xfe\xc3\x28"}'
REPORT = {
    "category": "threats_blackmail",
    "description": "Someone says they will post my photos unless I pay 100 euros.",
    "when_date": "2025-04-01",
    "platforms": ["instagram"],
    "age_band": "16-17",
    "municipality": "rs-beograd",
    "in_danger": "no",
    "reporter": "parent",
    "consent": True,
}


def _walk(patterns, prefix=""):
    for entry in patterns:
        route = getattr(entry.pattern, "_route", None)
        text = route if route is not None else entry.pattern.regex.pattern
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + text)
        elif isinstance(entry, URLPattern):
            yield prefix + text, entry.callback


def _methods(callback) -> list[str]:
    """The methods that take a body on this route; a read-only route gets a POST (its 405)."""
    actions = getattr(callback, "actions", None)  # a viewset's route: exactly its mapped methods
    if actions is not None:
        methods = [m for m in actions if m in BODY_METHODS]
    else:
        view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        methods = [m for m in BODY_METHODS if view is not None and hasattr(view, m)]
    return sorted(methods) or ["post"]


def api_endpoints() -> list[tuple[str, str]]:
    """``(route template, method)`` for every route under ``/api/v1/``, format suffixes aside (the
    schema viewers beside it are HTML pages for people)."""
    found = []
    for route, callback in _walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/") or "<format>" in route or "format" in route.split("<")[-1]:
            continue
        found += [(route, method) for method in _methods(callback)]
    return sorted(set(found))


def fill(route: str, values: dict) -> str:
    """A concrete path for ``route``: real objects for the parameters, so bodies get parsed."""
    if "<" in route and "(?P" not in route:
        route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: f"(?P<{m.group(1)}>x)", route)
    prefix = route.split("/")[2] if route.count("/") > 2 else ""

    def value(match):
        name = match.group("name")
        return str(values.get((prefix.lstrip("^"), name), values.get(name, "no-such-thing")))

    path = GROUP.sub(value, route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".")


ENDPOINTS = api_endpoints()


@pytest.fixture
def world(db, settings, tmp_path):
    """Real objects behind every route parameter, and the callers."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SMARTSAFE_EVIDENCE_KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    settings.SMARTSAFE_EVIDENCE_KEY_FILE = ""
    cache.clear()
    supervisor = testing.make_user("supervisor")
    contact = testing.make_contact(supervisor)
    case = testing.make_case(supervisor, contacts=[contact])
    police = testing.make_institution("police-hostile", "police")
    from smartsafe.referrals import actions as referral_actions

    referral = referral_actions.create_referral(actor=supervisor, case=case, institution=police)
    receipt = APIClient().post("/api/v1/reports/", REPORT, format="json")
    assert receipt.status_code == 201, receipt.content[:500]
    report = receipt.json()
    cache.clear()  # the report above counted against the anonymous client's hourly limit

    pbx = testing.make_user("admin", SERVICE_USERNAME)
    key = ApiToken.generate_key()
    ApiToken.objects.create(user=pbx, name="pbx", prefix=key[:8], key_hash=ApiToken.hash_key(key))

    values = {
        ("contacts", "pk"): contact.pk,
        ("cases", "reference"): case.reference,
        ("referrals", "pk"): referral.pk,
        ("reports", "reference"): report["reference"],
        "code": "phone",
    }
    session = APIClient()
    session.force_login(supervisor)
    csrf_session = APIClient(enforce_csrf_checks=True)
    csrf_session.force_login(supervisor)
    callers = {
        "anonymous": APIClient(),
        "session": session,
        "session-csrf": csrf_session,
        "token": APIClient(HTTP_AUTHORIZATION=f"Token {key}"),
    }
    headers = {"HTTP_X_FOLLOW_UP_SECRET": report["follow_up_secret"]}
    return values, callers, headers


def send(world, route, method, body: bytes, content_type: str, caller: str, accept="application/json"):
    values, callers, headers = world
    client = callers[caller]
    client.raise_request_exception = False  # a crash must show as the 500 a client would get
    path = fill(route, values)
    response = client.generic(
        method.upper(), path, body, content_type=content_type, HTTP_ACCEPT=accept, **headers
    )
    label = f"{caller} {method.upper()} {path} [{content_type}, {len(body)} bytes]"
    assert response.status_code < 500, f"{label} → {response.status_code}: {response.content[:300]!r}"
    # A client that asked for HTML may get the browsable API's page (refusals of the body itself
    # are JSON even then: test_deep_nesting_is_400_and_oversized_json_is_413); otherwise JSON.
    if response.status_code >= 400 and accept != "text/html":
        assert response["Content-Type"].startswith("application/json"), (label, response["Content-Type"])
        assert isinstance(response.json(), dict), label
    return response


def test_the_walk_finds_every_api_endpoint():
    routes = {fill(route, {}) for route, _method in ENDPOINTS}
    assert len(ENDPOINTS) >= 30, ENDPOINTS
    for expected in ("/api/v1/reports/", "/api/v1/contacts/", "/api/v1/telephony/events"):
        assert expected in routes, routes


def test_deep_nesting_is_400_and_oversized_json_is_413(world):
    too_big = b'{"summary": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1) + b'"}'
    # The anonymous public report and a signed-in write: both reach the parser.
    for route, caller in (("api/v1/^reports/$", "anonymous"), ("api/v1/^contacts/$", "session")):
        deep = send(world, route, "post", DEEP, "application/json", caller)
        assert deep.status_code == 400 and deep.json()["code"] == "parse_error", deep.json()
        huge = send(world, route, "post", too_big, "application/json", caller)
        assert huge.status_code == 413 and huge.json()["code"] == "too_large", huge.json()
        fields = send(world, route, "post", b"a=1&" * 5000, "application/x-www-form-urlencoded", caller)
        assert fields.status_code == 400, fields.json()
    # A browser asking for HTML still gets the refusal of its body in JSON.
    html = send(world, "api/v1/^contacts/$", "post", DEEP, "application/json", "session", accept="text/html")
    assert html.status_code == 400


def test_a_multipart_body_over_the_ceiling_is_413(world, settings):
    settings.SMARTSAFE_EVIDENCE_MAX_REPORT_MB = 0
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    boundary = "xYzZY"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.png"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode()
        + b"\x89PNG" * 1000
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = send(
        world, "api/v1/^contacts/$", "post", body, f"multipart/form-data; boundary={boundary}", "session"
    )
    assert response.status_code == 413


@pytest.mark.parametrize("kind", ["deep", "huge", "invalid-utf8", "multipart-huge-field", "junk"])
@pytest.mark.parametrize("route,method", ENDPOINTS, ids=[f"{m}-{r}" for r, m in ENDPOINTS])
def test_every_endpoint_refuses_the_classic_hostile_bodies_in_json(world, route, method, kind):
    boundary = "b0undary"
    bodies = {
        "deep": (DEEP, "application/json"),
        "huge": (b"[" + b"1," * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 2) + b"1]", "application/json"),
        "invalid-utf8": (INVALID_UTF8, "application/json; charset=utf-8"),
        "multipart-huge-field": (
            f'--{boundary}\r\nContent-Disposition: form-data; name="summary"\r\n\r\n'.encode()
            + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
            + f"\r\n--{boundary}--\r\n".encode(),
            f"multipart/form-data; boundary={boundary}",
        ),
        "junk": (b"\x00\xff" * 50, "application/octet-stream"),
    }
    body, content_type = bodies[kind]
    for caller in ("anonymous", "session", "session-csrf", "token"):
        send(world, route, method, body, content_type, caller)


CONTENT_TYPES = st.sampled_from(
    [
        "application/json",
        "application/json; charset=latin-1",
        "application/json; charset=nonsense",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=zz",
        "text/plain",
        "application/xml",
        "",
        "*/*",
        "application/json\x00",
    ]
)
NESTING = st.builds(
    lambda opener, depth, tail: opener * depth + tail,
    st.sampled_from([b"[", b'{"a":', b'[{"a":']),
    st.integers(min_value=500, max_value=120_000),
    st.sampled_from([b"", b"1", b"]" * 10, b"}"]),
)
HOSTILE = st.one_of(
    NESTING,
    st.binary(max_size=2000),
    st.text(max_size=500).map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.builds(lambda n: b'{"a": "' + b"y" * n + b'"}', st.integers(2_600_000, 3_000_000)),
)


@hypothesis_settings(
    max_examples=200,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(
    endpoint=st.sampled_from(ENDPOINTS),
    body=HOSTILE,
    content_type=CONTENT_TYPES,
    caller=st.sampled_from(["anonymous", "session", "session-csrf", "token"]),
    accept=st.sampled_from(["application/json", "text/html", "*/*"]),
)
def test_no_body_makes_an_api_endpoint_fail(world, endpoint, body, content_type, caller, accept):
    route, method = endpoint
    send(world, route, method, body, content_type, caller, accept=accept)
