"""Tokens honour two-factor authentication, and guessing keys is throttled per client."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from smartsafe.accounts.actions import create_api_token
from smartsafe.accounts.models import ApiToken
from smartsafe.accounts.token_throttle import WINDOW_SECONDS
from smartsafe.audit.models import AuditEvent

from .conftest import give_totp, log_in, totp_code

pytestmark = [pytest.mark.django_db, pytest.mark.urls("smartsafe.accounts.tests.api_urls")]

WHOAMI = "/api/test-whoami/"


def call(client, key, address="203.0.113.7"):
    return client.get(WHOAMI, headers={"Authorization": f"Token {key}"}, REMOTE_ADDR=address)


@pytest.fixture
def require_mfa(settings):
    settings.SMARTSAFE_REQUIRE_MFA = True


def test_a_token_made_before_mfa_was_enrolled_works_only_once_it_is(client, counsellor, settings):
    settings.SMARTSAFE_REQUIRE_MFA = False  # made in demo mode, or before the rule
    token, key = create_api_token(actor=counsellor, user=counsellor, name="old script")
    assert call(client, key).status_code == 200
    settings.SMARTSAFE_REQUIRE_MFA = True
    refused = call(client, key)
    assert refused.status_code == 401
    assert "second factor" in refused.json()["detail"]
    event = AuditEvent.objects.filter(action="auth.token_rejected").latest("pk")
    assert event.details["reason"] == "mfa_missing" and event.details["prefix"] == token.prefix
    give_totp(counsellor)
    assert call(client, key).status_code == 200


def test_in_demo_mode_a_token_works_without_mfa(client, counsellor, settings):
    settings.SMARTSAFE_REQUIRE_MFA = False
    _token, key = create_api_token(actor=counsellor, user=counsellor, name="demo")
    assert call(client, key).status_code == 200


def test_no_token_is_made_for_an_account_without_mfa(counsellor, require_mfa):
    with pytest.raises(ValidationError, match="second factor"):
        create_api_token(actor=None, user=counsellor, name="script")
    assert not ApiToken.objects.exists()


def test_the_profile_asks_for_a_fresh_code_before_making_a_token(
    client, counsellor, require_mfa, time_machine
):
    secret = give_totp(counsellor)
    time_machine.move_to(timezone.now(), tick=False)
    log_in(client, counsellor.username)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    time_machine.shift(60)
    made = client.post(reverse("accounts:token_create"), {"name": "fresh"})
    assert made.status_code == 200 and ApiToken.objects.filter(user=counsellor, name="fresh").exists()
    # An hour later the same session is no longer enough.
    time_machine.shift(3600)
    stale = client.post(reverse("accounts:token_create"), {"name": "stale"})
    assert stale.status_code == 302
    assert stale["Location"].startswith(reverse("mfa_reauthenticate"))
    assert not ApiToken.objects.filter(name="stale").exists()
    # A code entered on the reauthentication page makes it fresh again.
    time_machine.shift(31)  # a new TOTP step: allauth refuses a code used once
    response = client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    again = client.post(reverse("accounts:token_create"), {"name": "stale"})
    assert again.status_code == 200 and ApiToken.objects.filter(name="stale").exists()


def test_demo_accounts_without_mfa_make_tokens_without_a_code(client, counsellor, settings):
    settings.SMARTSAFE_REQUIRE_MFA = False
    client.force_login(counsellor)
    response = client.post(reverse("accounts:token_create"), {"name": "demo"})
    assert response.status_code == 200 and ApiToken.objects.filter(name="demo").exists()


def test_failed_token_attempts_are_throttled_per_client(client, counsellor, settings, time_machine):
    settings.SMARTSAFE_TOKEN_FAILURES_PER_WINDOW = 5
    time_machine.move_to(timezone.now(), tick=False)
    _token, key = create_api_token(actor=counsellor, user=counsellor, name="script")
    for attempt in range(5):
        assert call(client, f"guess-{attempt}").status_code == 401
    throttled = call(client, "guess-6")
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "Too many failed token attempts" in throttled.json()["detail"]
    # Even the right key: the guesser must not learn that it was right.
    assert call(client, key).status_code == 429
    # Another client is not affected.
    assert call(client, key, address="198.51.100.9").status_code == 200
    # Only the five real failures were written to the audit log, not the throttled requests.
    assert AuditEvent.objects.filter(action="auth.token_rejected").count() == 5
    time_machine.shift(WINDOW_SECONDS + 1)
    assert call(client, key).status_code == 200


def test_successes_do_not_count(client, counsellor, settings):
    settings.SMARTSAFE_TOKEN_FAILURES_PER_WINDOW = 2
    _token, key = create_api_token(actor=counsellor, user=counsellor, name="busy")
    for _ in range(10):
        assert call(client, key).status_code == 200
