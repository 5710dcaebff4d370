import pytest
from django.http import Http404

from smartsafe.audit.models import AuditEvent
from smartsafe.cases.actions import share_with_institution
from smartsafe.cases.queries import access_case, cases_visible_to
from smartsafe.testing import make_case, make_user

pytestmark = pytest.mark.django_db

ROLE_SEES_CASES = {
    "counsellor": True,
    "supervisor": True,
    "auditor": True,
    "analyst": False,
    "prevention": False,
    "admin": False,
    "liaison": False,
}


@pytest.mark.parametrize("role,sees", ROLE_SEES_CASES.items())
def test_every_role_scope(counsellor, role, sees):
    case = make_case(counsellor)
    user = make_user(role)
    assert cases_visible_to(user).filter(pk=case.pk).exists() is sees
    if sees:
        assert access_case(user, case.reference) == case
        assert AuditEvent.objects.filter(action="case.view", actor=user, object_id=str(case.pk)).exists()
    else:
        with pytest.raises(Http404):
            access_case(user, case.reference)


def test_inactive_users_see_nothing(counsellor):
    make_case(counsellor)
    counsellor.is_active = False
    assert not cases_visible_to(counsellor).exists()


def test_liaison_isolation_matrix(counsellor, police, school, police_liaison, school_liaison, supervisor):
    police_case, school_case, private_case = (
        make_case(counsellor),
        make_case(counsellor),
        make_case(counsellor),
    )
    share_with_institution(actor=supervisor, case=police_case, institution=police, reason="Test share")
    share_with_institution(actor=supervisor, case=school_case, institution=school, reason="Test share")
    expected = {police_liaison: {police_case}, school_liaison: {school_case}}
    for liaison, visible in expected.items():
        for case in (police_case, school_case, private_case):
            if case in visible:
                assert access_case(liaison, case.reference) == case
            else:
                with pytest.raises(Http404):
                    access_case(liaison, case.pk)


@pytest.mark.parametrize(
    "key", ["", "abc", "-1", "99999999999999999999999", "SS-1900-000001", "'; drop table"]
)
def test_garbage_keys_are_404(counsellor, key):
    with pytest.raises(Http404):
        access_case(counsellor, key)
