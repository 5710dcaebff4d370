#!/usr/bin/env python
"""Acknowledged messenger deliveries while task workers and web processes are killed: how many are lost?

    .venv/bin/python bench/worker_crash.py                       # SQLite (a throw-away directory)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartsafe \\
        .venv/bin/python bench/worker_crash.py                   # PostgreSQL (a throw-away database)
    .venv/bin/python bench/worker_crash.py --seconds 20 --clients 8 --kill-every 3
    .venv/bin/python bench/worker_crash.py --kill worker              # workers only

What a person would try: ``manage.py serve`` on a fresh database, signed Viber webhooks posted in
a loop from several clients at once over HTTP, and ``kill -9`` of a task worker or a web process
every few seconds, in turn (``serve`` starts a new one each time). A delivery in flight in a killed
web process gets no answer, so the provider would send it again; what was acknowledged must all be
stored. When the posting stops, it waits for the queue to drain and prints: deliveries sent,
acknowledged (200), messages stored, acknowledged but lost, duplicates, processes killed, and how
long the queue took to drain after the last post.

The lease is shortened to 5 s (``SMARTSAFE_TASK_LEASE_SECONDS``; 60 s by default) so a killed
worker's task is taken over within the run. Bounded: at most 120 s of posting, 32 clients.
Nothing outside the throw-away database and directory is touched; both are removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-crash-viber-token-1234567890"
PEOPLE = 40
LEASE_SECONDS = "5"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def throwaway_database(tmp: Path) -> tuple[str, callable]:
    """(DATABASE_URL, drop) for a fresh database next to the configured one."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith("postgres"):
        return f"sqlite:///{tmp / 'bench.sqlite3'}", lambda: None
    import psycopg

    parts = urlsplit(configured)
    name = f"{parts.path.lstrip('/') or 'smartsafe'}_crashbench_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def payload(i: int) -> bytes:
    return json.dumps(
        {
            "event": "message",
            "timestamp": int(time.time() * 1000),
            "message_token": 9_000_000_000 + i,
            "sender": {"id": f"bench{i % PEOPLE:03d}AbC=", "name": "Ana", "api_version": 10},
            "message": {"type": "text", "text": f"Poruka {i}: neko mi preti na mreži."},
        }
    ).encode()


