import pytest

from smartsafe.accounts import permissions as p
from smartsafe.directory import permissions as directory_permissions
from smartsafe.testing import make_user

pytestmark = pytest.mark.django_db

ROLES = ["counsellor", "supervisor", "liaison", "prevention", "analyst", "admin", "auditor"]
TABLE = {
    # role: (is_casework, can_read_cases, is_supervisor, is_liaison, can_browse_audit)
    "counsellor": (True, True, False, False, False),
    "supervisor": (True, True, True, False, False),
    "liaison": (False, False, False, True, False),
    "prevention": (False, False, False, False, False),
    "analyst": (False, False, False, False, False),
    "admin": (False, False, False, False, True),
    "auditor": (False, True, False, False, True),
}


@pytest.mark.parametrize("role", ROLES)
def test_role_table(role):
    user = make_user(role)
    got = (
        p.is_casework(user),
        p.can_read_cases(user),
        p.is_supervisor(user),
        p.is_liaison(user),
        p.can_browse_audit(user),
    )
    assert got == TABLE[role]
    user.is_active = False
    assert not any(
        (
            p.is_casework(user),
            p.can_read_cases(user),
            p.is_supervisor(user),
            p.is_liaison(user),
            p.can_browse_audit(user),
        )
    )


def test_anonymous_gets_nothing():
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert not any(
        f(anonymous)
        for f in (p.is_casework, p.can_read_cases, p.is_supervisor, p.is_liaison, p.can_browse_audit)
    )
    assert directory_permissions.liaison_institution_id(anonymous) is None
    assert directory_permissions.liaison_institution_id(None) is None


def test_liaison_institution(police_liaison, police, counsellor):
    assert directory_permissions.liaison_institution_id(police_liaison) == police.pk
    assert directory_permissions.liaison_institution_id(counsellor) is None
    # No membership: no institution.
    assert directory_permissions.liaison_institution_id(make_user("liaison")) is None
    police_liaison.role = "counsellor"  # a member who is no longer a liaison reaches nothing
    assert directory_permissions.liaison_institution_id(police_liaison) is None
