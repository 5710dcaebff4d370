"""A local stand-in for the messenger providers' APIs, and signed webhook fixtures.

``FakeProviders`` is a real HTTP server on 127.0.0.1 (http.server in a thread) that implements
the endpoints our adapters call — Viber ``/pa/send_message``, Telegram ``sendMessage``,
``getFile`` and the file download, Meta ``/me/messages``, WhatsApp ``/<phone number id>/messages``
and media by id, and the CDN links media arrive on. It **checks every request** as the provider
does: method, path, the auth header or token in the path, and the JSON body's required fields and
their types. A malformed request is answered the way the provider answers it (Telegram and Meta:
HTTP 400 with their error body; Viber: HTTP 200 with ``status`` 3 "badData") and listed in
``rejected``; every request is listed in ``requests`` for the tests' assertions.

The account settings (``api_base``, ``graph_base``) point the adapters here; nothing leaves the
machine.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

VIBER_TOKEN = "4453b6ac12345678-e02c5f12174805f9-daec9cbb5448c51e"
TELEGRAM_TOKEN = "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
TELEGRAM_SECRET = "tg-secret_token-0123456789"
META_APP_SECRET = "d41d8cd98f00b204e9800998ecf8427e"
META_TOKEN = "EAAGm0PX4ZCpsBAfaketokenforthetests"
WA_PHONE_NUMBER_ID = "106540352242922"
GRAPH_VERSION = "v21.0"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict
    json: object = None
    status: int = 200


@dataclass
class FakeProviders:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Recorded] = field(default_factory=list)
    rejected: list[tuple[Recorded, str]] = field(default_factory=list)
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # name → (bytes, content type)
    # Scripted failures: Viber's send status, Meta's error for the next sends.
    viber_status: int = 0
    meta_error: dict | None = None
    ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def reset(self) -> None:
        self.requests.clear()
        self.rejected.clear()
        self.media.clear()
        self.viber_status = 0
        self.meta_error = None

    def sent(self, path_part: str) -> list[Recorded]:
        """The well-formed POSTs whose path contains ``path_part``."""
        bad = {id(r) for r, _why in self.rejected}
        return [r for r in self.requests if r.method == "POST" and path_part in r.path and id(r) not in bad]

    def add_media(self, name: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        self.media[name] = (data, content_type)


# --- request checks ---------------------------------------------------------------------------


class Malformed(Exception):
    pass


def _require(body, path: str, kind, *, max_len: int | None = None, choices=None):
    value = body
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            raise Malformed(f"missing {path}")
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, kind):
        raise Malformed(f"{path} has the wrong type")
    if isinstance(value, str) and not value:
        raise Malformed(f"{path} is empty")
    if max_len is not None and len(value) > max_len:
        raise Malformed(f"{path} is too long")
    if choices is not None and value not in choices:
        raise Malformed(f"{path} is not one of {choices}")
    return value


def check_viber_send(body) -> None:
    _require(body, "receiver", str)
    _require(body, "type", str, choices=("text",))
    _require(body, "text", str, max_len=7000)
    _require(body, "sender.name", str, max_len=28)
    if "min_api_version" in body:
        _require(body, "min_api_version", int)
    if "tracking_data" in body:
        _require(body, "tracking_data", str, max_len=4096)
    extra = set(body) - {"receiver", "type", "text", "sender", "min_api_version", "tracking_data"}
    if extra:
        raise Malformed(f"unknown fields {sorted(extra)}")


def check_telegram_send(body) -> None:
    _require(body, "chat_id", (int, str))
    _require(body, "text", str, max_len=4096)


def check_meta_send(body) -> None:
    _require(body, "recipient.id", str)
    _require(body, "messaging_type", str, choices=("RESPONSE", "UPDATE", "MESSAGE_TAG"))
    _require(body, "message.text", str, max_len=2000)


def check_whatsapp_send(body) -> None:
    _require(body, "messaging_product", str, choices=("whatsapp",))
    to = _require(body, "to", str)
    if not to.isdigit():
        raise Malformed("to is not a phone number")
    _require(body, "type", str, choices=("text",))
    _require(body, "text.body", str, max_len=4096)
    if "recipient_type" in body:
        _require(body, "recipient_type", str, choices=("individual",))


# --- the server ---------------------------------------------------------------------------------


def _handler(fake: FakeProviders):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def _answer(self, status: int, body, content_type: str = "application/json") -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.record.status = status
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _read_json(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if not raw:
                return None
            if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                raise Malformed("body is not declared as JSON")
            try:
                return json.loads(raw)
            except ValueError:
                raise Malformed("body is not JSON") from None

        def _reject(self, why: str, status: int, body) -> None:
            fake.rejected.append((self.record, why))
            self._answer(status, body)

        def do_GET(self):
            self._dispatch("GET")

        def do_POST(self):
            self._dispatch("POST")

        def _dispatch(self, method: str):
            parsed = urllib.parse.urlsplit(self.path)
            self.record = Recorded(method, self.path, dict(self.headers.items()))
            fake.requests.append(self.record)
            try:
                self.record.json = self._read_json() if method == "POST" else None
            except Malformed as exc:
                return self._reject(str(exc), 400, {"error": str(exc)})
            path = parsed.path
            for prefix, route in (
                ("/viber/", self._viber),
                ("/telegram/", self._telegram),
                ("/meta/", self._meta),
            ):
                if path.startswith(prefix):
                    return route(method, path[len(prefix) - 1 :], urllib.parse.parse_qs(parsed.query))
            self._reject("unknown path", 404, {"error": "not found"})

        # Viber: /viber/pa/send_message, /viber/media/<name>
        def _viber(self, method, path, query):
            if path == "/pa/send_message" and method == "POST":
                if self.headers.get("X-Viber-Auth-Token") != VIBER_TOKEN:
                    return self._reject("bad token", 200, {"status": 2, "status_message": "invalidAuthToken"})
                try:
                    check_viber_send(self.record.json)
                except Malformed as exc:
                    return self._reject(str(exc), 200, {"status": 3, "status_message": "badData"})
                if fake.viber_status:
                    return self._answer(200, {"status": fake.viber_status, "status_message": "notSubscribed"})
                return self._answer(
                    200,
                    {
                        "status": 0,
                        "status_message": "ok",
                        "message_token": 5098034272017990000 + next(fake.ids),
                    },
                )
            if path.startswith("/media/") and method == "GET":
                return self._media(path[len("/media/") :])
            self._reject("unknown Viber path", 404, {"status": 1, "status_message": "invalidUrl"})

        # Telegram: /telegram/bot<token>/<method>, /telegram/file/bot<token>/<path>
        def _telegram(self, method, path, query):
            match = re.fullmatch(r"/bot([^/]+)/(\w+)", path)
            file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
            token = (match or file_match).group(1) if (match or file_match) else ""
            if token != TELEGRAM_TOKEN:
                return self._reject(
                    "bad token", 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                )
            if file_match and method == "GET":
                return self._media(urllib.parse.unquote(file_match.group(2)))
            if match and match.group(2) == "sendMessage" and method == "POST":
                try:
                    check_telegram_send(self.record.json)
                except Malformed as exc:
                    return self._reject(
                        str(exc), 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
                    )
                body = self.record.json
                return self._answer(
                    200,
                    {
                        "ok": True,
                        "result": {
                            "message_id": next(fake.ids),
                            "chat": {"id": body["chat_id"], "type": "private"},
                            "date": int(time.time()),
                            "text": body["text"],
                        },
                    },
                )
            if match and match.group(2) == "getFile" and method == "GET":
                file_id = (query.get("file_id") or [""])[0]
                if f"photos/{file_id}" not in fake.media and f"documents/{file_id}" not in fake.media:
                    return self._reject(
                        "unknown file",
                        400,
                        {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
                    )
                file_path = (
                    f"photos/{file_id}" if f"photos/{file_id}" in fake.media else f"documents/{file_id}"
                )
                size = len(fake.media[file_path][0])
                return self._answer(
                    200,
                    {
                        "ok": True,
                        "result": {
                            "file_id": file_id,
                            "file_unique_id": file_id[:8],
                            "file_size": size,
                            "file_path": file_path,
                        },
                    },
                )
            self._reject(
                "unknown Telegram method", 404, {"ok": False, "error_code": 404, "description": "Not Found"}
            )

        # Meta: /meta/<version>/me/messages, /meta/<version>/<phone id>/messages, /meta/<version>/<media id>,
        # /meta/cdn/<name> (Messenger CDN, no token), /meta/wa-media/<id> (token required)
        def _meta(self, method, path, query):
            if path.startswith("/cdn/") and method == "GET":
                return self._media(path[len("/cdn/") :])
            authorised = self.headers.get("Authorization") == f"Bearer {META_TOKEN}"
            oauth = {
                "error": {"message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190}
            }
            if path.startswith("/wa-media/") and method == "GET":
                return self._media(path[1:]) if authorised else self._reject("no token", 401, oauth)
            match = re.fullmatch(r"/(v\d+\.\d+)/([\w.]+)(/messages)?", path)
            if not match:
                return self._reject(
                    "unknown Graph path", 404, {"error": {"message": "Unknown path", "code": 803}}
                )
            if not authorised:
                return self._reject("bad token", 400, oauth)
            node, edge = match.group(2), match.group(3)
            if edge and method == "POST":
                check = check_meta_send if node == "me" else check_whatsapp_send
                if node not in ("me", WA_PHONE_NUMBER_ID):
                    return self._reject(
                        "unknown phone number id",
                        400,
                        {"error": {"message": "Unsupported post request", "code": 100}},
                    )
                try:
                    check(self.record.json)
                except Malformed as exc:
                    return self._reject(
                        str(exc),
                        400,
                        {"error": {"message": f"(#100) {exc}", "type": "OAuthException", "code": 100}},
                    )
                if fake.meta_error:
                    return self._answer(400, {"error": fake.meta_error})
                n = next(fake.ids)
                if node == "me":
                    return self._answer(
                        200, {"recipient_id": self.record.json["recipient"]["id"], "message_id": f"m_fake{n}"}
                    )
                to = self.record.json["to"]
                return self._answer(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "contacts": [{"input": to, "wa_id": to}],
                        "messages": [{"id": f"wamid.FAKE{n}"}],
                    },
                )
            if not edge and method == "GET":
                name = f"wa-media/{node}"
                if name not in fake.media:
                    return self._reject(
                        "unknown media id", 400, {"error": {"message": "Invalid media id", "code": 100}}
                    )
                data, content_type = fake.media[name]
                return self._answer(
                    200,
                    {
                        "messaging_product": "whatsapp",
                        "url": f"{fake.url}/meta/{name}",
                        "mime_type": content_type,
                        "sha256": hashlib.sha256(data).hexdigest(),
                        "file_size": len(data),
                        "id": node,
                    },
                )
            self._reject(
                "unknown Graph call", 400, {"error": {"message": "Unsupported request", "code": 100}}
            )

        def _media(self, name: str):
            if name not in fake.media:
                return self._reject("unknown media", 404, b"not found")
            data, content_type = fake.media[name]
            self._answer(200, data, content_type)

    return Handler


@pytest.fixture(scope="session")
def fake_provider_server():
    fake = FakeProviders()
    server = ThreadingHTTPServer((fake.host, 0), _handler(fake))
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake_provider(fake_provider_server):
    fake_provider_server.reset()
    yield fake_provider_server
    assert fake_provider_server.rejected == [], "the adapters sent a request the provider would refuse"


# --- accounts and signed webhooks -----------------------------------------------------------------


def make_account(kind: str, fake: FakeProviders | None = None, *, name: str = "", **settings):
    """A messenger channel account with its secrets, its API pointed at ``fake``."""
    from smartsafe import testing
    from smartsafe.inbox import actions

    testing.channel(kind)
    base = fake.url if fake else "http://127.0.0.1:9"
    values = {
        "viber": ({"api_base": f"{base}/viber/pa"}, {"token": VIBER_TOKEN}),
        "telegram": ({"api_base": f"{base}/telegram"}, {"token": TELEGRAM_TOKEN, "secret": TELEGRAM_SECRET}),
        "messenger": (
            {"graph_base": f"{base}/meta", "graph_version": GRAPH_VERSION},
            {"secret": META_APP_SECRET, "token": META_TOKEN},
        ),
        "instagram": (
            {"graph_base": f"{base}/meta", "graph_version": GRAPH_VERSION},
            {"secret": META_APP_SECRET, "token": META_TOKEN},
        ),
        "whatsapp": (
            {
                "graph_base": f"{base}/meta",
                "graph_version": GRAPH_VERSION,
                "phone_number_id": WA_PHONE_NUMBER_ID,
            },
            {"secret": META_APP_SECRET, "token": META_TOKEN},
        ),
    }[kind]
    return actions.create_account(
        kind=kind, name=name or f"{kind} test", settings={**values[0], **settings}, **values[1]
    )


def url(account) -> str:
    return f"/inbox/webhooks/{account.webhook_token}/"


def body(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def viber_headers(raw: bytes, token: str = VIBER_TOKEN) -> dict:
    return {"HTTP_X_VIBER_CONTENT_SIGNATURE": hmac.new(token.encode(), raw, hashlib.sha256).hexdigest()}


def telegram_headers(raw: bytes = b"", secret: str = TELEGRAM_SECRET) -> dict:
    return {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret}


def meta_headers(raw: bytes, secret: str = META_APP_SECRET) -> dict:
    return {
        "HTTP_X_HUB_SIGNATURE_256": "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    }


SIGNERS = {
    "viber": viber_headers,
    "telegram": telegram_headers,
    "messenger": meta_headers,
    "instagram": meta_headers,
    "whatsapp": meta_headers,
}


def post(client, account, payload, *, headers: dict | None = None, raw: bytes | None = None):
    """POST ``payload`` to ``account``'s webhook, signed correctly unless ``headers`` are given."""
    raw = body(payload) if raw is None else raw
    signed = SIGNERS[account.kind](raw) if headers is None else headers
    return client.generic("POST", url(account), raw, content_type="application/json", **signed)


