#!/usr/bin/env python
"""Statistics on a big centre: 1 million contacts and their cases on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartsafe \\
        .venv/bin/python bench/stats_summary.py                 # 1,000,000 contacts
    ... bench/stats_summary.py --contacts 200000 --runs 21      # smaller, more runs

What it does: creates the test database Django would use (``test_<name>``), migrates it, writes
the contacts (about one in five with a case; 8 % of cases referred; one or two categories per
case; a topic on a fifth of the contacts) in bulk batches, rebuilds the roll-ups
(``rollups.rebuild``), then measures — median of ``--runs`` runs each, after one warm-up —
``queries.summary()`` and the whole dashboard page (``GET /statistics/`` as an analyst, through
Django's full request stack) for all time and for one month. Drops the database at the end.

Bounded and local: at most 2,000,000 contacts; it never touches an existing database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_CONTACTS = 2_000_000
BATCH = 10_000


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartsafe.config.settings")
    os.environ.setdefault("SMARTSAFE_DEMO", "1")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def _insert(model, rows: list[dict]) -> None:
    """Plain multi-row INSERTs with every column (Python defaults filled in): no model instances,
    no signals — like a bulk import, after which the roll-ups are rebuilt."""
    from django.db import connection
    from django.utils import timezone

    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.name in rows[0]]
    now = timezone.now()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.attname] = now
        else:
            defaults[f.attname] = f.get_db_prep_save(f.get_default(), connection)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[row.get(f.attname, defaults[f.attname]) for f in fields] for row in rows])


def generate(n_contacts: int, seed: int = 1) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from smartsafe.cases.models import Case
    from smartsafe.intake.models import Contact
    from smartsafe.taxonomy.models import Category, Channel, Municipality, ReporterType
    from smartsafe.testing import make_user

    rng = random.Random(seed)
    zone = timezone.get_default_timezone()
    channels = list(Channel.objects.values_list("pk", flat=True))
    weights = [50 if i < 3 else 3 for i in range(len(channels))]
    reporters = [None, *ReporterType.objects.values_list("pk", flat=True)]
    referral = list(Category.objects.filter(kind="referral").values_list("pk", flat=True))
    advisory = list(Category.objects.filter(kind="advisory").values_list("pk", flat=True)) or referral
    places = [None, *Municipality.objects.values_list("pk", flat=True)[:150]]
    staff = [make_user("counsellor").pk for _ in range(25)]
    start = dt.datetime(2017, 2, 27, tzinfo=zone).timestamp()
    span = dt.datetime(2025, 12, 31, tzinfo=zone).timestamp() - start

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM cases_case")
        next_case = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM intake_contact")
        next_contact = cursor.fetchone()[0] + 1
    written = {"contacts": 0, "cases": 0, "referred": 0}
    for offset in range(0, n_contacts, BATCH):
        size = min(BATCH, n_contacts - offset)
        contacts, cases, case_categories, topics = [], [], [], []
        with transaction.atomic():
            for _ in range(size):
                received = dt.datetime.fromtimestamp(start + rng.random() * span, tz=dt.UTC)
                user = rng.choice(staff)
                case_id = None
                if rng.random() < 0.19:
                    case_id, referred = next_case, rng.random() < 0.08
                    next_case += 1
                    cases.append(
                        {
                            "id": case_id,
                            "reference": f"B-{case_id:08d}",
                            "kind": "referred" if referred else "advisory",
                            "state": "closed",
                            "title": "bench",
                            "municipality_id": rng.choice(places),
                            "owner_id": user,
                            "assigned_to_id": user,
                            "opened_at": received + dt.timedelta(minutes=30),
                        }
                    )
                    pool = referral if referred else advisory
                    for category in set(rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 1, 2))))):
                        case_categories.append({"case_id": case_id, "category_id": category})
                    written["referred"] += referred
                contact_id = next_contact
                next_contact += 1
                contacts.append(
                    {
                        "id": contact_id,
                        "channel_id": rng.choices(channels, weights)[0],
                        "state": "linked" if case_id else "closed",
                        "received_at": received,
                        "reporter_type_id": rng.choice(reporters),
                        "urgent": rng.random() < 0.01,
                        "non_data_kind": "silent" if rng.random() < 0.1 else "",
                        "case_id": case_id,
                        "created_by_id": user,
                        "assigned_to_id": user,
                    }
                )
                if rng.random() < 0.2:
                    topics.append({"contact_id": contact_id, "category_id": rng.choice(advisory + referral)})
            if cases:
                _insert(Case, cases)
                _insert(Case.categories.through, case_categories)
            _insert(Contact, contacts)
            if topics:
                _insert(Contact.topics.through, topics)
        written["contacts"] += size
        written["cases"] += len(cases)
        print(f"\r  written {written['contacts']:>9,} contacts", end="", flush=True)
    print()
    with connection.cursor() as cursor:
        for table in ("cases_case", "intake_contact"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    return written


def median_ms(fn, runs: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=11)
    args = parser.parse_args()
    if not 1 <= args.contacts <= MAX_CONTACTS:
        parser.error(f"--contacts must be between 1 and {MAX_CONTACTS:,}")
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("set DATABASE_URL to a PostgreSQL server (the benchmark uses its test_<name> database)")
    configure()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from smartsafe.stats import queries, rollups
    from smartsafe.testing import make_user

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        print(
            f"statistics on {connection.vendor} ({connection.settings_dict['NAME']}), {os.cpu_count()} CPUs"
        )
        t = time.perf_counter()
        written = generate(args.contacts)
        print(
            f"  generated {written['contacts']:,} contacts, {written['cases']:,} cases "
            f"({written['referred']:,} referred) in {time.perf_counter() - t:.0f} s"
        )
        t = time.perf_counter()
        rows = rollups.rebuild()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print(
            f"  rebuilt roll-ups in {time.perf_counter() - t:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in rows.items())
        )
        client = Client()
        client.force_login(make_user("analyst"))
        month = (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
        results = {
            "summary, all time": median_ms(lambda: queries.summary(), args.runs),
            "summary, one month": median_ms(lambda: queries.summary(*month), args.runs),
            "dashboard, all time": median_ms(lambda: client.get("/statistics/"), args.runs),
            "dashboard, one month": median_ms(
                lambda: client.get("/statistics/", {"date_from": month[0], "date_to": month[1]}), args.runs
            ),
        }
        assert client.get("/statistics/").status_code == 200
        print(f"  median of {args.runs} runs:")
        for name, ms in results.items():
            print(f"    {name:<22} {ms:8.1f} ms")
    finally:
        connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
