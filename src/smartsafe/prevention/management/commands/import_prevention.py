"""``manage.py import_prevention FILE``: import past prevention events from a CSV or XLSX file.

Each row is imported on its own (see ``prevention.importers``): bad rows are listed with their row
number and reason and leave nothing behind; good rows are saved. The exit status is 1 when any
row was invalid, so scripts notice.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from smartsafe.prevention import importers
from smartsafe.prevention.permissions import can_write_prevention


class Command(BaseCommand):
    help = "Import past prevention events from a CSV or XLSX file (columns as in the template)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user",
            help="Record the import as this prevention coordinator or supervisor (default: the system).",
        )
        parser.add_argument(
            "--template",
            action="store_true",
            help="Write an empty template to FILE (.csv or .xlsx) instead of importing.",
        )

    def handle(self, *args, file: str, user: str | None, template: bool, **options):
        path = Path(file)
        if template:
            content = (
                importers.template_xlsx() if path.suffix.lower() == ".xlsx" else importers.template_csv()
            )
            path.write_bytes(content)
            self.stdout.write(f"Template written to {path}.")
            return
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None or not can_write_prevention(actor):
                raise CommandError(f"{user!r} is not an active prevention coordinator or supervisor.")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        try:
            report = importers.import_file(data, path.name, actor=actor, system=actor is None)
        except importers.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        for number, problems in report.errors:
            self.stderr.write(f"row {number}: " + "; ".join(problems))
        for number, pk in report.skipped:
            self.stdout.write(f"row {number}: already recorded as event {pk}")
        self.stdout.write(report.summary())
        if report.errors:
            raise CommandError(f"{len(report.errors)} invalid row(s); the valid rows were imported.")
