"""Who may do what with retention rules and legal holds.

The data-protection officer is the ``auditor`` role: they set the retention periods, run the
dry-run report and answer subject-access requests. Legal holds may be placed and lifted by the
officer and by supervisors (a supervisor learns first that the police have opened an
investigation).
"""

from smartsafe.accounts.roles import Role


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_dpo(user) -> bool:
    return _active(user) and user.role == Role.AUDITOR


def can_manage_holds(user) -> bool:
    return _active(user) and user.role in (Role.AUDITOR, Role.SUPERVISOR)
