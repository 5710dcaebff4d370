"""The demo's staff: the role logins (demo/accounts.py) plus a team of counsellors."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from smartsafe.accounts.roles import Role
from smartsafe.demo.accounts import ensure_demo_users

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
    return list(ensure_demo_users() or [])


# The extra team shares one password: hashing a password costs a third of a second on purpose
# (argon2), and one hash for all of them keeps the load fast.
TEAM_PASSWORD = "demo-team"


def _ensure(username: str, first: str, last: str, role: str, password_hash: str):
    return get_user_model().objects.get_or_create(
        username=username,
        defaults={
            "role": role,
            "first_name": first,
            "last_name": last,
            "display_name": f"{first} {last}",
            "email": f"{username}@example.com",
            "password": password_hash,
        },
    )


def ensure_staff() -> Staff:
    logins = _role_logins()
    team = [(u, f, la, Role.COUNSELLOR) for u, f, la in people.EXTRA_COUNSELLORS[: profile.EXTRA_COUNSELLORS]]
    team.append((*people.EXTRA_SUPERVISOR, Role.SUPERVISOR))
    existing = set(
        get_user_model().objects.filter(username__in=[t[0] for t in team]).values_list("username", flat=True)
    )
    password_hash = make_password(TEAM_PASSWORD) if len(existing) < len(team) else ""
    extra = []
    for username, first, last, role in team:
        _ensure(username, first, last, role, password_hash)
        extra.append((username, TEAM_PASSWORD, role.value))

    users = get_user_model().objects.filter(is_active=True).order_by("username")
    names = {u for u, _p, _r in logins + extra}
    counsellors = list(users.filter(role=Role.COUNSELLOR, username__in=names))
    supervisors = list(users.filter(role=Role.SUPERVISOR, username__in=names))
    return Staff(counsellors=counsellors, supervisors=supervisors, logins=logins + extra)
