"""Who may do what with the prevention programme. Plain functions; views, queries and the
navigation ask the same ones.

| role | calendar | events, venues, coverage | record and edit, import, merge venues |
|---|---|---|---|
| prevention coordinator, supervisor | yes | yes | yes |
| analyst, administrator | yes | yes | no |
| counsellor | yes | no | no |
| liaison, auditor | no | no | no |
"""

from __future__ import annotations

from smartsafe.accounts.roles import Role

WRITER_ROLES = frozenset({Role.PREVENTION, Role.SUPERVISOR})
READER_ROLES = WRITER_ROLES | {Role.ANALYST, Role.ADMIN}
CALENDAR_ROLES = READER_ROLES | {Role.COUNSELLOR}


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def can_write_prevention(user) -> bool:
    """Prevention coordinators and supervisors record events, keep the venue register and import."""
    return _active(user) and user.role in WRITER_ROLES


def can_read_prevention(user) -> bool:
    """The event list, event and venue pages, coverage: writers, analysts and administrators."""
    return _active(user) and (user.role in READER_ROLES or user.is_superuser)


def can_read_calendar(user) -> bool:
    """The month calendar: also counsellors (so they know when colleagues are out in schools)."""
    return _active(user) and (user.role in CALENDAR_ROLES or user.is_superuser)
