"""Who may do what with cases. Plain functions; the query layer decides *which* cases.

The role checks themselves live in ``accounts.permissions``; this module adds the case rules.
"""

from __future__ import annotations

from smartsafe.accounts.permissions import can_read_cases, is_supervisor
from smartsafe.accounts.permissions import is_casework as can_work_cases

__all__ = ["can_assign", "can_read_cases", "can_transition", "can_work_cases", "is_supervisor"]


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
