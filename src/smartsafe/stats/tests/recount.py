"""A full recount of the roll-ups, in plain Python over the source rows: the oracle for the tests.

Deliberately independent of rollups.py (no SQL grouping, no day bounds): if the two disagree, the
roll-ups are wrong.
"""

from __future__ import annotations

from collections import Counter

from django.utils import timezone

from smartsafe.cases.models import Case
from smartsafe.intake.models import Contact
from smartsafe.stats import rollups
from smartsafe.stats.models import (
    CaseCategoryDaily,
    CaseCategoryMonthly,
    CaseDaily,
    CaseMonthly,
    ContactDaily,
    ContactMonthly,
    ContactTopicDaily,
    ContactTopicMonthly,
    WorkloadDaily,
    WorkloadMonthly,
)


def _day(moment):
    return timezone.localtime(moment).date()


def expected() -> dict[str, Counter]:
    contacts = list(Contact.objects.prefetch_related("topics"))
    first: dict[int, Contact] = {}
    for c in sorted(contacts, key=lambda c: (c.received_at, c.pk)):
        if c.case_id:
            first.setdefault(c.case_id, c)
    out = {name: Counter() for name in ("contact", "topic", "case", "category", "workload")}
    for c in contacts:
        day = _day(c.received_at)
        out["contact"][(day, c.channel_id, c.reporter_type_id, bool(c.non_data_kind), c.urgent)] += 1
        for t in c.topics.all():
            out["topic"][(day, t.pk, c.channel_id, c.reporter_type_id)] += 1
        if c.created_by_id:
            out["workload"][(day, c.created_by_id, "contacts")] += 1
    for case in Case.objects.prefetch_related("categories"):
        day, origin = _day(case.opened_at), first.get(case.pk)
        ch, rt = (origin.channel_id, origin.reporter_type_id) if origin else (None, None)
        out["case"][(day, case.kind, case.state, case.urgent, case.municipality_id, ch, rt)] += 1
        for cat in case.categories.all():
            out["category"][(day, case.kind, cat.pk, case.municipality_id, ch, rt)] += 1
        out["workload"][(day, case.owner_id, "cases")] += 1
    # Monthly twins: the daily counts per month, over the dimensions each keeps (by position).
    for name, keep in MONTHLY_KEEP.items():
        monthly = Counter()
        for key, n in out[name].items():
            monthly[(key[0].replace(day=1), *(key[i] for i in keep))] += n
        out[f"{name}_monthly"] = monthly
    return out


# Positions (after the day) of the dimensions each monthly table keeps.
MONTHLY_KEEP = {
    "contact": (1, 2),
    "topic": (1, 2, 3),
    "case": (1, 5, 6),
    "category": (1, 2, 4, 5),
    "workload": (1, 2),
}


def stored() -> dict[str, Counter]:
    """The roll-ups as a statistics read sees them: dirty days recounted first."""
    rollups.drain()

    def collect(model, fields):
        counter = Counter()
        for row in model.objects.values_list(*fields, "count"):
            counter[tuple(row[:-1])] += row[-1]
        return counter

    return {
        "contact": collect(ContactDaily, ("day", "channel_id", "reporter_type_id", "non_data", "urgent")),
        "topic": collect(ContactTopicDaily, ("day", "category_id", "channel_id", "reporter_type_id")),
        "case": collect(
            CaseDaily, ("day", "kind", "state", "urgent", "municipality_id", "channel_id", "reporter_type_id")
        ),
        "category": collect(
            CaseCategoryDaily,
            ("day", "kind", "category_id", "municipality_id", "channel_id", "reporter_type_id"),
        ),
        "workload": collect(WorkloadDaily, ("day", "user_id", "source")),
        "contact_monthly": collect(ContactMonthly, ("day", "channel_id", "reporter_type_id")),
        "topic_monthly": collect(
            ContactTopicMonthly, ("day", "category_id", "channel_id", "reporter_type_id")
        ),
        "case_monthly": collect(CaseMonthly, ("day", "kind", "channel_id", "reporter_type_id")),
        "category_monthly": collect(
            CaseCategoryMonthly, ("day", "kind", "category_id", "channel_id", "reporter_type_id")
        ),
        "workload_monthly": collect(WorkloadMonthly, ("day", "user_id", "source")),
    }
