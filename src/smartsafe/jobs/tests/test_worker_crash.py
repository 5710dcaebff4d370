"""A worker killed with SIGKILL loses nothing: real ``db_worker`` processes, the real queue.

Every acknowledged webhook is in the task table before the provider hears "ok"; whatever the
worker that claimed it dies of, the lease runs out, another worker runs it again, and the message
is stored exactly once (idempotent by the provider's message id).
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from smartsafe.core import testing
from smartsafe.core.tests import live
from smartsafe.inbox import actions, messenger
from smartsafe.inbox.models import InboundMessage
from smartsafe.intake.models import Contact
from smartsafe.jobs.tests.crashtasks import hang_once

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


def worker(env, log):
    return live.manage(
        "db_worker", "--interval", "0.1", "--no-startup-delay", "--no-reload", env=env, log=log
    )


def finished() -> bool:
    return not DBTaskResult.objects.exclude(status=TaskResultStatus.SUCCESSFUL).exists()


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_QUEUE)
def test_a_killed_worker_loses_no_acknowledged_message(tmp_path):
    testing.channel("viber")
    account = actions.create_account(
        kind="viber", name="crash viber", settings={}, token="crash-token-1234567890"
    )
    env = live.child_env(tmp_path, SMARTSAFE_TASK_LEASE_SECONDS=LEASE)
    log = tmp_path / "workers.log"
    marker = tmp_path / "hanging"

    # Phase 1: the worker dies in the middle of a task (deterministically: the task hangs).
    for i in range(10):
        messenger.enqueue(account, viber_payload(i))
    hanging = hang_once.enqueue(str(marker))
    for i in range(10, 20):
        messenger.enqueue(account, viber_payload(i))
    first = worker(env, log)
    try:
        live.wait_for(marker.exists, timeout=60, what="the first worker to claim the hanging task")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert DBTaskResult.objects.get(pk=hanging.id).status == TaskResultStatus.RUNNING

        # Phase 2: more deliveries; the next workers are killed at whatever point they happen to be.
        for i in range(20, 60):
            messenger.enqueue(account, viber_payload(i))
        second = worker(env, log)
        live.wait_for(
            lambda: InboundMessage.objects.count() >= 25,
            timeout=60,
            what="the second worker to store messages",
        )
        os.kill(second.pid, signal.SIGKILL)
        second.wait(timeout=10)

        # Phase 3: two workers at once finish everything, the reclaimed tasks included.
        survivors = [worker(env, log), worker(env, log)]
        try:
            live.wait_for(finished, timeout=60, what="every task to succeed", every=0.25)
        finally:
            for process in survivors:
                live.stop(process)
    finally:
        for process in (first,):
            live.stop(process)

    messages = InboundMessage.objects.filter(account=account)
    assert messages.count() == 60, log.read_text()[-3000:]
    assert messages.values("provider_id").distinct().count() == 60
    assert Contact.objects.filter(inbound_messages__account=account).distinct().count() == PEOPLE
    again = DBTaskResult.objects.get(pk=hanging.id)
    assert again.status == TaskResultStatus.SUCCESSFUL
    assert len(again.worker_ids) == 2, "claimed once by the killed worker, once by the one that finished it"
    assert "queued again" in log.read_text()