# --- payloads as the providers send them ------------------------------------------------------------


def now_ms() -> int:
    return int(time.time() * 1000)


def viber_message(
    token: int, sender: str = "01234567890A=", *, text: str = "Zdravo, treba mi pomoć", **message
):
    return {
        "event": "message",
        "timestamp": now_ms(),
        "chat_hostname": "SN-CHAT-03_",
        "message_token": token,
        "sender": {
            "id": sender,
            "name": "Ana",
            "avatar": "http://avatar.example/a.jpg",
            "language": "sr",
            "country": "RS",
            "api_version": 10,
        },
        "message": {"type": "text", "text": text, **message},
        "silent": False,
    }


def telegram_update(
    message_id: int, user_id: int = 1111111, *, text: str = "Zdravo", chat_type: str = "private", **fields
):
    message = {
        "message_id": message_id,
        "from": {"id": user_id, "is_bot": False, "first_name": "Marko", "language_code": "sr"},
        "chat": {"id": user_id, "first_name": "Marko", "type": chat_type},
        "date": int(time.time()),
        **({"text": text} if text else {}),
        **fields,
    }
    return {"update_id": 10000 + message_id, "message": message}


def messenger_event(
    mid: str, psid: str = "1254477777772919", *, text: str = "Zdravo", object_: str = "page", **message
):
    return {
        "object": object_,
        "entry": [
            {
                "id": "106540352242922",
                "time": now_ms(),
                "messaging": [
                    {
                        "sender": {"id": psid},
                        "recipient": {"id": "106540352242922"},
                        "timestamp": now_ms(),
                        "message": {"mid": mid, **({"text": text} if text else {}), **message},
                    }
                ],
            }
        ],
    }


def whatsapp_event(
    wamid: str, wa_id: str = "381641234567", *, text: str = "Zdravo", message: dict | None = None
):
    message = message or {"type": "text", "text": {"body": text}}
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": WA_PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": "Jelena"}, "wa_id": wa_id}],
                            "messages": [
                                {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), **message}
                            ],
                        },
                    }
                ],
            }
        ],
    }
