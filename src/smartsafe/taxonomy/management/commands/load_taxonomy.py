"""``manage.py load_taxonomy [--country rs] [--dry-run]``: apply the taxonomy data files.

Upserts by code (see ``smartsafe.taxonomy.loading``): creates what is new, updates what changed,
deletes and deactivates nothing. Rows that are in the database but not in the files are listed so
an administrator can decide about them in the admin.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from smartsafe.taxonomy.loading import TaxonomyDataError, available_countries, default_country, load


class _DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Load (upsert by code) the taxonomy data files of a country into the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--country",
            default=None,
            help=f"data folder to load (default: {default_country()}; "
            f"available: {', '.join(available_countries())})",
        )
        parser.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")

    def handle(self, *args, country=None, dry_run=False, **options):
        try:
            with transaction.atomic():
                report = load(country)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except TaxonomyDataError as exc:
            raise CommandError(str(exc)) from None
        for model in report.models:
            line = (
                f"{model.model}: {len(model.created)} created, {len(model.updated)} updated, "
                f"{model.unchanged} unchanged"
            )
            self.stdout.write(line)
            if model.updated and options.get("verbosity", 1) > 1:
                self.stdout.write("  updated: " + ", ".join(model.updated))
            if model.not_in_files:
                listed = ", ".join(model.not_in_files)
                self.stdout.write(
                    self.style.WARNING(f"  in the database but not in the files (left as they are): {listed}")
                )
        verb = "Would load" if dry_run else "Loaded"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} taxonomy '{report.country}': {report.created} created, {report.updated} updated."
            )
        )
