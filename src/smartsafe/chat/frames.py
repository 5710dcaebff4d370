"""What a browser may send on a chat websocket, parsed into frames; anything else is an error.

``parse(text)`` never raises: it returns a ``Frame`` or a ``FrameError`` with a stable ``code``
that the consumer sends back as ``{"type": "error", "code": …, "message": …}``. The connection
stays open after a bad frame (a buggy or hostile client gets told, nothing more).

Client frames::

    {"type": "hello", "session": 12, "token": "…", "since": 40}   child (token) or staff (no token)
    {"type": "hello", "session": 12, "since": 0, "watch": true}    a supervisor watching silently
    {"type": "message", "text": "…", "client_id": "a1b2"}          client_id: optional, ≤ 40 chars
    {"type": "typing"}
    {"type": "read", "upto": 41}
    {"type": "sync", "since": 40}                                  resend what came after 40
    {"type": "end"}
    {"type": "ping"}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

MAX_FRAME_CHARS = 16_000
MAX_TEXT_CHARS = 4_000
MAX_CLIENT_ID = 40
MAX_ID = 2**62

KINDS = ("hello", "message", "typing", "read", "sync", "end", "ping")


@dataclass(frozen=True)
class Frame:
    type: str
    session: int | None = None
    token: str = ""
    since: int = 0
    watch: bool = False
    text: str = ""
    client_id: str = ""
    upto: int = 0
    extra: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class FrameError:
    code: str
    detail: str = ""

    def as_frame(self, message: str) -> dict:
        return {"type": "error", "code": self.code, "message": message, "detail": self.detail}


def _id(value, name: str, *, required: bool = False) -> int | FrameError:
    if value is None and not required:
        return 0
    # JSON true/false are ints in Python: refuse them as ids.
    if isinstance(value, bool) or not isinstance(value, int) or not (0 <= value < MAX_ID):
        return FrameError("bad_field", name)
    return value


def parse(text) -> Frame | FrameError:
    if not isinstance(text, str):
        return FrameError("not_text")
    if len(text) > MAX_FRAME_CHARS:
        return FrameError("too_long")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return FrameError("not_json")
    if not isinstance(data, dict):
        return FrameError("not_object")
    kind = data.get("type")
    if kind not in KINDS:
        return FrameError("unknown_type")
    if kind == "hello":
        session = _id(data.get("session"), "session", required=True)
        since = _id(data.get("since"), "since")
        token = data.get("token", "")
        watch = data.get("watch", False)
        for value in (session, since):
            if isinstance(value, FrameError):
                return value
        if not isinstance(token, str) or len(token) > 200:
            return FrameError("bad_field", "token")
        if not isinstance(watch, bool):
            return FrameError("bad_field", "watch")
        return Frame("hello", session=session, since=since, token=token, watch=watch)
    if kind == "message":
        body = data.get("text")
        client_id = data.get("client_id", "")
        if not isinstance(body, str) or not body.strip():
            return FrameError("empty")
        if len(body) > MAX_TEXT_CHARS:
            return FrameError("too_long")
        if not isinstance(client_id, str) or len(client_id) > MAX_CLIENT_ID:
            return FrameError("bad_field", "client_id")
        return Frame("message", text=body.strip(), client_id=client_id)
    if kind in ("read", "sync"):
        name = "upto" if kind == "read" else "since"
        value = _id(data.get(name), name, required=True)
        if isinstance(value, FrameError):
            return value
        return Frame(kind, upto=value) if kind == "read" else Frame(kind, since=value)
    return Frame(kind)


# Messages for the error codes, translated by the consumer in the chat's language.
def error_message(code: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "not_text": _("Only text frames are understood."),
        "too_long": _("That message is too long."),
        "not_json": _("That was not a message this chat understands."),
        "not_object": _("That was not a message this chat understands."),
        "unknown_type": _("That was not a message this chat understands."),
        "bad_field": _("A part of that message is not valid."),
        "empty": _("An empty message is not sent."),
        "no_hello": _("The chat has not started on this connection yet."),
        "not_found": _("This chat does not exist or has ended."),
        "forbidden": _("You may not write in this chat."),
        "ended": _("This chat has ended."),
        "slow_down": _("You are writing very fast. Please wait a moment."),
        "not_taken": _("A counsellor has not joined yet. Your message will be read when they do."),
    }.get(code, _("Something went wrong."))
