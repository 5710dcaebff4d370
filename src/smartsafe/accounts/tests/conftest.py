import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.urls import reverse


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth keeps rate limits and used TOTP codes in the cache; tests must not see each other's.
    cache.clear()
    yield
    cache.clear()


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows now, computed with allauth's own helpers."""
    return format_hotp_value(hotp_value(secret, int(at if at is not None else time.time()) // 30))


def give_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def log_in(client, username: str, password: str = "correct-horse-9"):
    return client.post(reverse("account_login"), {"login": username, "password": password})


def session_user_id(client):
    return client.session.get("_auth_user_id")
