"""Real child processes against the test database: workers, ``manage.py serve``, uvicorn.

A child must not think it runs under pytest (it would use the immediate task backend and the test
defaults), but it must read the same database and the same keys as the test that started it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

SRC = Path(__file__).resolve().parents[3]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        user, password = quote(db["USER"] or ""), quote(db["PASSWORD"] or "")
        return f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def child_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update(
        DJANGO_SETTINGS_MODULE="smartsafe.config.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH", "")])),
        DATABASE_URL=database_url(),
        SMARTSAFE_DEMO="1",
        SMARTSAFE_DATA_DIR=str(data_dir),
        SMARTSAFE_SECRET_KEY=settings.SECRET_KEY,
        SMARTSAFE_PSEUDONYM_KEY=str(settings.SMARTSAFE_PSEUDONYM_KEY),
        SMARTSAFE_CHANNEL_SECRETS_KEY=str(settings.SMARTSAFE_CHANNEL_SECRETS_KEY),
        SMARTSAFE_LANGUAGE=settings.LANGUAGE_CODE,
        SMARTSAFE_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.pop("WEB_CONCURRENCY", None)
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    handle = open(log, "ab")  # noqa: SIM115 - the child owns it
    return subprocess.Popen(
        [sys.executable, "-m", "django", *args], env=env, stdout=handle, stderr=subprocess.STDOUT
    )


def wait_for(condition, *, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
