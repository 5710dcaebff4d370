"""Retry a whole transaction when the database refuses it for a conflict with another one.

Under concurrent writers PostgreSQL may abort a transaction with a serialization failure or, as a
last resort, a detected deadlock; SQLite may time out waiting for its write lock. Neither is the
caller's fault and both usually succeed a moment later, so the outermost write of a request (a
child's report, a counsellor's call log) runs again, a bounded number of times, with a short
random pause — instead of showing a child an error page. Only the outermost transaction can be
retried: a function called inside someone else's ``atomic`` block runs once and lets the owner of
that block decide.
"""

from __future__ import annotations

import functools
import logging
import random
import time

from django.db import OperationalError, connection

log = logging.getLogger("smartsafe.retry")

ATTEMPTS = 3
# PostgreSQL's SQLSTATEs for "try again": serialization_failure, deadlock_detected.
_RETRYABLE_STATES = {"40001", "40P01"}


def is_conflict(error: BaseException) -> bool:
    cause = error.__cause__ or error
    state = getattr(cause, "sqlstate", None) or getattr(getattr(cause, "diag", None), "sqlstate", None)
    if state in _RETRYABLE_STATES:
        return True
    return connection.vendor == "sqlite" and "database is locked" in str(error)


def retry_on_conflict(func=None, *, attempts: int = ATTEMPTS):
    """Decorate an action that is itself ``@transaction.atomic`` (put this decorator above it): when
    it is the outermost transaction, a conflict rolls it back and it runs again, at most
    ``attempts`` times in all."""

    def decorate(inner):
        @functools.wraps(inner)
        def wrapper(*args, **kwargs):
            if connection.in_atomic_block:
                return inner(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    return inner(*args, **kwargs)
                except OperationalError as error:
                    if attempt == attempts or not is_conflict(error):
                        raise
                    log.warning("%s: %s; again (%s of %s)", inner.__qualname__, error, attempt, attempts)
                    time.sleep(random.uniform(0.01, 0.05) * attempt)
            raise AssertionError("unreachable")

        return wrapper

    return decorate(func) if func is not None else decorate
