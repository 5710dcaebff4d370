"""``manage.py rebuild_rollups``: recount the statistics roll-ups from the contacts and cases."""

import time

from django.core.management.base import BaseCommand

from smartsafe.stats import rollups


class Command(BaseCommand):
    help = "Recount the statistics roll-up tables from the source records."

    def handle(self, *args, **options):
        started = time.monotonic()
        written = rollups.rebuild()
        for table, rows in written.items():
            self.stdout.write(f"  {table:<22} {rows:>8} rows")
        self.stdout.write(self.style.SUCCESS(f"Roll-ups rebuilt in {time.monotonic() - started:.1f} s."))
