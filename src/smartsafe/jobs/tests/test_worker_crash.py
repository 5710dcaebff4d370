"""A worker killed with SIGKILL loses nothing: real ``db_worker`` processes, the real queue.

Every acknowledged webhook — and every API report answered 201 — is in the task table before the
sender hears "ok"; whatever the worker that claimed it dies of, the lease runs out, another worker
runs it again, and the message or report is stored exactly once (idempotent by the provider's
message id, and by the sealed submission that registering deletes).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from smartsafe import testing
from smartsafe.core.samples import EXAMPLE_REPORT
from smartsafe.core.tests import live
from smartsafe.inbox import actions, messenger
from smartsafe.inbox.models import InboundMessage, WebhookDelivery
from smartsafe.intake.models import Contact
from smartsafe.jobs.tests.crashtasks import hang_once
from smartsafe.portal.models import PublicReport, ReportSubmission
from smartsafe.taxonomy import loading

DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
PEOPLE = 7
LEASE = "2"


def viber_payload(i: int) -> str:
    return json.dumps(
        {
            "event": "message",
            "timestamp": int(time.time() * 1000),
            "message_token": 7_000_000_000 + i,
            "sender": {"id": f"crash{i % PEOPLE:03d}AbC=", "name": "Ana", "api_version": 10},
            "message": {"type": "text", "text": f"Poruka {i}: neko mi preti."},
        },
        ensure_ascii=False,
    )


TOKEN = "crash-token-1234567890"


def web(env, log, port: int) -> subprocess.Popen:
    argv = [sys.executable, "-m", "uvicorn", "smartsafe.config.asgi:application", "--port", str(port)]
    with open(log, "ab") as out:
        return subprocess.Popen([*argv, "--lifespan", "off"], env=env, stdout=out, stderr=subprocess.STDOUT)


def deliver_over_http(port: int, account, i: int) -> bool:
    """POST one signed delivery as Viber does; True when it was acknowledged (200)."""
    raw = viber_payload(i).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/inbox/webhooks/{account.webhook_token}/",
        data=raw,
        headers={
            "Content-Type": "application/json",
            "X-Viber-Content-Signature": hmac.new(TOKEN.encode(), raw, hashlib.sha256).hexdigest(),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status == 200
    except OSError:
        return False


def report_over_http(port: int) -> str | None:
    """POST the README's report to the API; its reference when it was accepted (201)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/reports/",
        data=json.dumps(EXAMPLE_REPORT).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["reference"] if response.status == 201 else None
    except OSError:
        return None


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5):
            return True
    except OSError:
        return False


def worker(env, log):
    return live.manage(
        "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload", env=env, log=log
    )


def finished() -> bool:
    return not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_killed_worker_loses_no_acknowledged_message(tmp_path):
    loading.load()  # the report's vocabulary: a transactional test may find the tables emptied
    testing.channel("viber")
    account = actions.create_account(kind="viber", name="crash viber", token=TOKEN)
    env = live.child_env(
        tmp_path,
        SMARTSAFE_TASK_LEASE_SECONDS=LEASE,
        SMARTSAFE_PORTAL_REPORTS_PER_HOUR="0",
        SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES="0",
    )
    log = tmp_path / "workers.log"
    marker = tmp_path / "hanging"
    port = live.free_port()
    server = web(env, tmp_path / "web.log", port)
    processes = [server]
    try:
        # Phase 1: the worker dies in the middle of a task (deterministically: the task hangs).
        for i in range(10):
            messenger.enqueue(account, viber_payload(i))
        hanging = hang_once.enqueue(str(marker))
        for i in range(10, 20):
            messenger.enqueue(account, viber_payload(i))
        first = worker(env, log)
        processes.append(first)
        live.wait_for(marker.exists, timeout=60, what="the first worker to claim the hanging task")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert DBTaskResult.objects.get(pk=hanging.id).status == TaskResultStatus.RUNNING

        # Phase 2: signed deliveries through the real web server while the next worker stores
        # them; it is killed at whatever point it happens to be.
        live.wait_for(lambda: answers(port), timeout=60, what="the web server", every=0.3)
        second = worker(env, log)
        processes.append(second)
        acknowledged, references = 20, []
        for i in range(20, 60):
            acknowledged += deliver_over_http(port, account, i)
            references.append(report_over_http(port))
            if i == 40:
                live.wait_for(lambda: InboundMessage.objects.count() > 20, timeout=60, what="messages stored")
                os.kill(second.pid, signal.SIGKILL)
                second.wait(timeout=10)
        assert acknowledged == 60, (tmp_path / "web.log").read_text()[-3000:]
        assert None not in references, (tmp_path / "web.log").read_text()[-3000:]

        # Phase 3: two workers at once finish everything, the reclaimed tasks included.
        processes += [worker(env, log), worker(env, log)]
        live.wait_for(finished, timeout=60, what="every task to succeed", every=0.25)
    finally:
        for process in processes:
            live.stop(process)

    messages = InboundMessage.objects.filter(account=account)
    assert messages.count() == acknowledged, log.read_text()[-3000:]
    assert messages.values("provider_id").distinct().count() == acknowledged
    assert Contact.objects.filter(inbound_messages__account=account).distinct().count() == PEOPLE
    assert not WebhookDelivery.objects.exists(), "every kept delivery was processed and removed"
    # Every accepted report registered once, under the reference its reporter was given.
    assert sorted(PublicReport.objects.values_list("reference", flat=True)) == sorted(references)
    assert not ReportSubmission.objects.exists()
    again = DBTaskResult.objects.get(pk=hanging.id)
    assert again.status == TaskResultStatus.SUCCESSFUL
    assert len(again.worker_ids) == 2, "claimed once by the killed worker, once by the one that finished it"
    assert "queued again" in log.read_text()
