"""``manage.py load_demo``: fill an empty demo installation with years of a working contact centre.

Only in demo mode (``SMARTSAFE_DEMO=1``): the data is invented and must never mix with real
cases. Runs once: a second call finds the demo data and does nothing (``--force`` adds a dataset
for another seed; the same seed is never loaded twice). See docs/demo-data.md.
"""

from __future__ import annotations

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from smartsafe.demo import loader, profile, seed_profile
from smartsafe.demo.prevention import load_demo_prevention
from smartsafe.demo.referrals import load_demo_referrals
from smartsafe.demo.vocabulary import TaxonomyMissing
from smartsafe.privacy import retention
from smartsafe.stats import rollups

DEFAULT_SEED = 19833


class Command(BaseCommand):
    help = "Load the demo contact centre: contacts since 2017, cases in every state, logins (demo mode only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"Random seed; the same seed gives the same data (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--contacts",
            type=int,
            default=profile.DEFAULT_CONTACTS,
            help=f"How many contacts to generate (default {profile.DEFAULT_CONTACTS}).",
        )
        parser.add_argument(
            "--profile",
            dest="data_profile",
            choices=["default", "seed"],
            default="default",
            help="'seed': exactly the figures of the centre's presentation (docs/statistics.md).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even if demo data is present (a dataset is never loaded twice for one seed).",
        )

    def handle(self, *args, seed: int, contacts: int, force: bool, data_profile: str = "default", **options):
        if not settings.DEMO:
            raise CommandError(
                "load_demo only runs in demo mode (set SMARTSAFE_DEMO=1): it invents contacts and cases "
                "that must never mix with real ones."
            )
        if data_profile == "seed":
            return self._seed_profile()
        if contacts < 1:
            raise CommandError("--contacts must be at least 1.")
        if loader.is_loaded(seed) or (loader.is_loaded() and not force):
            self.stdout.write(
                "demo data already loaded" + (f" for seed {seed}" if force else "") + "; nothing added."
            )
            return
        self.stdout.write(f"Loading the demo centre: {contacts} contacts, seed {seed}…")
        try:
            result = loader.load(seed=seed, size=contacts)
        except TaxonomyMissing as exc:
            raise CommandError(str(exc)) from None
        self._summary(result)
        self._referrals(seed)
        self._prevention(seed)
        self._rebuild_rollups()
        self._retention_dry_run()

    def _prevention(self, seed: int) -> None:
        # Presentations, workshops and trainings in schools since the centre was founded.
        counts = load_demo_prevention(random.Random(seed), range(2017, timezone.localdate().year + 1))
        self.stdout.write(f"Prevention: {counts['events']} events at {counts['venues']} venues.")

    def _referrals(self, seed: int) -> None:
        # Referrals in every state, through the referral workflow, on the cases just written.
        counts = load_demo_referrals(random.Random(seed))
        if counts:
            states = ", ".join(f"{state} {n}" for state, n in sorted(counts.items()))
            self.stdout.write(f"Referrals: {sum(counts.values())} ({states}).")

    def _rebuild_rollups(self) -> None:
        # Bulk-written history bypasses the statistics hooks: recount the roll-ups once.
        rollups.rebuild()

    def _retention_dry_run(self) -> None:
        # The privacy page opens on a dated report of what the retention rules would do.
        run = retention.apply(actor=None, dry_run=True)
        due = sum(n for counts in run.counts.values() for n in counts.values())
        self.stdout.write(f"Retention dry run recorded: {due} record(s) would be due; nothing changed.")

    def _seed_profile(self) -> None:
        if loader.is_loaded():
            self.stdout.write("demo data already loaded; nothing added.")
            return
        try:
            result = seed_profile.load()
        except TaxonomyMissing as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded the seed profile: {result.contacts} contacts, {result.cases} cases "
                f"({result.referred} referred), {result.events} prevention events in {result.seconds:.1f} s."
            )
        )

    def _summary(self, result: loader.Result) -> None:
        out = self.stdout
        out.write(
            self.style.SUCCESS(
                f"Loaded {result.contacts} contacts and {result.cases} cases in {result.seconds:.1f} s."
            )
        )
        out.write("Contacts by channel:")
        for code, count in sorted(result.contacts_by_channel.items(), key=lambda kv: -kv[1]):
            out.write(f"  {code:<12} {count:>6}")
        out.write("Cases by state:")
        for state, count in result.cases_by_state.items():
            out.write(f"  {state:<22} {count:>6}")
        out.write(
            f"  referred: {result.referred} · urgent and open: {result.urgent_open} · "
            f"linked by a shared artefact: {result.linked_case_pairs} pairs"
        )
        if result.logins:
            out.write("Demo logins (user / password / role):")
            for username, password, role in result.logins:
                out.write(f"  {username:<20} {password:<26} {role}")
