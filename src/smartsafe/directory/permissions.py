"""Who may use the directory. Plain functions; the views and the navigation ask the same ones."""

from __future__ import annotations

from smartsafe.accounts.permissions import is_liaison
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


def liaison_institution_id(user) -> int | None:
    """The id of the institution a liaison works for, or None (not a liaison, or no membership yet):
    what the query layers of cases and referrals scope a liaison by. A liaison without a membership
    sees nothing: scoping by a missing institution must deny, never fall back to "everything".
    Read through the membership relation on the user, cached with it for the request."""
    if not is_liaison(user):
        return None
    membership = getattr(user, "institution_membership", None)
    return membership.institution_id if membership else None
