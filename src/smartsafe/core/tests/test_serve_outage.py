"""``manage.py serve`` started while PostgreSQL is down waits for it instead of giving up, and the
worker and the scheduler start working by themselves once it is back. Against a throw-away
cluster the test starts and stops itself (never the shared one)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import psycopg

from smartsafe.core.tests import live, pgcluster


def _binaries():
    return pgcluster.required_binaries()


def _count(url: str, sql: str) -> int:
    try:
        with psycopg.connect(url, connect_timeout=3) as conn:
            return conn.execute(sql).fetchone()[0]
    except psycopg.OperationalError:
        return 0


def test_serve_waits_for_the_database_and_recovers_by_itself(tmp_path):
    with pgcluster.Cluster(_binaries()) as pg:
        pg.createdb("smartsafe")
        url = pg.url("smartsafe")
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("PYTEST_", "DJANGO_", "SMARTSAFE_")) and key != "WEB_CONCURRENCY"
        }
        env.update(
            DJANGO_SETTINGS_MODULE="smartsafe.config.settings",
            PYTHONPATH=str(live.SRC),
            DATABASE_URL=url,
            SMARTSAFE_DEMO="1",
            SMARTSAFE_DATA_DIR=str(tmp_path),
            SMARTSAFE_LANGUAGE="en",
            SMARTSAFE_LOG_LEVEL="INFO",
            SMARTSAFE_TASK_LEASE_SECONDS="2",
            # The pool waits this long for a connection before the error that makes a process wait.
            SMARTSAFE_DB_POOL_TIMEOUT="2",
            SMARTSAFE_TASK_WORKERS="1",
            WEB_CONCURRENCY="1",
            PYTHONUNBUFFERED="1",
        )
        migrate = [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"]
        subprocess.run(migrate, env=env, check=True, timeout=600)
        pg.stop()

        port = live.free_port()
        log = tmp_path / "serve.log"
        serve = live.manage("serve", "--port", str(port), env=env, log=log)
        try:
            live.wait_for(
                lambda: (
                    re.search(r"worker \S+: database unavailable", log.read_text())
                    and "the scheduler tries again" in log.read_text()
                ),
                timeout=60,
                what="the worker and the scheduler to wait for the database",
            )
            # A worker or scheduler that exited on the error would have done so by now, and five
            # such exits in a row would make serve give up on the platform.
            time.sleep(6)
            assert serve.poll() is None and "giving up" not in log.read_text(), log.read_text()[-3000:]
            assert not re.search(r"^(worker|scheduler)\S* \(pid \d+\) ", log.read_text(), re.M), "none exited"

            pg.start()
            live.wait_for(
                lambda: _count(url, "SELECT count(*) FROM jobs_workerbeat") >= 1,
                timeout=60,
                what="the worker's heartbeat",
            )
            live.wait_for(
                lambda: _count(
                    url, "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'SUCCESSFUL'"
                ),
                timeout=60,
                what="a scheduled task queued by the scheduler and run by the worker",
            )
            serve.send_signal(signal.SIGTERM)
            assert serve.wait(timeout=40) == 0
        finally:
            live.stop(serve)
