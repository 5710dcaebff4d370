"""Backups of an embedded installation (SQLite and local files) that can be restored and checked.

A backup is a directory:

* ``smartsafe.sqlite3`` — the database, copied with SQLite's online backup API in one step, so it
  is the state of one moment even while the site, the worker and the scheduler keep writing;
* ``media/`` — the file store (``MEDIA_ROOT``): the evidence vault's encrypted files and
  everything else uploaded, copied *after* the database, so every file the copied database
  names is there (files are written before their rows commit and never change afterwards; files
  added after the snapshot are unreferenced and harmless);
* ``manifest.json`` — what is included, the SHA-256 of every file in the backup, the counts of
  audit events and evidence files, and which evidence master keys (by id) the files need.

Not included, on purpose: the keys. The evidence master key (``SMARTSAFE_EVIDENCE_KEY`` /
``SMARTSAFE_EVIDENCE_KEY_FILE``, or ``evidence.key`` in a demo data directory) and the secret key
(``SMARTSAFE_SECRET_KEY``, or ``secret_key`` in a demo data directory) are kept apart from the
backups (docs/deploy.md): a stolen backup without them opens no evidence file.

PostgreSQL installations use ``pg_dump``/``pg_restore`` and a copy of the file store instead
(docs/deploy.md); ``take`` refuses them rather than copying half.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from smartsafe.audit.models import AuditEvent
from smartsafe.audit.verify import verify_chain
from smartsafe.evidence import crypto, hashing, storage
from smartsafe.evidence.models import EvidenceFile

FORMAT = 1
MANIFEST = "manifest.json"
DATABASE = "smartsafe.sqlite3"
FILES = "media"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot be done; ``str(exc)`` says why, for an operator."""


@dataclass
class Check:
    """What ``verify_restored`` found; ``ok`` when nothing is wrong."""

    audit_events: int = 0
    evidence_files: int = 0
    contents_checked: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _database_path(alias: str = "default") -> Path:
    if connections[alias].vendor != "sqlite":
        raise BackupError(
            "This installation runs on PostgreSQL: back it up with pg_dump and a copy of the file "
            "store (docs/deploy.md, 'Backups')."
        )
    return Path(connections[alias].settings_dict["NAME"])


def _files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(path for path in root.rglob("*") if path.is_file() and not path.is_symlink())


