from __future__ import annotations

import base64
import hashlib
import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from django.conf import settings


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


class StaffMfaAdapter(DefaultMFAAdapter):
    """Encrypts the TOTP secret and the recovery-code seed before allauth stores them.

    allauth keeps them in clear text by default, so a copy of the database would let anyone produce
    everyone's codes. Fernet (AES-128-CBC + HMAC) with a key derived from ``SMARTSAFE_MFA_KEY``
    (default: the secret key). Values without our prefix are read as clear text, so authenticators
    made before this adapter keep working.
    """

    PREFIX = "fernet:"

    @staticmethod
    def _fernet() -> Fernet:
        secret = getattr(settings, "SMARTSAFE_MFA_KEY", "") or settings.SECRET_KEY
        digest = hashlib.sha256(b"smartsafe-mfa-secrets\0" + secret.encode()).digest()
        return Fernet(base64.urlsafe_b64encode(digest))

    def encrypt(self, text: str) -> str:
        return self.PREFIX + self._fernet().encrypt(text.encode()).decode("ascii")

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(self.PREFIX):
            return encrypted_text
        return self._fernet().decrypt(encrypted_text[len(self.PREFIX) :].encode("ascii")).decode()
