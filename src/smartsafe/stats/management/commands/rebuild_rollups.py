"""``manage.py rebuild_rollups``: recount the statistics roll-ups from the contacts and cases.

``--check`` changes nothing: it recounts the dirty days still queued (as any statistics read
does), compares every roll-up table with a full recount and exits 1 when a table differs.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from smartsafe.stats import rollups


class Command(BaseCommand):
    help = "Recount the statistics roll-up tables from the source records (or --check them)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare the roll-ups with a full recount and report differences; rewrite nothing.",
        )

    def handle(self, *args, check=False, **options):
        started = time.monotonic()
        if check:
            differences = rollups.check()
            if differences:
                for table, rows in differences.items():
                    self.stderr.write(f"  {table:<32} {rows:>8} rows differ")
                raise CommandError("The roll-ups differ from a full recount: run rebuild_rollups.")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Roll-ups equal a full recount (checked in {time.monotonic() - started:.1f} s)."
                )
            )
            return
        written = rollups.rebuild()
        for table, rows in written.items():
            self.stdout.write(f"  {table:<22} {rows:>8} rows")
        self.stdout.write(self.style.SUCCESS(f"Roll-ups rebuilt in {time.monotonic() - started:.1f} s."))
