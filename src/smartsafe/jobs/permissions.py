from smartsafe.accounts.permissions import is_supervisor
from smartsafe.accounts.roles import Role


def can_attend_tasks(user) -> bool:
    """Supervisors and administrators see failed background work and may run it again."""
    if is_supervisor(user):
        return True
    return bool(user is not None and user.is_authenticated and user.is_active and user.role == Role.ADMIN)
