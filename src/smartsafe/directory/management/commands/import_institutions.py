"""``manage.py import_institutions FILE.csv``: add or update institutions by code.

Meant for the long lists: every municipality's centre for social work, school administrations,
police administrations. Columns and an example: docs/directory.md and
``directory/data/rs/institutions_example.csv``. Every invalid row is reported with its line number.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartsafe.directory import actions
from smartsafe.directory.loaders import ImportFileError

from ._reporting import finish


class Command(BaseCommand):
    help = "Import institutions from a CSV file (upsert by code; all or nothing unless --skip-invalid)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--country", default="RS", help="Country code of the institutions (default RS).")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Save the valid rows even if some are invalid."
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, save nothing.")

    def handle(self, *args, **options):
        try:
            report = actions.import_institutions(
                options["file"],
                country=options["country"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finish(self, report, dry_run=options["dry_run"])
