#!/usr/bin/env python
"""Report intake under concurrent load, over real HTTP, beside a bare Django REST Framework view.

    .venv/bin/python bench/intake_load.py                          # SQLite (a throw-away file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/intake_load.py                      # PostgreSQL (a throw-away database)
    .venv/bin/python bench/intake_load.py --levels 1,16 -n 300     # other levels, more reports

What it does, in one run:

1. creates a throw-away database (a new PostgreSQL database on the server DATABASE_URL names, or
   a temporary SQLite file), migrates it and loads the taxonomy;
2. starts the platform as production runs it — uvicorn with N web processes (``--web``, default:
   the number of CPUs on PostgreSQL, 1 on SQLite) and task workers (``--workers``) — and, the
   same way against the same database, the bare baseline of ``bench/bare/`` (validate the same
   body, insert one row);
3. for each number of concurrent clients, posts the README's report body to
   ``POST /api/v1/reports/`` of both and prints accepted reports per second, p50/p99 latency,
   failures and the ratio of the platform to the bare view, and how long after the last 201 the
   workers had registered every accepted report (portal/submissions.py);
4. posts reports and signed Viber webhooks at the same time (16 clients);
5. with ``--busy-day`` contacts already on today (default 50,000), posts a run of reports and
   compares the median latency of its last tenth with its first (the cost must stay flat);
6. checks that every acknowledged report is stored exactly once, every acknowledged webhook
   became exactly one message, and that the statistics equal a full recount
   (``rebuild_rollups --check``).

Bounded and local: loopback only, at most 2,000 requests per level; the database is dropped (or
the file removed) at the end.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from common import manage, setup_django, throwaway_database  # noqa: E402

from smartsafe.core.liveserver import Call, Platform, child_env, drive, percentile, until  # noqa: E402
from smartsafe.core.samples import EXAMPLE_REPORT, viber_delivery  # noqa: E402

MAX_PER_LEVEL = 2000
VIBER_TOKEN = "bench-viber-token-4453b6ac12345678"
REPORT = Call(
    "POST", "/api/v1/reports/", json.dumps(EXAMPLE_REPORT).encode(), {"Content-Type": "application/json"}
)


def viber_calls(webhook_token: str, start: int, count: int) -> list[Call]:
    calls = []
    for i in range(start, start + count):
        raw, signature = viber_delivery(VIBER_TOKEN, i, first_token=8_000_000_000)
        headers = {"Content-Type": "application/json", "X-Viber-Content-Signature": signature}
        calls.append(Call("POST", f"/inbox/webhooks/{webhook_token}/", raw, headers))
    return calls


def measure(port: int, calls: list[Call], clients: int, ok: int) -> dict:
    began = time.perf_counter()
    outcomes = drive(port, calls, clients=clients)
    elapsed = time.perf_counter() - began
    good = [o for o in outcomes if o.status == ok]
    times = [o.seconds for o in outcomes]
    return {
        "outcomes": outcomes,
        "accepted": len(good),
        "failed": len(outcomes) - len(good),
        "per_second": len(good) / elapsed if elapsed else 0.0,
        "p50": percentile(times, 0.50),
        "p99": percentile(times, 0.99),
        "statuses": sorted({o.status for o in outcomes if o.status != ok}),
    }


def row(label: str, result: dict, baseline: dict | None = None) -> str:
    ratio = (
        f"{result['per_second'] / baseline['per_second']:.2f}" if baseline and baseline["per_second"] else ""
    )
    failures = str(result["failed"]) + (f" {result['statuses']}" if result["failed"] else "")
    return (
        f"{label:<26} {result['accepted']:>6} {result['per_second']:>9.1f} {result['p50'] * 1000:>8.0f}"
        f" {result['p99'] * 1000:>8.0f}  {failures:<12} {ratio}"
    )


def head_hold(rounds: int = 50, events: int = 10) -> str:
    """How long a seal holds the audit chain head (writers never take it): ``rounds`` seals of
    ``events`` pending events each, timed from the head's lock to the end of the seal's writes."""
    from django.conf import settings
    from django.db import transaction

    from smartsafe.audit.log import record
    from smartsafe.audit.sealing import seal_pending

    settings.SMARTSAFE_AUDIT_SEAL_IN_BACKGROUND = False
    held = []
    for _ in range(rounds):
        with transaction.atomic():
            for i in range(events):
                record("case.view", object_type="cases.case", object_id=i)
            began = time.perf_counter()
            seal_pending()
            held.append(time.perf_counter() - began)
    return (
        f"audit chain head: held only by the sealer, {percentile(held, 0.5) * 1000:.1f} ms (p50) / "
        f"{percentile(held, 0.99) * 1000:.1f} ms (p99) per seal of {events} events, plus its commit"
    )


def main() -> None:
    cpus = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,4,16,32", help="concurrent clients, comma-separated")
    parser.add_argument("-n", type=int, default=200, help="reports per level (at most 2,000)")
    parser.add_argument("--web", type=int, default=None, help="web processes (default: CPUs on PostgreSQL)")
    parser.add_argument("--workers", type=int, default=None, help="task workers (default: 2 on PostgreSQL)")
    parser.add_argument("--busy-day", type=int, default=50_000, help="contacts already on today (0: skip)")
    args = parser.parse_args()
    count = min(args.n, MAX_PER_LEVEL)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]

    with tempfile.TemporaryDirectory(prefix="smartsafe-load-") as tmp_name:
        tmp = Path(tmp_name)
        url, drop = throwaway_database(f"smartsafe_bench_{os.getpid()}", tmp / "bench.sqlite3")
        postgres = url.startswith("postgres")
        web = args.web or (cpus if postgres else 1)
        workers = args.workers if args.workers is not None else (2 if postgres else 1)
        env = {
            "SMARTSAFE_DEMO": "1",
            "SMARTSAFE_DATA_DIR": str(tmp / "data"),
            "SMARTSAFE_SECRET_KEY": secrets.token_urlsafe(40),
            "SMARTSAFE_PORTAL_REPORTS_PER_HOUR": "0",
            "SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES": "0",
            "SMARTSAFE_EVIDENCE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "SMARTSAFE_LOG_LEVEL": "WARNING",
        }
        try:
            platform_env = child_env(url, **env)
            manage(platform_env, "migrate", "--noinput")
            manage(platform_env, "load_taxonomy")
            bare_env = child_env(url, DJANGO_SETTINGS_MODULE="bare.settings", PYTHONPATH=str(ROOT / "bench"))
            manage(bare_env, "migrate", "--run-syncdb", "--noinput")
            setup_django(url, env)
            run(
                url,
                env,
                web=web,
                workers=workers,
                levels=levels,
                count=count,
                busy_day=args.busy_day,
                tmp=tmp,
            )
        finally:
            from django.db import connections

            connections.close_all()
            drop()


def run(url, env, *, web, workers, levels, count, busy_day, tmp) -> None:
    from django.db import connection
    from django.utils import timezone

    from smartsafe import testing
    from smartsafe.inbox import actions as inbox_actions
    from smartsafe.inbox.models import InboundMessage
    from smartsafe.intake.models import Contact
    from smartsafe.portal.models import PublicReport, ReportSubmission
    from smartsafe.stats import rollups
    from smartsafe.taxonomy.models import Channel

    testing.channel("viber")
    account = inbox_actions.create_account(kind="viber", name="bench viber", settings={}, token=VIBER_TOKEN)
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(
        f"\n{engine}: {web} web process(es), {workers} task worker(s), {os.cpu_count()} CPUs, "
        f"{count} reports a level"
    )
    print(f"{'':<26} {'ok':>6} {'per s':>9} {'p50 ms':>8} {'p99 ms':>8}  {'failures':<12} ratio to bare")
    acknowledged: list[bytes] = []
    webhooks_ok = 0
    bare = Platform(
        url,
        web=web,
        app="bare.asgi:application",
        env={"DJANGO_SETTINGS_MODULE": "bare.settings", "PYTHONPATH": str(ROOT / "bench")},
        log_path=tmp / "bare.log",
    )

    def registered_after() -> str:
        """How long after the last acknowledgement the workers had registered every report."""
        began = time.perf_counter()
        done = until(lambda: not ReportSubmission.objects.exists(), timeout=300)
        return f"{time.perf_counter() - began:.1f} s" if done else "not within 300 s"

    with Platform(url, web=web, workers=workers, env=env, log_path=tmp / "platform.log") as site, bare:
        drive(site.port, [REPORT] * 8, clients=4)  # warm both up (imports, pools, caches)
        drive(bare.port, [REPORT] * 8, clients=4)
        for clients in levels:
            baseline = measure(bare.port, [REPORT] * count, clients, 201)
            result = measure(site.port, [REPORT] * count, clients, 201)
            acknowledged += [o.body for o in result["outcomes"] if o.status == 201]
            print(row(f"bare view, {clients} clients", baseline))
            print(row(f"smartsafe, {clients} clients", result, baseline))
            print(f"{'':<26} every report registered {registered_after()} after the last 201")

        # Reports and webhooks at the same time: a child on the portal, another on Viber.
        hooks = viber_calls(account.webhook_token, 0, count)
        mixed = [call for pair in zip([REPORT] * count, hooks, strict=True) for call in pair]
        began = time.perf_counter()
        outcomes = drive(site.port, mixed, clients=16)
        elapsed = time.perf_counter() - began
        reports = [o for call, o in zip(mixed, outcomes, strict=True) if call is REPORT]
        webhooks = [o for call, o in zip(mixed, outcomes, strict=True) if call is not REPORT]
        acknowledged += [o.body for o in reports if o.status == 201]
        webhooks_ok = sum(o.status == 200 for o in webhooks)
        print(
            f"mixed, 16 clients: {sum(o.status == 201 for o in reports)} reports and {webhooks_ok} webhooks "
            f"acknowledged in {elapsed:.1f} s ({(len(outcomes)) / elapsed:.0f} requests/s), "
            f"failures {sum(o.status not in (200, 201) for o in outcomes)}, "
            f"p99 reports {percentile([o.seconds for o in reports], 0.99) * 1000:.0f} ms, "
            f"webhooks {percentile([o.seconds for o in webhooks], 0.99) * 1000:.0f} ms"
        )

        delivered = until(lambda: InboundMessage.objects.count() >= webhooks_ok, timeout=120)
        print(f"mixed: every report registered {registered_after()} after the last acknowledgement")
        if busy_day:
            # Same run twice, 4 clients: on today as it is, then with busy_day more contacts on it.
            # Workers idle and the statistics drained first, so only the day's size differs.
            flat_n = max(200, count)
            rollups.drain()
            before = measure(site.port, [REPORT] * flat_n, 4, 201)
            phone = Channel.objects.get(code="phone")
            now = timezone.now()
            for start in range(0, busy_day, 10_000):
                Contact.objects.bulk_create(
                    [Contact(channel=phone, received_at=now) for _ in range(min(10_000, busy_day - start))]
                )
            rollups.mark_dirty("contacts", {rollups.local_day(now)})
            rollups.drain()
            if connection.vendor == "postgresql":
                # A day that filled up over hours has current planner statistics; a bulk insert
                # would otherwise have autovacuum analysing it in the middle of the run.
                with connection.cursor() as cursor:
                    cursor.execute("VACUUM ANALYZE intake_contact")
            after = measure(site.port, [REPORT] * flat_n, 4, 201)
            acknowledged += [o.body for r in (before, after) for o in r["outcomes"] if o.status == 201]
            registered_after()
            times = [o.seconds for o in after["outcomes"]]
            tenth = max(1, len(times) // 10)
            first, last = statistics.median(times[:tenth]), statistics.median(times[-tenth:])
            quiet = statistics.median(o.seconds for o in before["outcomes"])
            busy = statistics.median(times)
            print(
                f"busy day, 4 clients, {flat_n} reports: median {quiet * 1000:.0f} ms before and "
                f"{busy * 1000:.0f} ms with {busy_day:,} more contacts today "
                f"({(busy / quiet - 1) * 100:+.0f} %); "
                f"that run's first tenth {first * 1000:.0f} ms, last tenth {last * 1000:.0f} ms "
                f"({(last / first - 1) * 100:+.0f} %); failures {before['failed'] + after['failed']}"
            )

    print(head_hold())
    references = [json.loads(body)["reference"] for body in acknowledged]
    stored = PublicReport.objects.filter(reference__in=references).count()
    print(
        f"check: {len(references)} reports acknowledged, {len(set(references))} distinct, {stored} stored; "
        f"{webhooks_ok} webhooks acknowledged, {InboundMessage.objects.count()} messages stored"
        f"{'' if delivered else ' (workers still busy after 120 s)'}"
    )
    differences = rollups.check()
    print(f"rebuild_rollups --check: {'equal to a full recount' if not differences else differences}")
    if stored != len(references) or len(set(references)) != len(references) or differences:
        raise SystemExit("FAILED: an acknowledged report is missing, duplicated, or the statistics differ")


if __name__ == "__main__":
    main()
