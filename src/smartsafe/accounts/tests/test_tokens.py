"""Personal API tokens: ``Authorization: Token <key>`` through real DRF requests, and the command."""

import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from smartsafe.accounts.actions import create_api_token, revoke_api_token
from smartsafe.accounts.models import ApiToken
from smartsafe.audit.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.urls("smartsafe.accounts.tests.api_urls")]

WHOAMI = "/api/test-whoami/"


def get(client, path=WHOAMI, authorization=None):
    headers = {"Authorization": authorization} if authorization is not None else {}
    return client.get(path, headers=headers)


@pytest.fixture
def token_and_key(counsellor):
    return create_api_token(actor=counsellor, user=counsellor, name="export script")


def rejections():
    return list(AuditEvent.objects.filter(action="auth.token_rejected").order_by("pk"))


def test_a_valid_token_runs_the_request_as_its_owner(client, counsellor, token_and_key):
    token, key = token_and_key
    response = get(client, authorization=f"Token {key}")
    assert response.status_code == 200
    assert response.json() == {"username": counsellor.username, "token": token.prefix}
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert get(client, "/api/schema/", authorization=f"Token {key}").status_code == 200


def test_the_schema_needs_authentication(client):
    response = get(client, "/api/schema/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_last_used_is_written_at_most_once_a_minute(client, token_and_key, time_machine):
    token, key = token_and_key
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    get(client, authorization=f"Token {key}")
    token.refresh_from_db()
    assert token.last_used_at == start
    time_machine.shift(30)
    get(client, authorization=f"Token {key}")
    token.refresh_from_db()
    assert token.last_used_at == start
    time_machine.shift(31)
    get(client, authorization=f"Token {key}")
    token.refresh_from_db()
    assert (token.last_used_at - start).total_seconds() == 61


@pytest.mark.parametrize(
    "header, reason, message",
    [
        ("Token", "malformed", "exactly one key"),
        ("Token abc def", "malformed", "exactly one key"),
        ("token " + "x" * 300, "malformed", "too long"),
        ("Token ss_doesnotexist123", "unknown", "no such key"),
    ],
)
def test_bad_headers_are_refused_and_audited_without_the_key(client, header, reason, message):
    response = get(client, authorization=header)
    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response["WWW-Authenticate"] == "Token"
    (event,) = rejections()
    assert event.details["reason"] == reason and event.outcome == "denied"
    assert "doesnotexist" not in json.dumps(event.details) + event.object_label


def test_a_non_ascii_key_is_refused(client):
    response = client.get(WHOAMI, HTTP_AUTHORIZATION="Token ключ".encode().decode("latin-1"))
    assert response.status_code == 401
    assert rejections()[0].details["reason"] == "malformed"


def test_another_scheme_is_not_ours(client, counsellor):
    response = get(client, authorization="Basic Zm9vOmJhcg==")
    assert response.status_code == 401
    assert rejections() == []


def test_a_revoked_token_stops_working(client, counsellor, token_and_key):
    token, key = token_and_key
    revoke_api_token(actor=counsellor, token=token)
    response = get(client, authorization=f"Token {key}")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    (event,) = rejections()
    assert event.details["reason"] == "revoked" and event.details["prefix"] == token.prefix
    assert key not in json.dumps(event.details)


def test_a_deactivated_accounts_tokens_stop_working(client, counsellor, token_and_key):
    _token, key = token_and_key
    counsellor.is_active = False
    counsellor.save()
    response = get(client, authorization=f"Token {key}")
    assert response.status_code == 401
    assert "deactivated" in response.json()["detail"]
    assert rejections()[0].details["reason"] == "user_inactive"


def test_only_a_hash_of_the_key_is_stored(counsellor, token_and_key):
    token, key = token_and_key
    assert key.startswith(token.prefix) and len(key) > 40
    assert token.key_hash == ApiToken.hash_key(key) and key not in token.key_hash
    event = AuditEvent.objects.get(action="token.create")
    assert event.actor == counsellor and key not in json.dumps(event.details)


def test_the_command_prints_only_the_key(client, counsellor, capsys):
    call_command("create_api_token", counsellor.username, "--name", "nightly export")
    out, err = capsys.readouterr()
    key = out.strip()
    assert "\n" not in key and key.startswith("ss_")
    assert "nightly export" in err
    token = ApiToken.objects.get(key_hash=ApiToken.hash_key(key))
    assert token.user == counsellor and token.name == "nightly export"
    assert get(client, authorization=f"Token {key}").json()["username"] == counsellor.username
    event = AuditEvent.objects.get(action="token.create")
    assert event.actor is None and event.via == "command"


def _database_url() -> str:
    """The test database as a URL, so a separate ``manage.py`` process can use it."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_the_command_exits_non_zero_for_an_unknown_user():
    # A real process: the exit status is the contract for scripts (call_command only raises).
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "smartsafe.config.settings",
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "create_api_token", "nobody-here"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stdout == "" and "nobody-here" in result.stderr


def test_the_command_refuses_a_deactivated_user(counsellor, capsys):
    counsellor.is_active = False
    counsellor.save()
    with pytest.raises(CommandError, match="deactivated"):
        call_command("create_api_token", counsellor.username)
    assert capsys.readouterr().out == ""
    assert not ApiToken.objects.exists()
