"""``manage.py backup DEST``: a consistent copy of a running embedded installation (site/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartsafe.site import backup


class Command(BaseCommand):
    help = (
        "Back up an embedded (SQLite) installation while it runs: the database (SQLite online backup), "
        "the file store and a manifest with every file's SHA-256. The keys are not included."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path, help="a new or empty directory")

    def handle(self, *args, destination, **options):
        try:
            manifest = backup.take(destination)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"backup written to {destination}: {manifest['audit_events']} audit events, "
            f"{manifest['evidence_files']} evidence files, {len(manifest['sha256'])} files in all"
        )
        if manifest["missing_files"]:
            self.stdout.write(f"{len(manifest['missing_files'])} evidence files were deleted while it ran")
        keys = ", ".join(manifest["evidence_key_ids"]) or "none"
        self.stdout.write(
            f"not included: the evidence master key (ids needed: {keys}) and the secret key; "
            "keep them apart from the backups (docs/deploy.md)"
        )
