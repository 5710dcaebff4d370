"""Channel secrets (mailbox passwords, bot tokens, app secrets) encrypted at rest.

Fernet (AES-128-CBC + HMAC-SHA256) under a key derived from ``SMARTSAFE_CHANNEL_SECRETS_KEY``
(default: the secret key). Several comma-separated keys may be configured: the first encrypts, all
decrypt, so a key can be rotated by putting the new one first and saving each account again.
A copy of the database alone never reveals a mailbox password.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIX = "fernet:"


class SecretsUnreadable(Exception):
    """The stored secrets were encrypted under a key that is no longer configured."""


def _fernet() -> MultiFernet:
    configured = getattr(settings, "SMARTSAFE_CHANNEL_SECRETS_KEY", "") or settings.SECRET_KEY
    keys = [part.strip() for part in str(configured).split(",") if part.strip()] or [settings.SECRET_KEY]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    hashlib.sha256(b"smartsafe-channel-secrets\0" + key.encode()).digest()
                )
            )
            for key in keys
        ]
    )


def seal(values: dict[str, str]) -> str:
    """Encrypt a small dict of secrets; an empty dict stays an empty string."""
    clean = {name: str(value) for name, value in values.items() if value not in (None, "")}
    if not clean:
        return ""
    payload = json.dumps(clean, sort_keys=True).encode()
    return PREFIX + _fernet().encrypt(payload).decode("ascii")


def unseal(sealed: str) -> dict[str, str]:
    if not sealed:
        return {}
    if not sealed.startswith(PREFIX):
        raise SecretsUnreadable("Channel secrets are not in the expected form.")
    try:
        return json.loads(_fernet().decrypt(sealed[len(PREFIX) :].encode("ascii")))
    except (InvalidToken, ValueError) as exc:
        raise SecretsUnreadable(
            "Channel secrets cannot be decrypted: SMARTSAFE_CHANNEL_SECRETS_KEY changed? Set them again."
        ) from exc
