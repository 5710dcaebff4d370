from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context


class StaffAccountAdapter(DefaultAccountAdapter):
    """Staff accounts are created by administrators; nobody signs up."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A login in the last few minutes counts as a reauthentication.

        allauth asks for the password again before MFA changes unless the person *re*authenticated
        recently; a person who has just logged in (and is sent straight to set up their mandatory
        authenticator) would be asked for the password twice in a row. Within
        ``ACCOUNT_REAUTHENTICATION_TIMEOUT`` of the login itself we do not ask; later we do.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        # allauth's own record of how this session authenticated (an internal helper, kept here
        # only; tests cover it so an allauth upgrade that moves it fails loudly).
        from allauth.account.internal.flows.login import get_authentication_records

        request = context.request
        user = getattr(request, "user", None)
        if request is None or user is None or not user.is_authenticated:
            return True
        records = get_authentication_records(request, user)
        if not records:
            return True
        return time.time() - records[-1].get("at", 0) >= account_settings.REAUTHENTICATION_TIMEOUT
