"""Who is acting, from where: carried through one request (or task) for the audit log.

Actions take the actor explicitly; the *where* (client address, user agent, request id) is
infrastructure, so it travels in a context variable set by ``RequestContextMiddleware`` and read
by ``audit.record``. Management commands and tasks run with an empty context ("system").
"""

from __future__ import annotations

import contextvars
import uuid
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str = ""
    user_agent: str = ""
    request_id: str = ""
    via: str = "system"  # web | api | command | task | system


# RequestContext is a frozen dataclass, so sharing the default instance is safe.
_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "smartsafe_request_context",
    default=RequestContext(),  # noqa: B039
)


def current() -> RequestContext:
    return _current.get()


@contextmanager
def bind(context: RequestContext):
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def from_request(request) -> RequestContext:
    # Behind a proxy the web server must set REMOTE_ADDR from a trusted X-Forwarded-For;
    # we never trust the header ourselves.
    via = "api" if request.path.startswith("/api/") else "web"
    return RequestContext(
        ip=request.META.get("REMOTE_ADDR", "")[:45],
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        request_id=request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex,
        via=via,
    )
