"""MFA: mandatory when SMARTSAFE_REQUIRE_MFA is on; allauth's TOTP step at login; optional in demo."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from smartsafe.audit.models import AuditEvent

from .conftest import give_totp, log_in, session_user_id, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def require_mfa(settings):
    settings.SMARTSAFE_REQUIRE_MFA = True


def test_password_alone_gives_no_session_when_totp_is_set_up(client, counsellor):
    secret = give_totp(counsellor)
    response = log_in(client, counsellor.username)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert session_user_id(client) is None
    # Still anonymous: a protected page sends them to the login.
    assert reverse("account_login") in client.get(reverse("accounts:profile"))["Location"]

    wrong = f"{(int(totp_code(secret)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert session_user_id(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert session_user_id(client) == str(counsellor.pk)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.login", actor=counsellor).count() == 1


def test_without_authenticator_every_page_leads_to_setup(client, counsellor, require_mfa):
    log_in(client, counsellor.username)
    assert session_user_id(client) == str(counsellor.pk)

    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"Two-factor authentication is required for every account" in page.content
    assert b'class="img-qr"' in page.content

    assert client.get("/admin/")["Location"] == reverse("mfa_activate_totp")
    htmx = client.get(reverse("accounts:profile"), headers={"HX-Request": "true"})
    assert htmx["HX-Redirect"] == reverse("mfa_activate_totp")
    api = client.get("/api/schema/")
    assert api.status_code == 403
    assert api.json()["setup_url"] == reverse("mfa_activate_totp")

    # The ways out stay open.
    language = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert language["Location"] == "/"
    assert client.get(reverse("mfa_index")).status_code == 200
    client.post(reverse("account_logout"))
    assert session_user_id(client) is None


def test_activating_totp_opens_the_site(client, counsellor, require_mfa, django_capture_on_commit_callbacks):
    log_in(client, counsellor.username)
    # Just logged in: no second password prompt before the setup page.
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals after commit
        response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=counsellor, type=Authenticator.Type.TOTP).exists()
    recovery = client.get(response["Location"])
    assert recovery.status_code == 200  # the recovery codes page, inside our layout
    assert b"skip-link" in recovery.content
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEvent.objects.filter(action="mfa.authenticator_added", actor=counsellor).exists()


def test_later_mfa_changes_ask_for_the_password_again(client, counsellor, time_machine):
    time_machine.move_to(timezone.now())
    log_in(client, counsellor.username)
    time_machine.shift(301)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))


def test_mfa_is_optional_but_offered_in_demo(client, counsellor, settings):
    settings.SMARTSAFE_REQUIRE_MFA = False
    client.force_login(counsellor)
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    assert reverse("mfa_activate_totp").encode() in response.content
    assert b"password only" in response.content


def test_admin_login_goes_through_allauth(client, administrator):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # Posting a password to the admin's own form logs no one in.
    client.post("/admin/login/", {"username": administrator.username, "password": "correct-horse-9"})
    assert session_user_id(client) is None


def test_login_pages_use_our_layout(client, counsellor):
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "skip-link" in body and 'class="card card-narrow auth-card stack"' in body
    assert 'class="field' in body and "button-primary" in body
    assert "sign up" not in body.lower()
    give_totp(counsellor)
    log_in(client, counsellor.username)
    stage = client.get(reverse("mfa_authenticate")).content.decode()
    assert "authenticator app" in stage and 'name="code"' in stage and "skip-link" in stage
    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000"}).content.decode()
    assert 'class="errorlist' in wrong


def test_totp_secrets_are_encrypted_in_the_database(client, counsellor):
    secret = give_totp(counsellor)
    stored = Authenticator.objects.get(user=counsellor, type=Authenticator.Type.TOTP).data["secret"]
    assert stored.startswith("fernet:") and secret not in stored
    # …and the login still accepts codes made from the real secret.
    log_in(client, counsellor.username)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert session_user_id(client) == str(counsellor.pk)


def test_secrets_stored_before_encryption_still_work(client, counsellor):
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    secret = generate_totp_secret()
    Authenticator.objects.create(user=counsellor, type=Authenticator.Type.TOTP, data={"secret": secret})
    log_in(client, counsellor.username)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert session_user_id(client) == str(counsellor.pk)
