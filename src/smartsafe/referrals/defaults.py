"""The shipped routing rules and deadline policies (``data/defaults.json``), loaded once.

Runs in migration 0002 (historical models through ``apps``) and may be run again
(``load_defaults()``): deadline policies are created where missing, never overwritten; routing
rules are loaded only into an empty table, so an administrator's edits and deletions stay.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "defaults.json"
_DURATION = re.compile(r"^(\d+)([dhm])$")


def parse_duration(text: str) -> dt.timedelta:
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"Not a duration: {text!r} (use 3d, 4h or 30m)")
    number, unit = int(match.group(1)), match.group(2)
    return {
        "d": dt.timedelta(days=number),
        "h": dt.timedelta(hours=number),
        "m": dt.timedelta(minutes=number),
    }[unit]


def load_defaults(apps=None, document: dict | None = None) -> dict:
    """Load the defaults; returns how many rows were created."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    document = document or json.loads(DATA.read_text(encoding="utf-8"))
    Category = apps.get_model("taxonomy", "Category")
    Institution = apps.get_model("directory", "Institution")
    RoutingRule = apps.get_model("referrals", "RoutingRule")
    DeadlinePolicy = apps.get_model("referrals", "DeadlinePolicy")

    created = {"deadline_policies": 0, "routing_rules": 0}
    for row in document.get("deadline_policies", []):
        _, made = DeadlinePolicy.objects.get_or_create(
            institution_kind=row["institution_kind"],
            urgent=row["urgent"],
            defaults={
                "acknowledge_within": parse_duration(row["acknowledge_within"]),
                "acknowledge_in_working_days": row["acknowledge_in_working_days"],
                "respond_within": parse_duration(row["respond_within"]),
                "respond_in_working_days": row["respond_in_working_days"],
                "escalate_after": parse_duration(row["escalate_after"]),
            },
        )
        created["deadline_policies"] += made

    if RoutingRule.objects.exists():
        return created
    categories = {c.code: c for c in Category.objects.all()}
    institutions = {i.code: i for i in Institution.objects.all()}
    for row in document.get("routing_rules", []):
        category = None
        if row.get("category"):
            category = categories.get(row["category"])
            if category is None:
                continue  # this country's taxonomy has no such category
        institution = institutions.get(row.get("institution") or "")
        RoutingRule.objects.create(
            category=category,
            institution=institution,
            institution_kind=row.get("institution_kind", ""),
            kind=row.get("kind", "report"),
            urgent_only=row.get("urgent_only", False),
            severe_only=row.get("severe_only", False),
            priority=row.get("priority", 100),
            note=row.get("note", ""),
        )
        created["routing_rules"] += 1
    return created
