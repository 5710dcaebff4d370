"""``manage.py prune_audit --older-than-days N [--dry-run]``: delete old audit events at a checkpoint."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smartsafe.audit import codes, prune
from smartsafe.audit.log import record


class Command(BaseCommand):
    help = (
        "Delete audit events older than the given age, up to the newest signed checkpoint before it, "
        "so the chain still verifies from that checkpoint. --dry-run only says what would go."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, required=True)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, older_than_days, dry_run, **options):
        if older_than_days < 1:
            raise CommandError("--older-than-days must be at least 1.")
        cutoff = timezone.now() - dt.timedelta(days=older_than_days)
        chosen = prune.plan(cutoff) if dry_run else prune.prune(cutoff)
        if not chosen.through_sequence:
            self.stdout.write("Nothing to prune: no signed checkpoint older than the cut-off.")
            return
        verb = "would delete" if dry_run else "deleted"
        self.stdout.write(f"{verb} {chosen.events} events, through #{chosen.through_sequence}")
        if not dry_run:
            record(
                codes.AUDIT_PRUNE,
                object_type="audit.auditevent",
                object_id=chosen.through_sequence,
                events=chosen.events,
                older_than_days=older_than_days,
            )
