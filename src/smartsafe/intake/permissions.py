"""Who may do what with contacts. The query layer decides which contacts."""

from __future__ import annotations

from smartsafe.accounts.roles import CASE_READER_ROLES, CASEWORK_ROLES, Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read_contacts(user) -> bool:
    return _active(user) and user.role in CASE_READER_ROLES


def can_log_contacts(user) -> bool:
    return _active(user) and user.role in CASEWORK_ROLES


def can_assign_contact(user, contact, assignee) -> bool:
    if _active(user) and user.role == Role.SUPERVISOR:
        return True
    if not can_log_contacts(user):
        return False
    if assignee is not None and assignee.pk == user.pk:
        return contact.assigned_to_id in (None, user.pk)
    return assignee is None and contact.assigned_to_id == user.pk
