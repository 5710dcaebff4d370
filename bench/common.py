"""What the benchmarks share: a throw-away database, ``manage.py`` in a child process, and Django
set up in the benchmark's own process (to write the data it measures).

The benchmarks are scripts run from the repository root (``.venv/bin/python bench/NAME.py``);
Python puts ``bench/`` on the path, so they import this module as ``common``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def throwaway_database(name: str, sqlite_path: Path | None = None) -> tuple[str, Callable[[], None]]:
    """The URL of a new, empty database called ``name`` on the PostgreSQL server DATABASE_URL names
    (one left by an earlier run is dropped first), and how to drop it. Without a PostgreSQL
    DATABASE_URL: a SQLite file at ``sqlite_path``, or an error where the benchmark needs
    PostgreSQL (no ``sqlite_path``)."""
    given = os.environ.get("DATABASE_URL", "")
    if not given.startswith("postgres"):
        if sqlite_path is None:
            raise SystemExit(
                "set DATABASE_URL to a PostgreSQL server: this benchmark makes its database there"
            )
        return f"sqlite:///{sqlite_path}", lambda: None
    import psycopg

    base, _, _db = given.rpartition("/")
    admin = f"{base}/postgres"

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    drop()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}", drop


def manage(env: dict, *args: str) -> None:
    """``manage.py ARGS`` in a child process with ``env``; its output is not the benchmark's."""
    subprocess.run(
        [sys.executable, "-m", "django", *args], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )


def setup_django(url: str, env: dict) -> None:
    """Django in this process, on ``url`` with the platform's SMARTSAFE_ settings of ``env``."""
    os.environ.update({k: env[k] for k in env if k.startswith("SMARTSAFE_")})
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "smartsafe.config.settings"
    import django

    django.setup()
