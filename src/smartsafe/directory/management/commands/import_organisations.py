"""``manage.py import_organisations FILE.json``: add or update directory organisations by slug.

The file is ``{"source": …, "country": "RS", "organisations": [{…}, …]}`` or a bare list, in the
shape of ``directory/data/rs/organisations_inspire_2019.json`` (docs/directory.md).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartsafe.directory import actions
from smartsafe.directory.loaders import ImportFileError

from ._reporting import finish


class Command(BaseCommand):
    help = "Import organisations from a JSON file (upsert by slug; all or nothing unless --skip-invalid)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--country", default="RS", help="Country code when the file does not say (default RS)."
        )
        parser.add_argument(
            "--skip-invalid", action="store_true", help="Save the valid rows even if some are invalid."
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate and count, save nothing.")

    def handle(self, *args, **options):
        try:
            report = actions.import_organisations(
                options["file"],
                country=options["country"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finish(self, report, dry_run=options["dry_run"])
