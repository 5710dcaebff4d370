#!/usr/bin/env python
"""Messenger webhook intake: signed Viber and Telegram webhooks per second.

    .venv/bin/python bench/webhook_intake.py                     # SQLite (a throw-away file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartsafe \\
        .venv/bin/python bench/webhook_intake.py                 # PostgreSQL (test_smartsafe)
    .venv/bin/python bench/webhook_intake.py -n 500              # more webhooks per run

Two figures per provider, each through Django's full request stack (middleware, the webhook view,
signature check) as Django's test client sends it — no network, no web server, one client, one
process, so an upper bound for one process:

* **answer** — what the provider waits for: verify the signature, check the JSON, queue the payload
  in the database task queue (``django-tasks-db``, as in production) and answer 200;
* **end to end** — the same with the task run at once in the request (the immediate backend):
  verify, then normalise, thread into a contact (a new person or one of 50 returning ones, so
  conversations grow), store the message, write the audit events.

Bounded and local: at most 2,000 webhooks a run; it never touches an existing database — it creates
the test database Django would use for tests (``test_<name>``; a temporary SQLite file by default),
migrates it, and drops it at the end. No media are downloaded (text messages only).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_WEBHOOKS = 2000
PEOPLE = 50
VIBER_TOKEN = "bench-viber-token-4453b6ac12345678"
TELEGRAM_SECRET = "bench-telegram-secret"


def configure(tmp: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartsafe.config.settings")
    os.environ.setdefault("SMARTSAFE_DEMO", "1")
    os.environ["SMARTSAFE_LOG_LEVEL"] = "WARNING"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings

    settings.MEDIA_ROOT = tmp / "media"
    # Audit events sealed in the request that wrote them (as in the tests): the figure includes the
    # seal, and no background thread outlives the throw-away database.
    settings.SMARTSAFE_AUDIT_SEAL_IN_BACKGROUND = False
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(tmp / "bench.sqlite3")


def accounts():
    from smartsafe import testing
    from smartsafe.inbox import actions

    for code in ("viber", "telegram"):
        testing.channel(code)
    viber = actions.create_account(kind="viber", name="bench viber", settings={}, token=VIBER_TOKEN)
    telegram = actions.create_account(
        kind="telegram", name="bench telegram", settings={}, token="1:bench", secret=TELEGRAM_SECRET
    )
    return viber, telegram


def viber_request(i: int) -> tuple[bytes, dict]:
    from smartsafe.core.samples import viber_delivery

    raw, signature = viber_delivery(VIBER_TOKEN, i, people=PEOPLE)
    return raw, {"HTTP_X_VIBER_CONTENT_SIGNATURE": signature}


def telegram_request(i: int) -> tuple[bytes, dict]:
    user = 100_000 + i % PEOPLE
    payload = {
        "update_id": 900_000 + i,
        "message": {
            "message_id": 10_000 + i,
            "from": {"id": user, "is_bot": False, "first_name": "Marko"},
            "chat": {"id": user, "type": "private"},
            "date": int(time.time()),
            "text": f"Poruka broj {i}: neko mi šalje pretnje na mreži.",
        },
    }
    raw = json.dumps(payload, ensure_ascii=False).encode()
    return raw, {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": TELEGRAM_SECRET}


def run(client, account, make, start: int, count: int) -> list[float]:
    """Requests are built before the clock runs; each one timed from send to answer."""
    url = f"/inbox/webhooks/{account.webhook_token}/"
    requests = [make(start + i) for i in range(count)]
    timings = []
    for raw, headers in requests:
        began = time.perf_counter()
        response = client.generic("POST", url, raw, content_type="application/json", **headers)
        timings.append(time.perf_counter() - began)
        if response.status_code != 200:
            raise SystemExit(f"HTTP {response.status_code}: {response.content[:300]!r}")
    return timings


def line(label: str, timings: list[float]) -> str:
    total = sum(timings)
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, math.ceil(len(ordered) * 0.95) - 1)]
    return (
        f"{label:<24} {len(timings):>5} {total:>8.2f} s {len(timings) / total:>9.1f} /s "
        f"{statistics.median(timings) * 1000:>8.2f} ms {p95 * 1000:>8.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=300, help="webhooks per provider and mode (default 300)")
    args = parser.parse_args()
    n = min(max(1, args.n), MAX_WEBHOOKS // 4)

    with tempfile.TemporaryDirectory(prefix="smartsafe-bench-") as tmp:
        configure(Path(tmp))
        from django.db import connection
        from django.test import Client, override_settings
        from django.test.utils import setup_test_environment

        setup_test_environment()
        engine = connection.vendor
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            from django_tasks_db.models import DBTaskResult

            from smartsafe.inbox.models import InboundMessage
            from smartsafe.intake.models import Contact

            client = Client()
            viber, telegram = accounts()
            queued = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
            immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
            results = []
            with override_settings(TASKS=queued):
                run(client, viber, viber_request, 10_000_000, 3)  # warm up
                results.append(("Viber, answer", run(client, viber, viber_request, 0, n)))
                results.append(("Telegram, answer", run(client, telegram, telegram_request, 0, n)))
                waiting = DBTaskResult.objects.count()
            with override_settings(TASKS=immediate):
                later = 1_000_000  # other message ids than the queued run's
                results.append(("Viber, end to end", run(client, viber, viber_request, later, n)))
                results.append(("Telegram, end to end", run(client, telegram, telegram_request, later, n)))
            print(f"messenger webhook intake on {engine} ({connection.settings_dict['NAME']})")
            load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
            print(f"machine: {os.cpu_count()} CPUs, load average {load}; one client, one process")
            header = ("n", "total", "rate", "median", "p95")
            widths = (5, 10, 12, 11, 11)
            print(f"{'':<24} " + " ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
            for label, timings in results:
                print(line(label, timings))
            stored, contacts = InboundMessage.objects.count(), Contact.objects.count()
            print(f"queued: {waiting} tasks; stored end to end: {stored} messages on {contacts} contacts")
            if waiting != 2 * n + 3 or stored != 2 * n or contacts != 2 * min(n, PEOPLE):
                raise SystemExit("the figures do not count: not every webhook arrived where it should")
        finally:
            connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)


if __name__ == "__main__":
    main()
