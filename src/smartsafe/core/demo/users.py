"""The demo's staff: the role logins (accounts.demo, when installed) plus a team of counsellors."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from smartsafe.accounts.roles import Role

from . import people, profile


@dataclass
class Staff:
    counsellors: list
    supervisors: list
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, password, role)

    def user(self, actor: str):
        """``"c3"`` → the fourth counsellor, ``"s0"`` → the first supervisor (see ``plan``)."""
        pool = self.counsellors if actor[0] == "c" else self.supervisors
        return pool[int(actor[1:]) % len(pool)]


def _role_logins() -> list[tuple[str, str, str]]:
    try:
        from smartsafe.accounts.demo import ensure_demo_users
    except ImportError:
        return []
    return list(ensure_demo_users() or [])


def _ensure(username: str, first: str, last: str, role: str) -> tuple[object, bool]:
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "first_name": first,
            "last_name": last,
            "display_name": f"{first} {last}",
            "email": f"{username}@example.com",
        },
    )
    if created:
        user.set_password(f"demo-{username}")
        user.save(update_fields=["password"])
    return user, created


def ensure_staff() -> Staff:
    logins = _role_logins()
    extra = []
    for username, first, last in people.EXTRA_COUNSELLORS[: profile.EXTRA_COUNSELLORS]:
        _ensure(username, first, last, Role.COUNSELLOR)
        extra.append((username, f"demo-{username}", Role.COUNSELLOR.value))
    username, first, last = people.EXTRA_SUPERVISOR
    _ensure(username, first, last, Role.SUPERVISOR)
    extra.append((username, f"demo-{username}", Role.SUPERVISOR.value))

    users = get_user_model().objects.filter(is_active=True).order_by("username")
    names = {u for u, _p, _r in logins + extra}
    counsellors = list(users.filter(role=Role.COUNSELLOR, username__in=names))
    supervisors = list(users.filter(role=Role.SUPERVISOR, username__in=names))
    return Staff(counsellors=counsellors, supervisors=supervisors, logins=logins + extra)
