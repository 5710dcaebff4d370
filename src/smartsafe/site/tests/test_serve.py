"""``manage.py serve`` as a person runs it: real processes, a real port, kill -9, SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import urllib.error
import urllib.request

import pytest
from django.core.management.base import CommandError

from smartsafe.core.tests import live
from smartsafe.site.management.commands.serve import process_counts


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def started(log, name: str) -> list[int]:
    return [int(pid) for pid in re.findall(rf"^{name} started \(pid (\d+)\)", log.read_text(), re.M)]


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.django_db(transaction=True)
def test_serve_brings_back_a_killed_process_and_stops_on_sigterm(tmp_path, settings):
    from django.db import connection

    port = live.free_port()
    env = live.child_env(tmp_path, WEB_CONCURRENCY="2", SMARTSAFE_TASK_WORKERS="2")
    log = tmp_path / "serve.log"
    serve = live.manage("serve", "--port", str(port), env=env, log=log)
    webs = 1 if connection.vendor == "sqlite" else 2
    try:
        live.wait_for(lambda: answers(port), timeout=60, what="the site to answer", every=0.3)
        live.wait_for(lambda: started(log, "scheduler"), timeout=30, what="the scheduler")
        text = log.read_text()
        assert f"{webs} web process(es), {webs} task worker(s), 1 scheduler" in text
        assert [len(started(log, f"web-{n}")) for n in range(1, webs + 1)] == [1] * webs
        assert not started(log, f"web-{webs + 1}")

        for name in ("web-1", f"worker-{webs}", "scheduler"):
            (pid,) = started(log, name)
            os.kill(pid, signal.SIGKILL)
            live.wait_for(
                lambda name=name: len(started(log, name)) == 2, timeout=30, what=f"{name} to restart"
            )
            assert re.search(
                rf"{name} \(pid {pid}\) killed by SIGKILL after [\d.]+ s; restarting it in", log.read_text()
            )
        live.wait_for(lambda: answers(port), timeout=60, what="the site to answer again", every=0.3)
        assert serve.poll() is None, "serve itself kept running"

        children = [started(log, name)[-1] for name in ("web-1", f"worker-{webs}", "scheduler")]
        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=40) == 0
        for pid in children:
            live.wait_for(lambda pid=pid: gone(pid), timeout=10, what=f"pid {pid} to stop")
        assert "stopping" in log.read_text()
    finally:
        live.stop(serve)


def test_sqlite_stays_one_writer_whatever_is_asked(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "8")
    monkeypatch.setenv("SMARTSAFE_TASK_WORKERS", "4")
    assert process_counts("sqlite") == (1, 1)
    assert process_counts("sqlite", web=4, workers=4) == (1, 1)


def test_postgresql_uses_the_cpus_unless_told(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("SMARTSAFE_TASK_WORKERS", raising=False)
    assert process_counts("postgresql") == (os.cpu_count(), 2)
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("SMARTSAFE_TASK_WORKERS", "5")
    assert process_counts("postgresql") == (3, 5)
    assert process_counts("postgresql", web=6, workers=1) == (6, 1)
    monkeypatch.setenv("SMARTSAFE_TASK_WORKERS", "-1")
    with pytest.raises(CommandError):
        process_counts("postgresql")
