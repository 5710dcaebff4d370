"""PostgreSQL restarted in the middle of a load: nothing the platform acknowledged is lost.

Reports and signed Viber webhooks are posted without pause to ``manage.py serve`` (two web
processes, two task workers, the scheduler) while the database — a throw-away cluster the test
starts itself, never the shared one — is stopped for longer than a request waits for a
connection, and started again. Every request gets an answer: an acknowledgement (the report's
201, the webhook's 200) or a 503 that tells the sender to try again; never a 500. Afterwards every
acknowledged report is stored exactly once and every acknowledged webhook became exactly one
message, written by the workers after the database came back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import subprocess
import sys
import threading
import time

import psycopg

from smartsafe.core.liveserver import ROOT, Call, Platform, child_env, drive, until
from smartsafe.core.samples import EXAMPLE_REPORT, viber_delivery
from smartsafe.core.tests import pgcluster

VIBER_TOKEN = "restart-viber-token-0123456789abcd"
ROUNDS = 30
SETUP = f"""
from smartsafe import testing
from smartsafe.inbox import actions
testing.channel("viber")
account = actions.create_account(kind="viber", name="Viber", settings={{}}, token={VIBER_TOKEN!r})
print(account.webhook_token)
"""


def _manage(env, *args) -> str:
    return subprocess.run(
        [sys.executable, "-m", "django", *args], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout


def _stored_id(secret_key: str, message_token: int) -> str:
    """``inbox.conversation.provider_key`` for a Viber message, with the pseudonym key the children use."""
    digest = hmac.new(secret_key.encode(), f"message\0viber:{message_token}".encode(), hashlib.sha256)
    return f"viber:{digest.hexdigest()}"


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchall()


def test_acknowledged_reports_and_messages_survive_a_database_restart(tmp_path):
    with pgcluster.Cluster(pgcluster.required_binaries()) as pg:
        pg.createdb("smartsafe")
        url = pg.url("smartsafe")
        secret_key = secrets.token_urlsafe(40)
        env = {
            "SMARTSAFE_DEMO": "1",
            "SMARTSAFE_DATA_DIR": str(tmp_path),
            "SMARTSAFE_SECRET_KEY": secret_key,
            "SMARTSAFE_EVIDENCE_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
            "SMARTSAFE_PORTAL_REPORTS_PER_HOUR": "0",
            "SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES": "0",
            "SMARTSAFE_DB_POOL_TIMEOUT": "2",  # a request waits this long before its 503
            "SMARTSAFE_TASK_LEASE_SECONDS": "3",
        }
        setup_env = child_env(url, **env)
        _manage(setup_env, "migrate", "--noinput")
        _manage(setup_env, "load_taxonomy")
        webhook_token = _manage(setup_env, "shell", "-c", SETUP).strip().splitlines()[-1]

        report = Call(
            "POST",
            "/api/v1/reports/",
            json.dumps(EXAMPLE_REPORT).encode(),
            {"Content-Type": "application/json"},
        )
        sent: list[tuple[str, Call]] = []
        outcomes = []
        done = threading.Event()

        def load():
            for round_number in range(ROUNDS):
                batch = [("report", report)] * 4
                for i in range(4):
                    raw, signature = viber_delivery(VIBER_TOKEN, round_number * 4 + i, people=5)
                    headers = {"Content-Type": "application/json", "X-Viber-Content-Signature": signature}
                    batch.append(("webhook", Call("POST", f"/inbox/webhooks/{webhook_token}/", raw, headers)))
                outcomes.extend(drive(site.port, [call for _kind, call in batch], clients=4))
                sent.extend(batch)
                time.sleep(0.1)
            done.set()

        # Under ``manage.py serve``, as installed: a worker that loses the database mid-task exits
        # and is restarted, and waits for the database before it claims anything again.
        with Platform(
            url, web=2, workers=2, env=env, log_path=tmp_path / "platform.log", supervised=True
        ) as site:
            loader = threading.Thread(target=load, daemon=True)  # never outlives a failed test
            loader.start()
            time.sleep(1.5)
            began = time.monotonic()
            pg.stop()  # every connection cut, as in a crash or a failover
            time.sleep(3)  # longer than a request waits for a connection: some answers are 503
            pg.start()
            print(f"database down for {time.monotonic() - began:.1f} s")
            loader.join(timeout=180)
            print(f"load done {time.monotonic() - began:.1f} s after the stop")
            assert done.is_set(), "the load did not finish"

            statuses = [outcome.status for outcome in outcomes]
            assert set(statuses) <= {200, 201, 503}, sorted(set(statuses))
            acknowledged_reports = [
                json.loads(o.body)["reference"]
                for (kind, _call), o in zip(sent, outcomes, strict=True)
                if kind == "report" and o.status == 201
            ]
            acknowledged_webhooks = [
                call.body
                for (kind, call), o in zip(sent, outcomes, strict=True)
                if kind == "webhook" and o.status == 200
            ]
            # The restart really happened under the load, and the platform came back by itself.
            assert 503 in statuses, "no request met the outage"
            assert statuses[-8:].count(503) == 0, "still refusing after the database came back"
            messages = "SELECT count(*) FROM inbox_inboundmessage"
            assert until(lambda: _rows(url, messages)[0][0] >= len(acknowledged_webhooks), timeout=90)
            # Accepted reports are registered by the workers once the database is back.
            waiting = "SELECT count(*) FROM portal_reportsubmission"
            assert until(lambda: _rows(url, waiting)[0][0] == 0, timeout=90)

        stored = [row[0] for row in _rows(url, "SELECT reference FROM portal_publicreport")]
        assert sorted(acknowledged_reports) == sorted(set(acknowledged_reports))
        assert set(acknowledged_reports) <= set(stored)
        assert len(stored) == len(set(stored))
        tokens = {json.loads(body)["message_token"] for body in acknowledged_webhooks}
        stored_messages = [row[0] for row in _rows(url, "SELECT provider_id FROM inbox_inboundmessage")]
        assert len(stored_messages) == len(set(stored_messages))  # none stored twice
        # Each acknowledged delivery is among them, under the keyed id the platform stores.
        assert {_stored_id(secret_key, token) for token in tokens} <= set(stored_messages)
        print(
            f"restart under load: {len(outcomes)} requests, {statuses.count(503)} answered 503, "
            f"{len(acknowledged_reports)} reports and {len(tokens)} webhooks acknowledged, all stored"
        )
