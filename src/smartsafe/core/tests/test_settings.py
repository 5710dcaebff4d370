"""Production settings refuse to start without their required values, with a message naming them."""

import os
import subprocess
import sys

import pytest


def _start(extra_env: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SMARTSAFE_", "PYTEST_", "DATABASE_URL"))}
    env.update(extra_env, DJANGO_SETTINGS_MODULE="smartsafe.config.settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "env,named",
    [
        ({}, "SMARTSAFE_SECRET_KEY"),
        ({"SMARTSAFE_SECRET_KEY": "k" * 50}, "SMARTSAFE_ALLOWED_HOSTS"),
        ({"SMARTSAFE_DEMO": "maybe"}, "SMARTSAFE_DEMO"),
        ({"SMARTSAFE_DEMO": "1", "SMARTSAFE_LOGIN_FAILURE_LIMIT": "five"}, "SMARTSAFE_LOGIN_FAILURE_LIMIT"),
    ],
)
def test_missing_or_malformed_production_settings_stop_the_start(tmp_path, env, named):
    result = _start({**env, "SMARTSAFE_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert named in result.stderr


def test_production_settings_start_with_mfa_required(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.SMARTSAFE_REQUIRE_MFA, settings.DEMO, settings.SESSION_COOKIE_SECURE)",
        ],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("SMARTSAFE_", "PYTEST_"))},
            "DJANGO_SETTINGS_MODULE": "smartsafe.config.settings",
            "SMARTSAFE_SECRET_KEY": "k" * 50,
            "SMARTSAFE_ALLOWED_HOSTS": "smartsafe.example.org",
            "SMARTSAFE_DATA_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "True"]


def test_demo_mode_generates_and_keeps_a_secret_key(tmp_path):
    first = _start({"SMARTSAFE_DEMO": "1", "SMARTSAFE_DATA_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) > 40
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    _start({"SMARTSAFE_DEMO": "1", "SMARTSAFE_DATA_DIR": str(tmp_path)})
    assert (tmp_path / "secret_key").read_text() == key
