"""The profile page: identity, MFA status, the token list, create (key shown once) and revoke."""

import pytest
from django.urls import reverse

from smartsafe.accounts.actions import create_api_token
from smartsafe.accounts.models import ApiToken
from smartsafe.audit.models import AuditEvent

from .conftest import give_totp

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"


def test_the_profile_url_name():
    assert reverse("accounts:profile") == PROFILE


def test_anonymous_people_are_sent_to_the_login(client):
    response = client.get(PROFILE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.post(reverse("accounts:token_create"), {"name": "x"}).status_code == 302
    assert not ApiToken.objects.exists()


def test_shows_name_role_and_mfa_status(client, supervisor):
    supervisor.display_name = "Јелена Николић"
    supervisor.save()
    client.force_login(supervisor)
    body = client.get(PROFILE).content.decode()
    assert "Јелена Николић" in body and "Supervisor" in body
    assert "Institution" not in body
    assert reverse("mfa_activate_totp") in body
    give_totp(supervisor)
    body = client.get(PROFILE).content.decode()
    assert reverse("mfa_index") in body and "authenticator app" in body


def test_a_liaison_sees_their_institution(client, police_liaison, police):
    client.force_login(police_liaison)
    body = client.get(PROFILE).content.decode()
    assert "Institution liaison" in body and police.name in body


def test_create_shows_the_key_once(client, counsellor):
    client.force_login(counsellor)
    response = client.post(reverse("accounts:token_create"), {"name": "monthly export"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=counsellor)
    body = response.content.decode()
    key = body.split('id="new-token-key" class="kbd" type="text" value="', 1)[1].split('"', 1)[0]
    assert ApiToken.hash_key(key) == token.key_hash
    assert "Copy it now" in body
    event = AuditEvent.objects.get(action="token.create")
    assert event.actor == counsellor and event.object_id == str(token.pk)

    again = client.get(PROFILE).content.decode()
    assert key not in again
    assert "monthly export" in again and token.prefix in again and "never" in again


def test_create_needs_a_name(client, counsellor):
    client.force_login(counsellor)
    response = client.post(reverse("accounts:token_create"), {"name": "   "})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not ApiToken.objects.exists()


def test_create_is_post_only(client, counsellor):
    client.force_login(counsellor)
    assert client.get(reverse("accounts:token_create")).status_code == 405


def test_revoke_asks_then_revokes(client, counsellor):
    token, _key = create_api_token(actor=counsellor, user=counsellor, name="old script")
    client.force_login(counsellor)
    url = reverse("accounts:token_revoke", args=[token.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None

    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == PROFILE
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="token.revoke")
    assert event.actor == counsellor and event.object_id == str(token.pk)
    # Twice is harmless and records nothing new.
    client.post(url)
    assert AuditEvent.objects.filter(action="token.revoke").count() == 1
    assert "revoked" in client.get(PROFILE).content.decode()


def test_nobody_revokes_someone_elses_token(client, counsellor, other_counsellor):
    token, _key = create_api_token(actor=counsellor, user=counsellor, name="mine")
    client.force_login(other_counsellor)
    url = reverse("accounts:token_revoke", args=[token.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert token.prefix not in client.get(PROFILE).content.decode()
