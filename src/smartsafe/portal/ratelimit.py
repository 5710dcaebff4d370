"""Per-client limits on the public report form, the check page and the public API.

A client is its address, hashed with ``SMARTSAFE_PSEUDONYM_KEY`` (the address itself is never a
cache key). Counts live in Django's cache in fixed windows; with several web processes the cache
must be shared (Redis or the database cache; see docs/portal.md), or each process counts alone.

``hit(request, scope)`` counts one attempt and returns ``None`` while the client is within its
limit, or the number of seconds until it may try again.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext

# scope → the setting that holds "attempts per hour".
SCOPES = {
    "report": "SMARTSAFE_PORTAL_REPORTS_PER_HOUR",
    "check": "SMARTSAFE_PORTAL_CHECKS_PER_HOUR",
    "chat": "SMARTSAFE_CHAT_STARTS_PER_HOUR",
}
WINDOW_SECONDS = 3600


def client_key(request) -> str:
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    key = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    return hmac.new(key, f"portal-client:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def limit_for(scope: str) -> int:
    return int(getattr(settings, SCOPES[scope]))


def hit(request, scope: str) -> int | None:
    limit = limit_for(scope)
    if limit <= 0:  # 0 turns the limit off
        return None
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"portal:rl:{scope}:{client_key(request)}:{window}"
    cache.add(key, 0, WINDOW_SECONDS + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, WINDOW_SECONDS + 60)
        count = 1
    if count <= limit:
        return None
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))


def wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext(
        "Too many tries from this device. Please try again in %(n)d minute.",
        "Too many tries from this device. Please try again in %(n)d minutes.",
        minutes,
    ) % {"n": minutes}
