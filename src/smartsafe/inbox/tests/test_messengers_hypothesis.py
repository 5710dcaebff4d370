"""Whatever arrives at a messenger webhook — any bytes, any headers, any JSON, signed or not — the
answer is never a 500, and processing a verified payload never raises nor logs an error."""

import copy
import logging

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from smartsafe.inbox import messenger
from smartsafe.inbox.models import InboundMessage

from .fake_providers import (
    SIGNERS,
    body,
    make_account,
    messenger_event,
    telegram_update,
    url,
    viber_message,
    whatsapp_event,
)

pytestmark = pytest.mark.django_db
KINDS = ["viber", "telegram", "messenger", "instagram", "whatsapp"]
RUN = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

SIGNATURE_HEADERS = st.sampled_from(
    [
        "HTTP_X_VIBER_CONTENT_SIGNATURE",
        "HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN",
        "HTTP_X_HUB_SIGNATURE_256",
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
    ]
)
HEADER_VALUES = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=80),
    st.sampled_from(["sha256=", "sha256=00", "sha1=abc", "", "-1", "99999999999", "0", "application/json"]),
)
KEYS = st.sampled_from(
    [
        "event",
        "message",
        "sender",
        "id",
        "message_token",
        "type",
        "media",
        "text",
        "entry",
        "messaging",
        "changes",
        "value",
        "messages",
        "from",
        "chat",
        "photo",
        "file_id",
        "document",
        "attachments",
        "payload",
        "url",
        "object",
        "timestamp",
        "date",
        "mid",
        "contacts",
        "metadata",
        "phone_number_id",
        "is_echo",
        "field",
        "caption",
        "image",
        "location",
        "contact",
        "statuses",
        "name",
    ]
)
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(KEYS | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


def valid_payloads(kind: str) -> list[dict]:
    if kind == "viber":
        return [viber_message(1), viber_message(2, type="picture", media="ftp://x/y.jpg"), {"event": "seen"}]
    if kind == "telegram":
        return [telegram_update(1), telegram_update(2, photo=[{"file_id": "A"}], text="")]
    if kind == "whatsapp":
        return [
            whatsapp_event("wamid.1"),
            whatsapp_event("wamid.2", message={"type": "image", "image": {"id": "9"}}),
        ]
    obj = "instagram" if kind == "instagram" else "page"
    return [
        messenger_event("m_1", object_=obj),
        messenger_event("m_2", object_=obj, attachments=[{"type": "image", "payload": {"url": "x"}}]),
    ]


def paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from paths(item, (*prefix, index))


@st.composite
def mutated(draw, kind):
    payload = copy.deepcopy(draw(st.sampled_from(valid_payloads(kind))))
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from([p for p in paths(payload) if p]))
        parent = payload
        for step in where[:-1]:
            parent = parent[step]
        parent[where[-1]] = draw(JSON)
    return payload


@pytest.fixture
def accounts(db):
    # APIs point at a closed local port: any download a random payload asks for fails at once.
    return {kind: make_account(kind) for kind in KINDS}


@RUN
@given(
    kind=st.sampled_from(KINDS),
    raw=st.binary(max_size=300),
    headers=st.dictionaries(SIGNATURE_HEADERS, HEADER_VALUES, max_size=4),
)
def test_unsigned_garbage_is_refused_never_500(client, accounts, kind, raw, headers):
    # A declared length beyond the body never reaches the application: the HTTP server waits for
    # the rest or drops the connection (Django's test client asserts instead of answering).
    declared = str(headers.get("CONTENT_LENGTH", "")).strip()
    assume(not (declared.isdigit() and int(declared) > len(raw)))
    response = client.generic("POST", url(accounts[kind]), raw, content_type="application/json", **headers)
    assert response.status_code in (400, 401, 403, 413)
    assert not InboundMessage.objects.exists()


@RUN
@given(kind=st.sampled_from(KINDS), raw=st.binary(max_size=300))
def test_signed_garbage_is_400_or_accepted(client, accounts, kind, raw, caplog):
    account = accounts[kind]
    with caplog.at_level(logging.ERROR, logger="smartsafe.inbox"):
        response = client.generic(
            "POST", url(account), raw, content_type="application/json", **SIGNERS[kind](raw)
        )
    assert response.status_code in (200, 400)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@RUN
@given(kind=st.sampled_from(KINDS), payload=JSON)
def test_signed_random_json_never_500(client, accounts, kind, payload, caplog):
    raw = body(payload)
    with caplog.at_level(logging.ERROR, logger="smartsafe.inbox"):
        response = client.generic(
            "POST", url(accounts[kind]), raw, content_type="application/json", **SIGNERS[kind](raw)
        )
    assert response.status_code == (200 if isinstance(payload, dict) else 400)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@RUN
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_mutated_provider_payloads_are_processed_without_error(accounts, data, kind, caplog):
    payload = data.draw(mutated(kind))
    with caplog.at_level(logging.ERROR, logger="smartsafe.inbox"):
        summary = messenger.process_payload(accounts[kind], payload)
    assert summary["failed"] == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@RUN
@given(
    kind=st.sampled_from(KINDS),
    query=st.dictionaries(
        st.sampled_from(["hub.mode", "hub.verify_token", "hub.challenge", "x"]),
        st.text(max_size=40),
        max_size=4,
    ),
)
def test_any_get_is_answered_without_500(client, accounts, kind, query):
    response = client.get(url(accounts[kind]), query)
    assert response.status_code in (200, 403, 405)