def _query(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute(sql).fetchall()


def _evidence_table() -> str:
    return EvidenceFile._meta.db_table


def _audit_table() -> str:
    return AuditEvent._meta.db_table


def take(destination: Path) -> dict:
    """Write a backup of the running installation into ``destination`` (new or empty)."""
    source = _database_path()
    destination = Path(destination)
    if destination.exists() and any(destination.iterdir()):
        raise BackupError(f"{destination} is not empty: a backup goes into a new directory.")
    destination.mkdir(parents=True, exist_ok=True)
    started = timezone.now()

    copy = destination / DATABASE
    with sqlite3.connect(source, timeout=60) as live, sqlite3.connect(copy) as target:
        live.backup(target)  # all pages in one step: a snapshot of one moment
        # One self-contained file (no -wal/-shm beside it); the site turns WAL on again when it opens it.
        target.execute("PRAGMA journal_mode=DELETE")
    target.close()
    live.close()

    media_root = Path(settings.MEDIA_ROOT)
    for path in _files(media_root):
        relative = path.relative_to(media_root)
        (destination / FILES / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination / FILES / relative)

    table = _evidence_table()
    # A deleted file keeps its record and hashes but no stored bytes (evidence.actions.delete_file).
    referenced = _query(
        copy, f"SELECT storage_name, key_id FROM {table} WHERE storage_name <> '' AND deleted_at IS NULL"
    )
    present = {str(p.relative_to(destination / FILES)) for p in _files(destination / FILES)}
    deleted_meanwhile = sorted(name for name, _key in referenced if name not in present)
    manifest = {
        "format": FORMAT,
        "kind": "smartsafe embedded backup",
        "started_at": started.isoformat(),
        "finished_at": timezone.now().isoformat(),
        "database": DATABASE,
        "files_root": FILES,
        "audit_events": _query(copy, f"SELECT COUNT(*) FROM {_audit_table()}")[0][0],
        "evidence_files": len(referenced),
        # By id only: the keys themselves are never in a backup (docs/deploy.md).
        "evidence_key_ids": sorted({key for _name, key in referenced if key}),
        "not_included": ["evidence master key", "secret key"],
        "missing_files": deleted_meanwhile,
        "sha256": {
            str(path.relative_to(destination)): sha256_of(path)
            for path in [copy, *_files(destination / FILES)]
        },
    }
    (destination / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def read_manifest(source: Path) -> dict:
    try:
        manifest = json.loads((Path(source) / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source} is not a smartsafe backup (no readable {MANIFEST}): {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{source}: unknown backup format {manifest.get('format')!r}")
    return manifest


def check_copy(source: Path, manifest: dict) -> None:
    """Every file the manifest names is in ``source`` with its hash, and nothing else is."""
    source = Path(source)
    listed = manifest["sha256"]
    found = {str(p.relative_to(source)) for p in _files(source)} - {MANIFEST}
    if found - set(listed):
        raise BackupError(f"files not in the manifest: {sorted(found - set(listed))[:5]}")
    for relative, expected in listed.items():
        path = source / relative
        if not path.is_file():
            raise BackupError(f"{relative} is missing from the backup")
        if sha256_of(path) != expected:
            raise BackupError(f"{relative} does not match its SHA-256 in the manifest")


def is_fresh() -> bool:
    database = _database_path()
    media_root = Path(settings.MEDIA_ROOT)
    return not database.exists() and not _files(media_root)


def restore(source: Path, *, force: bool = False) -> dict:
    """Bring the backup in ``source`` back into this installation's data directory."""
    source = Path(source)
    manifest = read_manifest(source)
    database = _database_path()
    media_root = Path(settings.MEDIA_ROOT)
    if not is_fresh() and not force:
        raise BackupError(
            f"{database.parent} already holds an installation (a database or stored files); "
            "restore into a fresh data directory, or pass --force to replace it."
        )
    check_copy(source, manifest)  # before anything here is touched

    connections.close_all()
    database.parent.mkdir(parents=True, exist_ok=True)
    incoming = database.with_name(database.name + ".restoring")
    shutil.copy2(source / manifest["database"], incoming)
    for leftover in (database.with_name(database.name + "-wal"), database.with_name(database.name + "-shm")):
        leftover.unlink(missing_ok=True)  # a replaced database must not meet the old one's log
    os.replace(incoming, database)

    if force and media_root.exists():
        shutil.rmtree(media_root)
    files_root = source / manifest["files_root"]
    for path in _files(files_root):
        target = media_root / path.relative_to(files_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return manifest


def _available_key_ids() -> set[str]:
    """Ids of the evidence master keys configured here, without generating a demo key: a restore
    into a fresh demo directory must not invent a key that opens none of the restored files."""

    if (
        settings.SMARTSAFE_EVIDENCE_KEY
        or settings.SMARTSAFE_EVIDENCE_KEY_FILE
        or crypto.demo_key_path().exists()
    ):
        return set(crypto.keyring())
    return {crypto.read_key_file(path).id for path in settings.SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES}


def verify_restored(manifest: dict, *, check_contents: bool = True) -> Check:
    """The audit chain and every evidence file of the installation as it is now.

    Each stored file must be present with the SHA-256 the manifest recorded for it; with the
    evidence master key at hand (``check_contents``), each is also decrypted and its content
    compared with the SHA-256 recorded when it arrived.
    """
    check = Check()
    result = verify_chain()
    check.audit_events = result.count
    if not result.ok:
        check.problems.append(
            f"audit chain broken at event #{result.problem.sequence}: {result.problem.describe()}"
        )

    media_root = Path(settings.MEDIA_ROOT)
    recorded = manifest["sha256"]
    available = _available_key_ids() if check_contents else set()
    missing_ids = sorted(set(manifest.get("evidence_key_ids", [])) - available)
    if check_contents and missing_ids:
        check.notes.append(
            f"evidence master key(s) {', '.join(missing_ids)} not configured here: contents of their "
            "files not checked (configure SMARTSAFE_EVIDENCE_KEY or SMARTSAFE_EVIDENCE_KEY_FILE)"
        )
    for file in EvidenceFile.objects.exclude(storage_name="").filter(deleted_at__isnull=True).iterator():
        check.evidence_files += 1
        path = media_root / file.storage_name
        listed = recorded.get(f"{FILES}/{file.storage_name}")
        if file.storage_name in manifest.get("missing_files", []):
            check.notes.append(f"E-{file.pk}: deleted while the backup was taken")
            continue
        if not path.is_file():
            check.problems.append(f"E-{file.pk}: stored file {file.storage_name} is missing")
            continue
        if listed is None or sha256_of(path) != listed:
            check.problems.append(f"E-{file.pk}: stored file differs from the one backed up")
            continue
        if file.key_id not in available:
            continue
        try:
            content = crypto.open_sealed(
                storage.get(file.storage_name),
                nonce=bytes(file.nonce),
                wrapped_key=bytes(file.wrapped_key),
                key_id=file.key_id,
                context=file.storage_name,
            )
        except crypto.DecryptionFailed:
            check.problems.append(f"E-{file.pk}: does not decrypt (altered, or the wrong key)")
            continue
        if hashing.digests(content).sha256 != file.sha256:
            check.problems.append(f"E-{file.pk}: content does not match its SHA-256")
            continue
        check.contents_checked += 1
    return check
