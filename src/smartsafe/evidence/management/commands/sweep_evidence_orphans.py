"""Find and remove stored ciphertext that no evidence record refers to (docs/evidence.md)."""

import datetime as dt

from django.core.management.base import BaseCommand

from smartsafe.core import request_context
from smartsafe.evidence import sweeper


class Command(BaseCommand):
    help = (
        "Remove encrypted evidence blobs that no file record names (left by rolled-back "
        "transactions) and that are older than the grace period. --dry-run only lists them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what would be removed")
        parser.add_argument(
            "--grace-hours",
            type=float,
            help="leave blobs younger than this (default SMARTSAFE_EVIDENCE_ORPHAN_GRACE_HOURS, 24)",
        )

    def handle(self, *args, dry_run, grace_hours, **options):
        grace = dt.timedelta(hours=grace_hours) if grace_hours is not None else None
        with request_context.bind(request_context.RequestContext(via="command")):
            result = sweeper.sweep(dry_run=dry_run, grace=grace)
        for name in result.orphans:
            self.stdout.write(("would remove " if dry_run else "removed ") + name)
        self.stdout.write(
            f"{result.checked} stored, {len(result.orphans)} orphaned"
            f"{' (dry run: nothing removed)' if dry_run else ' and removed'}, "
            f"{result.too_recent} unreferenced but within the grace period"
        )
