"""Has this session just passed a second-factor check? (Asked before an API token is created.)

allauth records every authentication step of a session with its time, a TOTP code or a recovery
code as method ``mfa``, both at login and on its reauthentication page. A token is a credential
that works without the second factor, so making one needs a check no older than
``SMARTSAFE_TOKEN_MFA_FRESH_SECONDS`` (5 minutes by default): a session left open on a desk is not
enough.
"""

from __future__ import annotations

import time

from allauth.account.internal.flows.login import get_authentication_records
from django.conf import settings

from .middleware import has_totp

DEFAULT_FRESH_SECONDS = 300


def mfa_required_for_tokens(user) -> bool:
    """Outside demo mode always; in demo mode for accounts that have enrolled an authenticator."""
    return bool(getattr(settings, "SMARTSAFE_REQUIRE_MFA", True)) or has_totp(user)


def fresh_seconds() -> int:
    return int(getattr(settings, "SMARTSAFE_TOKEN_MFA_FRESH_SECONDS", DEFAULT_FRESH_SECONDS))


def recently_passed_mfa(request) -> bool:
    oldest = time.time() - fresh_seconds()
    for entry in get_authentication_records(request, request.user):
        if entry.get("method") == "mfa" and float(entry.get("at", 0)) >= oldest:
            return True
    return False
