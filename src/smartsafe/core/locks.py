"""Named locks for the length of a transaction: serialise what must not run twice at once, and
nothing else.

A row lock on a shared row (an account, a counter) makes every writer wait for every other, even
when they touch unrelated things. A named lock is as narrow as its name: ``serialise("messenger:3:
<person>")`` makes two deliveries from one person on one account take turns and lets everyone
else through. PostgreSQL: a transaction-scoped advisory lock on a 64-bit hash of the name.
SQLite: nothing to do — its single write lock already serialises every write transaction.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def _key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def serialise(name: str) -> None:
    """Hold the lock ``name`` until the current transaction ends (call inside ``atomic``)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
