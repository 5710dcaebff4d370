"""The door messenger providers knock on: ``/inbox/webhooks/<webhook token>/`` (docs/channels-messengers.md).

No session, no CSRF token: the provider proves itself by the signature of each request, checked by
the channel's adapter exactly as the provider documents it. The view answers fast — it verifies,
keeps the payload encrypted and queues its id for ``messenger.process_delivery`` in one commit,
and only then says 200 — so providers do not time out and retry while we download media.

Answers: unknown or switched-off channel 404; body over 1 MB 413; signature missing 401, wrong 403
(nothing stored, the attempt audited with the reason, never the body); a verified body that is not
a JSON object 400; otherwise 200. No input causes a 500.
"""

from __future__ import annotations

import json

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.http.request import RawPostDataException
from django.views.decorators.csrf import csrf_exempt

from smartsafe.audit import codes
from smartsafe.audit.log import record

from . import messenger
from .channels import base
from .channels.messaging import MAX_WEBHOOK_BYTES, MessengerAdapter
from .models import ChannelAccount


def _reject(account, status: int, reason: str) -> HttpResponse:
    record(
        codes.CHANNEL_WEBHOOK_REJECTED,
        obj=account,
        outcome="denied",
        kind=account.kind,
        reason=reason,
        status=status,
    )
    return HttpResponse(reason, status=status, content_type="text/plain")


def _no_nan(value):
    raise ValueError(f"not JSON: {value}")


def parse(body: bytes):
    """The payload as a JSON object, or None. Strict: UTF-8, no NaN or Infinity (PostgreSQL's JSON
    has none); nesting deep enough to exhaust the stack is refused, not a crash."""
    try:
        payload = json.loads(body.decode("utf-8"), parse_constant=_no_nan)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return payload if isinstance(payload, dict) else None


def _account(token: str) -> tuple[ChannelAccount, MessengerAdapter]:
    account = (
        ChannelAccount.objects.filter(webhook_token=token, active=True).first() if len(token) <= 64 else None
    )
    if account is None or not base.has_adapter(account.kind):
        raise Http404("No such channel.")
    adapter = base.get_adapter(account.kind)
    if not isinstance(adapter, MessengerAdapter):
        raise Http404("No such channel.")
    return account, adapter


@csrf_exempt
def receive(request, token: str):
    account, adapter = _account(token)
    if request.method == "GET" and adapter.accepts_get:
        answer = adapter.handshake(account, request)
        return answer if answer is not None else _reject(account, 403, "handshake_refused")
    if request.method != "POST":
        return HttpResponseNotAllowed(["GET", "POST"] if adapter.accepts_get else ["POST"])
    length = str(request.META.get("CONTENT_LENGTH") or "0").strip()
    if not length.isdigit():
        return HttpResponse("malformed", status=400, content_type="text/plain")
    if int(length) > MAX_WEBHOOK_BYTES:
        return HttpResponse("too large", status=413, content_type="text/plain")
    try:
        body = request.body
    except (RequestDataTooBig, RawPostDataException):
        return HttpResponse("too large", status=413, content_type="text/plain")
    if len(body) > MAX_WEBHOOK_BYTES:
        return HttpResponse("too large", status=413, content_type="text/plain")
    status, reason = adapter.check(account, request)
    if status != 200:
        return _reject(account, status, reason)
    if parse(body) is None:
        return HttpResponse("malformed", status=400, content_type="text/plain")
    messenger.enqueue(account, body.decode("utf-8"))
    return HttpResponse("ok", content_type="text/plain")
