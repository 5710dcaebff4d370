"""Turn the domain's exceptions into API responses, so no expected failure is ever a 500.

=========================================  =====  ==========================================
raised by actions / queries                status body
=========================================  =====  ==========================================
django ``ValidationError``                 400    ``{"field": ["message"], ...}`` (or
                                                  ``non_field_errors``)
django ``PermissionDenied``                403    ``{"detail": ...}``; audited ``api.denied``
``Http404``                                404    ``{"detail": ...}``
``IllegalStateTransition`` (any lifecycle) 409    ``{"detail", "state", "allowed": [...]}``
``StaleVersion``                           409    ``{"detail", "code": "stale_version",
                                                  "current_version"}``
body over the limits (``RequestDataTooBig``,  413    ``{"detail", "code": "too_large"}``
``RequestTooLarge``)
too many form fields or files              400    ``{"detail", "code": "too_many_fields"}``
body nested too deeply for the parser      400    ``{"detail", "code": "parse_error"}``
=========================================  =====  ==========================================

Answers about the body itself are always JSON, whatever the client asked for: the browsable
API's HTML page would read the same unreadable body again.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from smartsafe.audit import codes
from smartsafe.audit.log import record, record_refusal
from smartsafe.core.concurrency import StaleVersion
from smartsafe.core.states import IllegalStateTransition


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def _raised_while_parsing(exc: BaseException) -> bool:
    """Whether ``exc`` came out of DRF's body parsing (not out of a view's own code)."""
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "_parse" and code.co_filename.endswith("rest_framework/request.py"):
            return True
        tb = tb.tb_next
    return False


def _body_error(exc) -> exceptions.APIException | None:
    """The API answer for a body Django or a parser could not read, or None for other errors."""
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, (TooManyFieldsSent, TooManyFilesSent)):
        return exceptions.ParseError(_("Too many form fields or files."), code="too_many_fields")
    if isinstance(exc, RecursionError) and _raised_while_parsing(exc):
        return exceptions.ParseError(_("JSON parse error - nested too deeply."))
    return None


def _answer_body_error_in_json(context) -> None:
    """After a body error: no second attempt at the body, and a JSON answer."""
    request = context.get("request")
    if request is None:
        return
    # DRF leaves these unset when Django raised before its parser ran; any later look at
    # ``request.data`` (the browsable renderer, logging) would raise the same error again.
    empty = QueryDict("")
    request._data, request._files, request._full_data = empty, MultiValueDict(), empty
    request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"


def validation_errors(exc: DjangoValidationError, rename: dict[str, str] | None = None) -> dict:
    """A django ValidationError as DRF's ``{"field": [messages]}``, with field names mapped."""
    rename = rename or {}
    if hasattr(exc, "error_dict"):
        errors: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            key = "non_field_errors" if field == "__all__" else rename.get(field, field)
            errors.setdefault(key, []).extend(messages)
        return errors
    return {"non_field_errors": list(exc.messages)}


def _audit_denial(exc, context) -> None:
    request = context.get("request")
    view = context.get("view")
    if request is None:
        return
    record(
        codes.API_DENIED,
        actor=request.user,
        outcome=codes.OUTCOME_DENIED,
        method=request.method,
        path=request.path[:200],
        endpoint=f"{type(view).__name__}.{getattr(view, 'action', '') or ''}" if view else "",
        object_id=str((getattr(view, "kwargs", None) or {}).get(getattr(view, "lookup_field", "pk"), ""))[
            :64
        ],
    )


def _audit_refusal(reason: str, context, **details) -> None:
    request = context.get("request")
    if request is None or not getattr(request.user, "is_authenticated", False):
        return
    record_refusal(
        actor=request.user, reason=reason, method=request.method, path=request.path[:200], **details
    )


def exception_handler(exc, context):
    body_error = _body_error(exc)
    if body_error is not None or isinstance(exc, (exceptions.ParseError, RequestTooLarge)):
        _answer_body_error_in_json(context)
        exc = body_error or exc
        body = {"detail": str(exc.detail), "code": exc.get_codes()}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_errors(exc))
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        # Which fields were refused (e.g. a contact id the caller may not see), never their values.
        _audit_refusal("invalid", context, fields=sorted(str(k) for k in exc.detail)[:20])
    if isinstance(exc, IllegalStateTransition):
        _audit_refusal("illegal_transition", context, state=exc.state, requested=exc.action)
        body = {
            "detail": str(exc),
            "code": "illegal_transition",
            "state": exc.state,
            "allowed": list(exc.allowed),
        }
        return Response(body, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, StaleVersion):
        _audit_refusal("stale_version", context, current_version=exc.current)
        body = {"detail": str(exc), "code": "stale_version", "current_version": exc.current}
        return Response(body, status=status.HTTP_409_CONFLICT)

    if isinstance(exc, (DjangoPermissionDenied, exceptions.PermissionDenied)):
        _audit_denial(exc, context)
    return drf_exception_handler(exc, context)
