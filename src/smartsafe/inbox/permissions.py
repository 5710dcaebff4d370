"""Who may do what with channels and messages."""

from __future__ import annotations

from smartsafe.accounts.roles import CASEWORK_ROLES, Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_see_addresses(user) -> bool:
    """The public's e-mail addresses: only the people who answer them (not auditors, not analysts)."""
    return _active(user) and user.role in CASEWORK_ROLES


def can_reply(user) -> bool:
    return _active(user) and user.role in CASEWORK_ROLES


def can_manage_channels(user) -> bool:
    return _active(user) and (user.role == Role.ADMIN or user.is_superuser)
