"""``manage.py restore SRC``: bring a backup back into a fresh data directory and check it."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from smartsafe.site import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'manage.py backup' into this installation's (fresh) data directory, "
        "then verify the audit chain and every evidence file. Exits 1 if anything does not match."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="a directory written by 'manage.py backup'")
        parser.add_argument(
            "--force", action="store_true", help="replace the database and files already here"
        )

    def handle(self, *args, source, force, **options):
        try:
            manifest = backup.restore(source, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"restored {source} (taken {manifest['finished_at']})")
        check = backup.verify_restored(manifest)
        for note in check.notes:
            self.stdout.write(f"note: {note}")
        for problem in check.problems:
            self.stderr.write(f"problem: {problem}")
        if not check.ok:
            raise CommandError(f"the restored installation has {len(check.problems)} problem(s)")
        self.stdout.write(
            f"audit chain intact: {check.audit_events} events; {check.evidence_files} evidence files "
            f"present and unchanged, {check.contents_checked} decrypted and matching their SHA-256"
        )
