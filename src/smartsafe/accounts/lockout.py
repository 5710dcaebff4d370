"""django-axes glue: whose attempts count, and the page a locked-out person sees.

Axes locks by *username* only (settings: ``AXES_LOCKOUT_PARAMETERS``). Locking by address would lock
the whole centre out, since its staff share one office address; spraying many usernames from one
address is limited by allauth's per-address ``login_failed`` rate limit instead.
"""

from __future__ import annotations

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.shortcuts import render
from django.utils import timezone


def username_from_credentials(request, credentials: dict | None) -> str | None:
    """The username an attempt is for, normalised so that case and spaces do not open a new counter.

    allauth passes ``username=``, Django's own forms too; a bare request (no credentials) is a POST
    of allauth's login form, whose field is ``login``.
    """
    value = None
    if credentials:
        value = credentials.get("username") or credentials.get("login")
    if value is None and request is not None:
        data = getattr(request, "POST", {})
        value = data.get("login") or data.get("username")
    if not isinstance(value, str):
        return None
    value = value.strip().lower()[:150]
    return value or None


def lockout_response(request, original_response=None, credentials=None):
    """Render ``accounts/locked_out.html`` (status 429) with when the person may try again.

    Every failed attempt during a lockout restarts the cool-off, so "now + cool-off" is exact.
    """
    cool_off = get_cool_off(request)
    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cool_off_minutes": int(cool_off.total_seconds() // 60) if cool_off else None,
        "retry_at": timezone.localtime(timezone.now() + cool_off) if cool_off else None,
    }
    response = render(
        request, settings.AXES_LOCKOUT_TEMPLATE, context, status=settings.AXES_HTTP_RESPONSE_CODE
    )
    response["Cache-Control"] = "no-store"
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
