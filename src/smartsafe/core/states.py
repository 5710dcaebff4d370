"""What every state machine's refusal has in common, so code above the apps can answer it alike.

Each lifecycle (``intake/states.py``, ``cases/states.py``, ``referrals/states.py``) raises its own
subclass with a message in its own words; the API's error handler answers any of them with 409,
the current state and the actions that *are* possible, without importing the apps.
"""

from __future__ import annotations


class IllegalStateTransition(Exception):
    """``action`` is not possible from ``state``; ``allowed`` lists what is."""

    action: str
    state: str
    allowed: list[str]
