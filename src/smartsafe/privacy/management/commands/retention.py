"""``manage.py retention [--dry-run]``: apply the retention rules now, or only say what is due."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from smartsafe.privacy import policies, retention


class Command(BaseCommand):
    help = "Anonymise, shred or delete what has outlived its retention policy (--dry-run: only count it)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count what is due; change nothing.")

    def handle(self, *args, dry_run=False, **options):
        run = retention.apply(actor=None, dry_run=dry_run)
        heading = "Retention dry run: due now" if dry_run else "Retention applied"
        self.stdout.write(f"{heading} (run {run.pk}; {run.held} case(s) under legal hold left out)")
        rules = retention.ensure_policies()
        for kind in policies.KINDS:
            counts = run.counts.get(kind.code)
            if counts is None:
                self.stdout.write(f"  {kind.code}: kept {rules[kind.code].keep_days} days; {kind.does}")
                continue
            parts = ", ".join(f"{label} {n}" for label, n in counts.items())
            self.stdout.write(f"  {kind.code}: kept {rules[kind.code].keep_days} days; {parts}")
