"""django-axes through allauth's real login form, and the audit events of logging in and out."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from smartsafe.audit.models import AuditEvent

from .conftest import log_in, session_user_id

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-42"


def fail(client, username, times):
    responses = [log_in(client, username, WRONG) for _ in range(times)]
    return responses


def test_five_failures_lock_the_account_even_for_the_right_password(client, counsellor):
    for response in fail(client, counsellor.username, 4):
        assert response.status_code == 200  # the form again, with its error
        assert b'class="errorlist' in response.content
    fifth = log_in(client, counsellor.username, WRONG)
    assert fifth.status_code == 429

    response = log_in(client, counsellor.username)
    assert response.status_code == 429
    assert session_user_id(client) is None
    body = response.content.decode()
    assert "Too many failed logins" in body and "Try again in 15 minutes" in body
    assert "skip-link" in body  # our layout, not a bare message
    assert response["Retry-After"] == "900"

    failed = AuditEvent.objects.filter(action="auth.login_failed")
    assert failed.count() == 6
    assert {event.details["username"] for event in failed} == {counsellor.username}
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    everything = json.dumps([event.details for event in AuditEvent.objects.all()])
    assert WRONG not in everything and "correct-horse-9" not in everything


def test_the_lock_ignores_case_and_spaces_in_the_username(client, counsellor):
    name = counsellor.username
    variants = [name.upper(), f" {name} ", name.title(), f"{name}\t", name.swapcase()]
    for variant in variants[:4]:
        assert log_in(client, variant, WRONG).status_code == 200
    assert log_in(client, variants[4], WRONG).status_code == 429
    assert log_in(client, counsellor.username).status_code == 429


def test_lock_is_per_username(client, counsellor, other_counsellor):
    fail(client, counsellor.username, 5)
    response = log_in(client, other_counsellor.username)
    assert response.status_code == 302
    assert session_user_id(client) == str(other_counsellor.pk)


def test_the_lock_lifts_after_the_cool_off(client, counsellor, time_machine):
    time_machine.move_to(timezone.now())
    fail(client, counsellor.username, 5)
    time_machine.shift(14 * 60)
    assert log_in(client, counsellor.username).status_code == 429  # restarts the wait
    time_machine.shift(16 * 60)
    response = log_in(client, counsellor.username)
    assert response.status_code == 302
    assert session_user_id(client) == str(counsellor.pk)


def test_a_success_resets_the_count(client, counsellor):
    fail(client, counsellor.username, 4)
    assert log_in(client, counsellor.username).status_code == 302
    client.post(reverse("account_logout"))
    fail(client, counsellor.username, 4)
    assert log_in(client, counsellor.username).status_code == 302


def test_login_and_logout_are_audited(client, counsellor):
    log_in(client, counsellor.username)
    client.post(reverse("account_logout"))
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", "actor_id", "outcome"))
    assert actions == [("auth.login", counsellor.pk, "ok"), ("auth.logout", counsellor.pk, "ok")]
