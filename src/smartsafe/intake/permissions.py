"""Who may do what with contacts. The query layer decides which contacts.

Contacts are read by the same roles that read cases and logged by the casework roles
(``accounts.permissions``); this module adds the assignment rule.
"""

from __future__ import annotations

from smartsafe.accounts.permissions import can_read_cases as can_read_contacts
from smartsafe.accounts.permissions import is_casework as can_log_contacts
from smartsafe.accounts.permissions import is_supervisor

__all__ = ["can_assign_contact", "can_log_contacts", "can_read_contacts"]


def can_assign_contact(user, contact, assignee) -> bool:
    if is_supervisor(user):
        return True
    if not can_log_contacts(user):
        return False
    if assignee is not None and assignee.pk == user.pk:
        return contact.assigned_to_id in (None, user.pk)
    return assignee is None and contact.assigned_to_id == user.pk
