"""Turn the domain's exceptions into API responses, so no expected failure is ever a 500.

=========================================  =====  ==========================================
raised by actions / queries                status body
=========================================  =====  ==========================================
django ``ValidationError``                 400    ``{"field": ["message"], ...}`` (or
                                                  ``non_field_errors``)
django ``PermissionDenied``                403    ``{"detail": ...}``; audited ``api.denied``
``Http404``                                404    ``{"detail": ...}``
``IllegalTransition`` (case)               409    ``{"detail", "state", "allowed": [...]}``
``IllegalContactTransition``               409    same shape
``IllegalReferralTransition``              409    same shape
``StaleVersion``                           409    ``{"detail", "code": "stale_version",
                                                  "current_version"}``
=========================================  =====  ==========================================
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from smartsafe.audit import codes
from smartsafe.audit.log import record, record_refusal
from smartsafe.cases.states import IllegalTransition
from smartsafe.core.concurrency import StaleVersion
from smartsafe.intake.states import IllegalContactTransition
from smartsafe.referrals.states import IllegalReferralTransition


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
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(validation_errors(exc))
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict):
        # Which fields were refused (e.g. a contact id the caller may not see), never their values.
        _audit_refusal("invalid", context, fields=sorted(str(k) for k in exc.detail)[:20])
    if isinstance(exc, (IllegalTransition, IllegalContactTransition, IllegalReferralTransition)):
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
