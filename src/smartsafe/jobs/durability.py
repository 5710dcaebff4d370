"""Leases, retries and parking for the database task queue (docs/deploy.md, "Background work").

django-tasks-db claims a task by setting it ``RUNNING`` and appending the worker's id to
``worker_ids``; it never looks at that task again if the worker dies. This module adds what is
missing, without changing the library's table or its ``task.enqueue()`` API:

* **lease** — every worker stamps its ``WorkerBeat`` row every ``lease / 4`` seconds from a
  background thread (``Heartbeat``). A ``RUNNING`` task whose worker has not stamped for
  ``SMARTSAFE_TASK_LEASE_SECONDS`` (killed, out of memory, machine lost) is handed back to the
  queue by ``reclaim_expired``, which every worker runs at start and then every lease;
* **retries** — a task that raised is queued again after an exponential backoff;
* **parking** — after ``SMARTSAFE_TASK_MAX_ATTEMPTS`` attempts (claims: ``len(worker_ids)``) the
  task stays ``FAILED``: logged at error level and listed on the "needs attention" page, where a
  supervisor or administrator can queue it again.

Running a task twice is therefore possible (a worker frozen past its lease, then woken), so every
task must be idempotent: each one in this code base is (messages by provider id, e-mail by
Message-ID, referral deliveries by their delivery state, recounts by nature).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction

from .models import WorkerBeat

log = logging.getLogger("smartsafe.jobs")

#: A worker that has not stamped for this long (beyond its lease) is forgotten altogether.
FORGET_AFTER = dt.timedelta(days=1)
#: How long a successful task's row (its arguments, its result) stays in the queue's table.
KEEP_FINISHED = dt.timedelta(days=7)
#: The longest wait between two attempts of one task.
MAX_BACKOFF = dt.timedelta(hours=1)


class WorkerLost(Exception):
    """Stored as the error of a task whose worker died during every one of its attempts."""


def lease() -> dt.timedelta:
    return dt.timedelta(seconds=max(1, int(getattr(settings, "SMARTSAFE_TASK_LEASE_SECONDS", 60))))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "SMARTSAFE_TASK_MAX_ATTEMPTS", 5)))


def backoff(attempt: int) -> dt.timedelta:
    """The wait before attempt ``attempt + 1``: base, 2×base, 4×base… at most an hour."""
    base = max(0, int(getattr(settings, "SMARTSAFE_TASK_RETRY_SECONDS", 10)))
    return min(dt.timedelta(seconds=base * 2 ** max(0, attempt - 1)), MAX_BACKOFF)


def attempts(task: DBTaskResult) -> int:
    return len(task.worker_ids or [])


# --- the workers' side ----------------------------------------------------------------------------


def beat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerBeat.objects.filter(worker_id=worker_id).update(beat_at=now)
    if not updated:
        WorkerBeat.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "started_at": now,
                "beat_at": now,
            },
        )


def wait_for_database(worker_id: str) -> None:
    """Stamp the first heartbeat, waiting as long as the database is unreachable.

    A worker started during a database outage waits instead of exiting: a process manager would
    otherwise count its exits as crashes at start and give up on the whole platform. The pause
    between tries doubles up to half a lease (at most 30 s).
    """
    pause, longest_pause = 1.0, min(30.0, lease().total_seconds() / 2)
    while True:
        try:
            beat(worker_id)
            return
        except (OperationalError, InterfaceError) as exc:
            log.warning("worker %s: database unavailable (%s); trying again in %g s", worker_id, exc, pause)
            connection.close()
            time.sleep(pause)
            pause = max(1.0, min(pause * 2, longest_pause))


def forget(worker_id: str) -> None:
    """A worker that stops cleanly says so: whatever it held is reclaimed at once, not after a lease."""
    WorkerBeat.objects.filter(worker_id=worker_id).delete()


class Heartbeat(threading.Thread):
    """Stamps the worker's row while the main thread runs tasks; reclaims dead workers' tasks.

    A daemon thread with its own database connection. It never stops on an error (a database
    restart): a heartbeat that died while the worker lives would let its task be run twice.
    """

    def __init__(self, worker_id: str):
        super().__init__(name=f"heartbeat-{worker_id}", daemon=True)
        self.worker_id = worker_id
        self._stopping = threading.Event()

    def run(self) -> None:
        period = lease().total_seconds() / 4
        beats = 0
        while not self._stopping.wait(period):
            try:
                close_old_connections()
                beat(self.worker_id)
                beats += 1
                if beats % 4 == 0:
                    reclaim_expired()
            except Exception:  # noqa: BLE001 - keep beating; the next stamp may work
                log.warning("worker %s: heartbeat failed; trying again", self.worker_id, exc_info=True)
                connection.close()
        connection.close()

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=5)


# --- the queue's side -----------------------------------------------------------------------------


def reclaim_expired(now: dt.datetime | None = None) -> dict:
    """Give every running task whose worker stopped stamping back to the queue (or park it).

    Safe to run from any number of workers at once: each task is re-read under the queue's lock
    (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an exclusive transaction on SQLite).
    """
    clock = (lambda: now) if now is not None else timezone.now
    alive = set(WorkerBeat.objects.filter(beat_at__gte=clock() - lease()).values_list("worker_id", flat=True))
    done = {"requeued": 0, "parked": 0}
    candidates = [
        pk
        for pk, worker_ids in DBTaskResult.objects.running().values_list("pk", "worker_ids")
        if not worker_ids or worker_ids[-1] not in alive
    ]
    for pk in candidates:
        with exclusive_transaction(DBTaskResult.objects.db):
            task = DBTaskResult.objects.running().select_for_update(skip_locked=True).filter(pk=pk).first()
            if task is None:
                continue  # finished in the meantime, or another reclaimer has it
            worker = task.worker_ids[-1] if task.worker_ids else "?"
            # Asked again under the lock: a worker that started after ``alive`` was read may have
            # stamped its first heartbeat and claimed this task since.
            if WorkerBeat.objects.filter(worker_id=worker, beat_at__gte=clock() - lease()).exists():
                continue
            if attempts(task) >= max_attempts():
                _park(task, f"the worker {worker} stopped while running attempt {attempts(task)}", clock())
                done["parked"] += 1
            else:
                task.status = TaskResultStatus.READY
                task.run_after = clock()
                task.save(update_fields=["status", "run_after"])
                log.warning(
                    "task %s (%s): worker %s stopped during attempt %s; queued again",
                    task.pk,
                    task.task_path,
                    worker,
                    attempts(task),
                )
                done["requeued"] += 1
    WorkerBeat.objects.filter(beat_at__lt=clock() - FORGET_AFTER).delete()
    return done


def prune_finished(now: dt.datetime | None = None) -> int:
    """Delete successful task results older than ``KEEP_FINISHED``; failed ones stay for a person."""
    cutoff = (now or timezone.now()) - KEEP_FINISHED
    deleted, _ = DBTaskResult.objects.successful().filter(finished_at__lt=cutoff).delete()
    return deleted


def _park(task: DBTaskResult, reason: str, now: dt.datetime) -> None:
    task.status = TaskResultStatus.FAILED
    task.finished_at = now
    task.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
    task.traceback = f"{WorkerLost.__qualname__}: {reason}\n"
    task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
    log.error(
        "task %s (%s) parked after %s attempts: %s; it is listed under 'needs attention'",
        task.pk,
        task.task_path,
        attempts(task),
        reason,
    )


def after_failure(task: DBTaskResult) -> str:
    """A task raised (its row is ``FAILED`` with the traceback): queue it again or park it.

    Returns ``"retry"`` or ``"parked"``.
    """
    error = (task.traceback or "").strip().splitlines()[-1:] or [task.exception_class_path]
    if attempts(task) >= max_attempts():
        log.error(
            "task %s (%s) parked after %s attempts: %s; it is listed under 'needs attention'",
            task.pk,
            task.task_path,
            attempts(task),
            error[0],
        )
        return "parked"
    wait = backoff(attempts(task))
    DBTaskResult.objects.filter(pk=task.pk, status=TaskResultStatus.FAILED).update(
        status=TaskResultStatus.READY, run_after=timezone.now() + wait, finished_at=None
    )
    log.warning(
        "task %s (%s) attempt %s of %s failed (%s); next attempt in %s s",
        task.pk,
        task.task_path,
        attempts(task),
        max_attempts(),
        error[0],
        int(wait.total_seconds()),
    )
    return "retry"


def requeue_parked(task: DBTaskResult) -> None:
    """Queue a parked task again with a fresh count of attempts (``actions.retry_task``)."""
    task.status = TaskResultStatus.READY
    task.run_after = get_date_max()
    task.worker_ids = []
    task.started_at = task.finished_at = None
    task.exception_class_path = task.traceback = ""
    task.save(
        update_fields=[
            "status",
            "run_after",
            "worker_ids",
            "started_at",
            "finished_at",
            "exception_class_path",
            "traceback",
        ]
    )
