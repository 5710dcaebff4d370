"""The fake providers check requests as the real ones do: otherwise the adapter tests prove little."""

import pytest

from smartsafe.inbox.channels.messaging import ProviderError, call_json

from . import fake_providers
from .fake_providers import (
    GRAPH_VERSION,
    META_TOKEN,
    TELEGRAM_TOKEN,
    VIBER_TOKEN,
    WA_PHONE_NUMBER_ID,
)

# The fake providers' fixtures, for these tests.
fake_provider_server = fake_providers.fake_provider_server
fake_provider = fake_providers.fake_provider

VIBER_OK = {
    "receiver": "u1",
    "type": "text",
    "text": "hi",
    "sender": {"name": "Centre"},
    "min_api_version": 1,
}
META_OK = {"recipient": {"id": "1"}, "messaging_type": "RESPONSE", "message": {"text": "hi"}}
WA_OK = {"messaging_product": "whatsapp", "to": "381641234567", "type": "text", "text": {"body": "hi"}}


def test_well_formed_requests_are_answered(fake_provider):
    base = fake_provider.url
    assert (
        call_json(
            "POST",
            f"{base}/viber/pa/send_message",
            headers={"X-Viber-Auth-Token": VIBER_TOKEN},
            payload=VIBER_OK,
        )["status"]
        == 0
    )
    assert (
        call_json(
            "POST", f"{base}/telegram/bot{TELEGRAM_TOKEN}/sendMessage", payload={"chat_id": 1, "text": "hi"}
        )["ok"]
        is True
    )
    auth = {"Authorization": f"Bearer {META_TOKEN}"}
    assert call_json("POST", f"{base}/meta/{GRAPH_VERSION}/me/messages", headers=auth, payload=META_OK)[
        "message_id"
    ]
    assert call_json(
        "POST", f"{base}/meta/{GRAPH_VERSION}/{WA_PHONE_NUMBER_ID}/messages", headers=auth, payload=WA_OK
    )["messages"]
    assert len(fake_provider.requests) == 4


@pytest.mark.parametrize(
    "payload",
    [
        {**VIBER_OK, "receiver": 5},
        {k: v for k, v in VIBER_OK.items() if k != "sender"},
        {**VIBER_OK, "sender": {"name": "x" * 29}},
        {**VIBER_OK, "type": "picture"},
        {**VIBER_OK, "text": ""},
        {**VIBER_OK, "unexpected": 1},
    ],
)
def test_viber_answers_bad_data(fake_provider, payload):
    answer = call_json(
        "POST",
        f"{fake_provider.url}/viber/pa/send_message",
        headers={"X-Viber-Auth-Token": VIBER_TOKEN},
        payload=payload,
    )
    assert answer["status"] == 3 and len(fake_provider.rejected) == 1
    fake_provider.rejected.clear()


def test_viber_checks_the_token(fake_provider):
    answer = call_json(
        "POST",
        f"{fake_provider.url}/viber/pa/send_message",
        headers={"X-Viber-Auth-Token": "x"},
        payload=VIBER_OK,
    )
    assert answer["status"] == 2
    fake_provider.rejected.clear()


@pytest.mark.parametrize(
    ("path", "headers", "payload"),
    [
        (f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage", {}, {"chat_id": 1}),
        (f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage", {}, {"chat_id": [1], "text": "x"}),
        (f"/telegram/bot{TELEGRAM_TOKEN}/sendMessage", {}, {"chat_id": 1, "text": "x" * 4097}),
        ("/telegram/bot1:wrong/sendMessage", {}, {"chat_id": 1, "text": "x"}),
        (
            f"/meta/{GRAPH_VERSION}/me/messages",
            {"Authorization": f"Bearer {META_TOKEN}"},
            {**META_OK, "messaging_type": "SPAM"},
        ),
        (
            f"/meta/{GRAPH_VERSION}/me/messages",
            {"Authorization": f"Bearer {META_TOKEN}"},
            {"recipient": {"id": "1"}, "messaging_type": "RESPONSE"},
        ),
        (f"/meta/{GRAPH_VERSION}/me/messages", {"Authorization": "Bearer other"}, META_OK),
        (f"/meta/{GRAPH_VERSION}/me/messages", {}, META_OK),
        (
            f"/meta/{GRAPH_VERSION}/{WA_PHONE_NUMBER_ID}/messages",
            {"Authorization": f"Bearer {META_TOKEN}"},
            {**WA_OK, "to": "+38164"},
        ),
        (
            f"/meta/{GRAPH_VERSION}/{WA_PHONE_NUMBER_ID}/messages",
            {"Authorization": f"Bearer {META_TOKEN}"},
            {**WA_OK, "messaging_product": "sms"},
        ),
        (f"/meta/{GRAPH_VERSION}/12345/messages", {"Authorization": f"Bearer {META_TOKEN}"}, WA_OK),
        ("/meta/latest/me/messages", {"Authorization": f"Bearer {META_TOKEN}"}, META_OK),
    ],
)
def test_telegram_and_meta_answer_errors_for_malformed_requests(fake_provider, path, headers, payload):
    with pytest.raises(ProviderError) as error:
        call_json("POST", fake_provider.url + path, headers=headers, payload=payload)
    assert error.value.status in (400, 401, 404)
    assert len(fake_provider.rejected) == 1
    fake_provider.rejected.clear()
