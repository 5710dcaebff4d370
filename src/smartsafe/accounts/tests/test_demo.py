import pytest
from django.contrib.auth import get_user_model

from smartsafe.audit.models import AuditEvent
from smartsafe.demo.accounts import DEMO_LOGINS, ensure_demo_users
from smartsafe.directory.models import Institution, InstitutionMember

pytestmark = pytest.mark.django_db

EXPECTED_ROLES = {
    "admin": "admin",
    "supervisor": "supervisor",
    "counsellor": "counsellor",
    "police": "liaison",
    "prevention": "prevention",
    "analyst": "analyst",
    "auditor": "auditor",
}


def test_creates_one_login_per_role_idempotently(settings):
    settings.DEMO = True
    logins = ensure_demo_users()
    assert {username: role for username, _password, role in logins} == EXPECTED_ROLES
    assert logins == DEMO_LOGINS
    User = get_user_model()
    for username, password, role in logins:
        user = User.objects.get(username=username)
        assert password == f"demo-{username}" and user.check_password(password)
        assert user.role == role and user.is_active
        assert user.display_name and user.display_name == f"{user.first_name} {user.last_name}"
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.get(username="counsellor").is_staff

    police = Institution.objects.get(code="rs-police-vtk")
    assert police.kind == "police" and police.uses_portal
    assert police.name_en == "Ministry of Interior — High-Tech Crime Department"
    assert police.name_sr.startswith("Министарство унутрашњих послова")
    assert InstitutionMember.objects.get(user__username="police").institution == police

    # A second run changes nothing, and repairs a changed password.
    counsellor = User.objects.get(username="counsellor")
    counsellor.set_password("something-else-1")
    counsellor.save()
    assert ensure_demo_users() == logins
    assert User.objects.count() == len(EXPECTED_ROLES)
    assert Institution.objects.filter(code="rs-police-vtk").count() == 1
    assert InstitutionMember.objects.count() == 1
    assert User.objects.get(username="counsellor").check_password("demo-counsellor")
    assert AuditEvent.objects.filter(action="user.create").count() == len(EXPECTED_ROLES)


def test_does_nothing_outside_demo_mode(settings):
    settings.DEMO = False
    assert ensure_demo_users() == []
    assert not get_user_model().objects.exists()


def test_demo_logins_work_through_the_login_form(client, settings):
    settings.DEMO = True
    ensure_demo_users()
    response = client.post("/accounts/login/", {"login": "police", "password": "demo-police"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_creates_the_police_institution_when_the_directory_has_none(settings):
    from smartsafe.demo.accounts import POLICE_INSTITUTION

    settings.DEMO = True
    Institution.objects.filter(code="rs-police-vtk").delete()
    ensure_demo_users()
    police = Institution.objects.get(code="rs-police-vtk")
    assert police.name_sr == POLICE_INSTITUTION["name_sr"] and police.kind == "police" and police.uses_portal
