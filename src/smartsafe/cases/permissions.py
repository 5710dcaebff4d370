"""Who may do what with cases. Plain functions; the query layer decides *which* cases."""

from __future__ import annotations

from smartsafe.accounts.roles import CASE_READER_ROLES, CASEWORK_ROLES, Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read_cases(user) -> bool:
    return _active(user) and user.role in CASE_READER_ROLES


def can_work_cases(user) -> bool:
    """Open cases, edit them, add notes and artefacts, move them through the workflow."""
    return _active(user) and user.role in CASEWORK_ROLES


def is_supervisor(user) -> bool:
    return _active(user) and user.role == Role.SUPERVISOR


def can_assign(user, case, assignee) -> bool:
    """Supervisors assign anyone; a counsellor may take an unassigned case or hand back their own."""
    if is_supervisor(user):
        return True
    if not can_work_cases(user):
        return False
    if assignee is not None and assignee.pk == user.pk:
        return case.assigned_to_id in (None, user.pk)
    return assignee is None and case.assigned_to_id == user.pk


def can_transition(user, transition) -> bool:
    if not can_work_cases(user):
        return False
    return is_supervisor(user) or not transition.supervisor_only
