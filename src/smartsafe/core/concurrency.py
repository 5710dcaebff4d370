"""Optimistic concurrency for records edited by several people at once.

A form or API client sends back the ``version`` it read. Inside the writing transaction the row is
locked (``select_for_update``; on SQLite the IMMEDIATE transaction already serialises writers) and
its version compared: a stale one is refused with ``StaleVersion`` instead of silently overwriting
someone else's change. ``VersionedModel.save`` bumps the version, so django-simple-history still
records every row version through the ordinary ``save()``.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


class StaleVersion(Exception):
    """Someone else saved the record after the caller read it."""

    def __init__(self, expected: int, current: int):
        self.expected = expected
        self.current = current
        super().__init__(
            _(
                "Someone else changed this record while you were editing it. Reload it and apply your change again."
            )
        )


def lock_for_update(queryset, pk, *, expected_version: int | None = None):
    """Return the row ``pk`` of ``queryset`` locked for this transaction, checking its version.

    Must be called inside ``transaction.atomic()``. ``expected_version=None`` skips the check
    (the caller acts on the current state, e.g. a state transition that re-validates anyway).
    """
    obj = queryset.select_for_update().get(pk=pk)
    if expected_version is not None and obj.version != expected_version:
        raise StaleVersion(expected_version, obj.version)
    return obj
