"""``manage.py load_directory [--country rs]``: (re)load the directory data shipped with the code.

The data migration already ran it once; run it again after editing the files under
``directory/data/`` or after adding municipalities, to link institutions to them. Idempotent.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from smartsafe.directory import actions
from smartsafe.directory.loaders import ImportFileError
from smartsafe.taxonomy.loading import default_country

from ._reporting import finish


class Command(BaseCommand):
    help = "Load the directory data shipped for a country (INSPIRE, platforms, institutions, organisations)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--country", default=None, help="Data folder to load (default: SMARTSAFE_COUNTRY or rs)."
        )
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        try:
            report = actions.load_default_data(
                options["country"] or default_country(), dry_run=options["dry_run"]
            )
        except ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        finish(self, report, dry_run=options["dry_run"])
