"""Who someone is, in the terms the other apps ask about. Plain functions, no queries beyond one
membership lookup; the query layer of each app decides *which* rows a person may reach.

Every helper answers False (or None) for anonymous and deactivated accounts, so a view that forgets
``login_required`` still denies.
"""

from __future__ import annotations

from .roles import CASE_READER_ROLES, CASEWORK_ROLES, Role


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_casework(user) -> bool:
    """Counsellors and supervisors: the people who work contacts and cases."""
    return _active(user) and user.role in CASEWORK_ROLES


def can_read_cases(user) -> bool:
    """Counsellors, supervisors and auditors may read individual cases (every read is audited)."""
    return _active(user) and user.role in CASE_READER_ROLES


def is_supervisor(user) -> bool:
    return _active(user) and user.role == Role.SUPERVISOR


def is_liaison(user) -> bool:
    return _active(user) and user.role == Role.LIAISON


def can_browse_audit(user) -> bool:
    """Auditors (data-protection officer) and administrators read the audit trail."""
    return _active(user) and user.role in (Role.AUDITOR, Role.ADMIN)


def can_manage_tokens_of(actor, owner) -> bool:
    """A person manages their own API tokens; an administrator may revoke anyone's."""
    if not _active(actor):
        return False
    return actor.pk == owner.pk or actor.role == Role.ADMIN or actor.is_superuser
