import pytest
from django.urls import reverse

from smartsafe.accounts.actions import create_api_token
from smartsafe.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    from smartsafe.testing import make_user

    user = make_user("admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


def test_user_admin_shows_role_and_institution(client, superuser, police_liaison, police):
    client.force_login(superuser)
    listing = client.get(reverse("admin:accounts_user_changelist"))
    assert listing.status_code == 200
    assert police.name in listing.content.decode()
    change = client.get(reverse("admin:accounts_user_change", args=[police_liaison.pk]))
    assert change.status_code == 200
    body = change.content.decode()
    assert 'name="role"' in body and "institution_membership" in body
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200


def test_token_admin_is_read_only_and_never_shows_keys(client, superuser, counsellor):
    token, key = create_api_token(actor=counsellor, user=counsellor, name="script")
    client.force_login(superuser)
    listing = client.get(reverse("admin:accounts_apitoken_changelist"))
    assert listing.status_code == 200 and token.prefix in listing.content.decode()
    detail = client.get(reverse("admin:accounts_apitoken_change", args=[token.pk]))
    assert detail.status_code == 200
    assert key not in detail.content.decode() and token.key_hash not in detail.content.decode()
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    assert (
        client.post(reverse("admin:accounts_apitoken_delete", args=[token.pk]), {"post": "yes"}).status_code
        == 403
    )


def test_admin_can_revoke_tokens_in_bulk(client, superuser, counsellor):
    token, _key = create_api_token(actor=counsellor, user=counsellor, name="leaked")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:accounts_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="token.revoke").actor == superuser
