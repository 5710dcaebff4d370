"""Limits on the public report form, the check page, the chat and the public API.

Two limits, so a flood is stopped without refusing a class that reports together:

- **per client**: a client is its address, hashed with ``SMARTSAFE_PSEUDONYM_KEY`` (the address
  itself is never a key), counted in fixed windows of an hour. A school's pupils share one
  address, so the report limit is high enough for a class after a prevention talk
  (``SMARTSAFE_PORTAL_REPORTS_PER_HOUR``, 40 by default: 30 pupils and some who send two);
- **for everyone together** (reports only): a circuit breaker, ``SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES``
  (300 by default, some twenty times the busiest ten minutes the centre has had) counted in
  windows of ten minutes. A flood from many addresses trips it; the form then says so, points
  to the helpline and the police, and opens again when the window ends.

Counts live in Django's cache. Redis and the in-memory cache count atomically (``incr``); the
database cache does not (it reads and writes), so there each count is taken under a named lock
in a transaction (``core.locks``: an advisory lock on PostgreSQL, the write lock on SQLite), and
concurrent writers in several processes never lose a count (tests/test_ratelimit_concurrent.py).

``hit(request, scope)`` counts one attempt and returns ``None`` while it is allowed, or a
``Wait``: the seconds until the client may try again (an ``int``), carrying the message to show.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction
from django.utils.translation import ngettext

from smartsafe.core import locks

# scope → (the setting that holds the attempts per window, the window in seconds)
SCOPES = {
    "report": ("SMARTSAFE_PORTAL_REPORTS_PER_HOUR", 3600),
    "check": ("SMARTSAFE_PORTAL_CHECKS_PER_HOUR", 3600),
    "chat": ("SMARTSAFE_CHAT_STARTS_PER_HOUR", 3600),
}
# scope → its circuit breaker for all clients together.
BREAKERS = {"report": ("SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES", 600)}
WINDOW_SECONDS = 3600


class Wait(int):
    """Seconds to wait, with the sentence that explains why (``message``)."""

    message: str = ""

    def __new__(cls, seconds: int, message: str = ""):
        wait = super().__new__(cls, seconds)
        wait.message = message
        return wait


def client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    key = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    return hmac.new(key, f"portal-client:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def limit_for(scope: str) -> int:
    return int(getattr(settings, SCOPES[scope][0]))


def count(key: str, timeout: int) -> int:
    """Add one to the counter ``key`` and return it; exact with concurrent writers on every backend."""
    if isinstance(caches["default"], DatabaseCache):
        with transaction.atomic():
            locks.serialise(key)
            value = int(cache.get(key, 0)) + 1
            cache.set(key, value, timeout)
        return value
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout)
        return 1


def _window(now: float, seconds: int) -> tuple[int, int]:
    """The window's number and the seconds left in it."""
    window = int(now // seconds)
    return window, max(1, math.ceil((window + 1) * seconds - now))


def hit(request, scope: str) -> Wait | None:
    now = time.time()
    limit = limit_for(scope)
    if limit > 0:  # 0 turns the limit off
        window, left = _window(now, SCOPES[scope][1])
        if count(f"portal:rl:{scope}:{client_key(request)}:{window}", SCOPES[scope][1] + 60) > limit:
            return Wait(left, wait_message(left))
    if scope in BREAKERS:
        setting, seconds = BREAKERS[scope]
        overall = int(getattr(settings, setting, 0))
        if overall > 0:
            window, left = _window(now, seconds)
            if count(f"portal:rl:{scope}:all:{window}", seconds + 60) > overall:
                return Wait(left, busy_message(left))
    return None


def _minutes(seconds: int) -> int:
    return max(1, math.ceil(seconds / 60))


def wait_message(seconds: int) -> str:
    """Why this client waits: what ``seconds`` (a ``Wait``) says, or the per-client sentence."""
    if getattr(seconds, "message", ""):
        return seconds.message
    minutes = _minutes(seconds)
    return ngettext(
        "Very many tries have come from this network in the last hour (a school or a shared Wi-Fi "
        "counts as one). Please try again in %(n)d minute.",
        "Very many tries have come from this network in the last hour (a school or a shared Wi-Fi "
        "counts as one). Please try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}


def busy_message(seconds: int) -> str:
    minutes = _minutes(seconds)
    return ngettext(
        "Very many reports are arriving at the same moment, so the form is paused for %(n)d minute. "
        "Your report matters: please send it then.",
        "Very many reports are arriving at the same moment, so the form is paused for %(n)d minutes. "
        "Your report matters: please send it then.",
        minutes,
    ) % {"n": minutes}
