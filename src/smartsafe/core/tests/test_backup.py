"""``manage.py backup`` while the installation writes, ``manage.py restore`` into a fresh directory.

Everything runs as real processes on a real embedded installation (SQLite and local files in a
data directory of its own), whatever database the rest of the suite uses: a writer process logs
contacts with evidence files, the backup is taken in the middle of that, and the restored copy
must have an intact audit chain and every evidence file, each decrypting to its recorded SHA-256.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from smartsafe.site import backup

ROOT = Path(__file__).resolve().parents[4]
KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


def _env(data_dir: Path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "DJANGO_", "SMARTSAFE_"))}
    env.pop("DATABASE_URL", None)  # the embedded installation: SQLite in the data directory
    env.update(
        DJANGO_SETTINGS_MODULE="smartsafe.config.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH", "")])),
        SMARTSAFE_DEMO="1",
        SMARTSAFE_DATA_DIR=str(data_dir),
        SMARTSAFE_EVIDENCE_KEY=KEY,
        SMARTSAFE_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


def manage(data_dir: Path, *args: str, check: bool = True, **extra) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=_env(data_dir, **extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result


def _count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_a_backup_taken_during_writes_restores_with_its_audit_chain_and_evidence(tmp_path):
    live, copy, fresh = tmp_path / "live", tmp_path / "backup", tmp_path / "fresh"
    manage(live, "migrate", "--noinput", "-v", "0")
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-m", "smartsafe.core.tests.backup_writer", str(stop)],
        env=_env(live),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        database = live / "smartsafe.sqlite3"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (_count(database, "evidence_evidencefile") < 5):
            assert writer.poll() is None, writer.stderr.read()
            time.sleep(0.2)
        taken = manage(live, "backup", str(copy))  # while the writer keeps going
        time.sleep(0.5)
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=60)
    assert writer.returncode == 0, err
    written = int(out.split()[-1])
    manifest = json.loads((copy / "manifest.json").read_text())
    print(f"writer logged {written} contacts with a file each; the backup holds {manifest['evidence_files']}")
    assert "not included: the evidence master key" in taken.stdout
    assert 5 <= manifest["evidence_files"] < written, (manifest["evidence_files"], written)
    assert manifest["evidence_key_ids"] and manifest["not_included"] == ["evidence master key", "secret key"]
    assert all(name.startswith(("smartsafe.sqlite3", "media/")) for name in manifest["sha256"])

    restored = manage(fresh, "restore", str(copy))
    assert "audit chain intact" in restored.stdout, restored.stdout
    files = manifest["evidence_files"]
    assert f"{files} evidence files present and unchanged, {files} decrypted" in restored.stdout
    assert _count(fresh / "smartsafe.sqlite3", "evidence_evidencefile") == files
    # The chain verifies on its own too, with the project's own command.
    assert "audit chain intact" in manage(fresh, "verify_audit").stdout

    # Without the master key the files are there but cannot be opened: the restore says so.
    keyless = manage(tmp_path / "keyless", "restore", str(copy), SMARTSAFE_EVIDENCE_KEY="")
    assert "not configured here" in keyless.stdout and f"{files} evidence files present" in keyless.stdout


def test_restore_refuses_an_existing_installation_and_a_tampered_backup(tmp_path):
    live, copy = tmp_path / "live", tmp_path / "backup"
    manage(live, "migrate", "--noinput", "-v", "0")
    manage(live, "backup", str(copy))
    refused = manage(live, "restore", str(copy), check=False)
    assert refused.returncode != 0 and "already holds an installation" in refused.stderr
    assert "audit chain intact" in manage(live, "restore", str(copy), "--force").stdout

    with open(copy / "smartsafe.sqlite3", "r+b") as handle:
        handle.seek(200)
        handle.write(b"\x00tampered\x00")
    tampered = manage(tmp_path / "other", "restore", str(copy), check=False)
    assert tampered.returncode != 0 and "does not match its SHA-256" in tampered.stderr
    assert not (tmp_path / "other" / "smartsafe.sqlite3").exists(), "nothing restored from a bad copy"
    again = manage(live, "backup", str(copy), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr


@pytest.mark.django_db
def test_postgresql_installations_are_pointed_at_pg_dump(tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("this run's database is SQLite; the PostgreSQL run checks the refusal")
    with pytest.raises(backup.BackupError, match="pg_dump"):
        backup.take(tmp_path / "backup")
    assert not (tmp_path / "backup").exists()
