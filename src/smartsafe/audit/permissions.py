"""Who may read the audit log. Nobody may change it: there is no permission for that, by design."""

from __future__ import annotations

from smartsafe.accounts.roles import Role

AUDIT_READER_ROLES = frozenset({Role.AUDITOR, Role.ADMIN})


def can_browse_audit(user) -> bool:
    """Auditors (the data-protection officer) and administrators browse, export and verify the log."""
    return bool(user and user.is_authenticated and user.is_active) and user.role in AUDIT_READER_ROLES