def post(url: str, i: int) -> bool:
    raw = payload(i)
    signature = hmac.new(TOKEN.encode(), raw, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        url, data=raw, headers={"Content-Type": "application/json", "X-Viber-Content-Signature": signature}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15, help="how long to post (at most 120)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent posting clients (at most 32)")
    parser.add_argument("--kill-every", type=float, default=3, help="seconds between two kills")
    parser.add_argument("--kill", default="worker,web", help="what to kill in turn (worker, web)")
    args = parser.parse_args()
    seconds, clients = min(args.seconds, 120), max(1, min(args.clients, 32))

    tmp = Path(tempfile.mkdtemp(prefix="smartsafe-crashbench-"))
    database_url, drop = throwaway_database(tmp)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key != "WEB_CONCURRENCY"
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="smartsafe.config.settings",
        PYTHONPATH=str(ROOT / "src"),
        SMARTSAFE_DEMO="1",
        SMARTSAFE_DATA_DIR=str(tmp),
        SMARTSAFE_TASK_LEASE_SECONDS=LEASE_SECONDS,
        SMARTSAFE_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    os.environ.update(env)
    serve = None
    try:
        print(f"database: {database_url.split('@')[-1]}; migrating…", flush=True)
        subprocess.run([sys.executable, "-m", "django", "migrate", "-v0"], env=env, check=True)
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        from django_tasks_db.models import DBTaskResult

        from smartsafe import testing
        from smartsafe.inbox import actions
        from smartsafe.inbox.models import InboundMessage

        testing.channel("viber")
        account = actions.create_account(kind="viber", name="crash bench", token=TOKEN)
        url_path = f"/inbox/webhooks/{account.webhook_token}/"

        port = free_port()
        log = tmp / "serve.log"
        with open(log, "ab") as out:
            serve = subprocess.Popen(
                [sys.executable, "-m", "django", "serve", "--port", str(port)],
                env={**env, "SMARTSAFE_LOG_LEVEL": "INFO"},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        url = f"http://127.0.0.1:{port}{url_path}"
        deadline = time.monotonic() + 60
        while not re.search(r"^worker-1 started", log.read_text(), re.M) or not _answers(port):
            if time.monotonic() > deadline or serve.poll() is not None:
                print(log.read_text()[-3000:])
                return 1
            time.sleep(0.3)

        counter = iter(range(10**9))
        lock = threading.Lock()
        sent, acknowledged = 0, []
        stop_at = time.monotonic() + seconds

        def client() -> None:
            nonlocal sent
            while time.monotonic() < stop_at:
                with lock:
                    i = next(counter)
                ok = post(url, i)
                with lock:
                    sent += 1
                    if ok:
                        acknowledged.append(i)

        every, targets = args.kill_every, [name for name in args.kill.split(",") if name in ("worker", "web")]
        what = "/".join(targets) or "nothing"
        print(f"posting for {seconds:g} s from {clients} clients, kill -9 of {what} every {every:g} s…")
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        kills = {name: 0 for name in targets}
        turn = 0
        while time.monotonic() < stop_at and targets:
            time.sleep(args.kill_every)
            target = targets[turn % len(targets)]
            turn += 1
            pids = re.findall(rf"^{target}-\d+ started \(pid (\d+)\)", log.read_text(), re.M)
            if pids and time.monotonic() < stop_at:
                try:
                    os.kill(int(pids[-1]), signal.SIGKILL)
                    kills[target] += 1
                except ProcessLookupError:
                    pass
        for thread in threads:
            thread.join()
        posted_until = time.monotonic()

        unfinished = ["READY", "RUNNING"]
        drain_deadline = posted_until + 120
        while (
            DBTaskResult.objects.filter(status__in=unfinished).exists() and time.monotonic() < drain_deadline
        ):
            time.sleep(0.25)
        drained = time.monotonic() - posted_until
        from smartsafe.inbox.conversation import provider_key

        keys = list(InboundMessage.objects.filter(account=account).values_list("provider_id", flat=True))
        stored, distinct = len(keys), set(keys)
        lost = sum(provider_key("viber", f"viber:{9_000_000_000 + i}") not in distinct for i in acknowledged)
        failed = DBTaskResult.objects.filter(status="FAILED").count()
        text = log.read_text()
        restarts = {
            name: len(re.findall(rf"^{name}-\d+ \(pid \d+\) killed by SIGKILL", text, re.M)) for name in kills
        }
        engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
        print()
        print(f"| {engine} | figure |")
        print("|---|---|")
        print(f"| deliveries sent | {sent} |")
        print(f"| acknowledged (200) | {len(acknowledged)} |")
        print(f"| messages stored | {stored} |")
        print(f"| acknowledged but lost | {lost} |")
        print(f"| stored twice | {stored - len(distinct)} |")
        print(f"| tasks parked as failed | {failed} |")
        for name in kills:
            print(f"| {name} processes killed (restarted by serve) | {kills[name]} ({restarts[name]}) |")
        print(f"| queue drained after the last post | {drained:.1f} s |")
        return 0 if lost == 0 and stored == len(distinct) and failed == 0 else 1
    finally:
        if serve is not None and serve.poll() is None:
            serve.send_signal(signal.SIGTERM)
            try:
                serve.wait(timeout=40)
            except subprocess.TimeoutExpired:
                serve.kill()
        from django.db import connections

        connections.close_all()
        drop()
        shutil.rmtree(tmp, ignore_errors=True)


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
            return True
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


if __name__ == "__main__":
    sys.exit(main())
