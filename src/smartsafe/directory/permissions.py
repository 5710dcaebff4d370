"""Who may use the directory. Plain functions; the views and the navigation ask the same ones."""

from __future__ import annotations

from smartsafe.accounts.roles import Role

# The people who refer: counsellors and supervisors, and administrators who keep the data.
DIRECTORY_ROLES = frozenset({Role.COUNSELLOR, Role.SUPERVISOR, Role.ADMIN})


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_browse_directory(user) -> bool:
    """Counsellors, supervisors and administrators search the directory; liaisons, analysts,
    prevention coordinators and auditors have no use for it and get a 403."""
    return _active(user) and (user.role in DIRECTORY_ROLES or user.is_superuser)


def can_manage_directory(user) -> bool:
    """Administrators edit institutions and organisations (in the Django admin) and run imports."""
    return _active(user) and (user.role == Role.ADMIN or user.is_superuser)
