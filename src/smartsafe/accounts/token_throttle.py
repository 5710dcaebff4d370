"""Failed API token authentications, counted per client, so keys cannot be guessed at speed.

A client is its address hashed with ``SMARTSAFE_PSEUDONYM_KEY`` (the address is never a cache
key). Failures are counted in Django's cache in fixed windows of ``WINDOW_SECONDS``; once a
client has failed ``SMARTSAFE_TOKEN_FAILURES_PER_WINDOW`` times, every token request from it is
answered 429 until the window ends, whether its key is good or not, so a guesser learns nothing
from the answers. Successful requests cost nothing here. With several web processes the cache must
be shared (Redis or the database cache), or each process counts alone.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 300
DEFAULT_FAILURES_PER_WINDOW = 20


def _limit() -> int:
    return int(getattr(settings, "SMARTSAFE_TOKEN_FAILURES_PER_WINDOW", DEFAULT_FAILURES_PER_WINDOW))


def _client(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    key = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    return hmac.new(key, f"token-client:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def _key(request, window: int) -> str:
    return f"accounts:token-failures:{_client(request)}:{window}"


def _window(now: float) -> int:
    return int(now // WINDOW_SECONDS)


def _seconds_left(now: float) -> int:
    return max(1, math.ceil((_window(now) + 1) * WINDOW_SECONDS - now))


def wait_seconds(request) -> int | None:
    """Seconds until this client may try again, or None while it is under its limit."""
    limit = _limit()
    if limit <= 0:  # 0 switches the limit off
        return None
    now = time.time()
    failures = cache.get(_key(request, _window(now)), 0)
    return _seconds_left(now) if failures >= limit else None


def count_failure(request) -> int:
    """Count one failed authentication for this client; returns the count in this window."""
    now = time.time()
    key = _key(request, _window(now))
    cache.add(key, 0, WINDOW_SECONDS + 60)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, WINDOW_SECONDS + 60)
        return 1
