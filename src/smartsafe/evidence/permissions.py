"""Who may do what with evidence. Plain functions; ``queries`` decides *which* files.

Casework roles and auditors read evidence (every opening needs a reason and is audited).
Liaisons see no evidence here yet: files shared in a referral reach them through the referral
packet (``Referral.shared_evidence``), not through these pages.
"""

from __future__ import annotations

from smartsafe.accounts.roles import CASE_READER_ROLES, CASEWORK_ROLES, Role


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read_evidence(user) -> bool:
    """See the list of files (names, hashes, custody) and open a file with a stated reason."""
    return _active(user) and user.role in CASE_READER_ROLES


def can_add_evidence(user) -> bool:
    return _active(user) and user.role in CASEWORK_ROLES


def can_export_evidence(user) -> bool:
    return _active(user) and user.role in CASEWORK_ROLES


def can_delete_evidence(user) -> bool:
    return _active(user) and user.role == Role.SUPERVISOR


def can_manage_hash_lists(user) -> bool:
    """Import, replace and withdraw partners' hash lists, confirm files and export their hashes.

    Supervisors: the lists decide which contacts jump the queue and what is shared with police and
    other hotlines, a casework decision. Administrators run the system but not the casework.
    """
    return _active(user) and user.role == Role.SUPERVISOR
