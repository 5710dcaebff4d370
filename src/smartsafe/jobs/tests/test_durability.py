"""Leases, retries and parking, in one process against the real task table.

The worker's loop itself is exercised by real processes in ``test_worker_crash``; here the pieces
are driven one by one so each rule has its own failing test.
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from smartsafe.jobs import durability
from smartsafe.jobs.models import WorkerBeat
from smartsafe.jobs.tests.crashtasks import always_fails, hang_once
from smartsafe.jobs.worker import DurableWorker

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("database_queue"),
]


@pytest.fixture
def database_queue():
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}},
        SMARTSAFE_TASK_LEASE_SECONDS=30,
        SMARTSAFE_TASK_MAX_ATTEMPTS=3,
        SMARTSAFE_TASK_RETRY_SECONDS=10,
    ):
        yield


def make_worker(worker_id="w-test") -> DurableWorker:
    return DurableWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def claimed_by(result, worker_id: str, *, beat_at) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=result.id)
    row.claim(worker_id)
    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={"beat_at": beat_at})
    return row


def test_a_task_of_a_worker_that_stopped_beating_is_queued_again(caplog):
    now = timezone.now()
    result = hang_once.enqueue("/nonexistent")
    claimed_by(result, "dead", beat_at=now - dt.timedelta(seconds=31))
    with caplog.at_level(logging.WARNING, logger="smartsafe.jobs"):
        assert durability.reclaim_expired(now) == {"requeued": 1, "parked": 0}
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=result.id).exists()
    assert "worker dead stopped during attempt 1; queued again" in caplog.text


def test_a_task_of_a_live_worker_is_left_alone():
    now = timezone.now()
    result = hang_once.enqueue("/nonexistent")
    claimed_by(result, "alive", beat_at=now - dt.timedelta(seconds=29))
    assert durability.reclaim_expired(now) == {"requeued": 0, "parked": 0}
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.RUNNING


def test_a_running_task_without_any_heartbeat_is_reclaimed():
    """Left by a worker of an older version (or the library's own): nobody vouches for it."""
    result = hang_once.enqueue("/nonexistent")
    DBTaskResult.objects.get(pk=result.id).claim("never-beat")
    assert durability.reclaim_expired()["requeued"] == 1


def test_the_last_lost_attempt_parks_the_task(caplog):
    now = timezone.now()
    result = hang_once.enqueue("/nonexistent")
    row = DBTaskResult.objects.get(pk=result.id)
    row.worker_ids = ["a", "b"]
    row.save()
    claimed_by(result, "c", beat_at=now - dt.timedelta(minutes=5))
    with caplog.at_level(logging.ERROR, logger="smartsafe.jobs"):
        assert durability.reclaim_expired(now) == {"requeued": 0, "parked": 1}
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "smartsafe.jobs.durability.WorkerLost"
    assert "parked after 3 attempts" in caplog.text
    assert [r.levelname for r in caplog.records if "parked" in r.getMessage()] == ["ERROR"]


def test_a_failing_task_is_retried_with_backoff_then_parked(caplog):
    result = always_fails.enqueue()
    worker = make_worker()
    waits = []
    for attempt in (1, 2, 3):
        row = DBTaskResult.objects.get(pk=result.id)
        if attempt > 1:
            assert row.status == TaskResultStatus.READY
            waits.append(row.run_after)
            assert not DBTaskResult.objects.ready().filter(pk=result.id).exists(), "not before its backoff"
        row.claim(worker.worker_id)
        with caplog.at_level(logging.WARNING, logger="smartsafe.jobs"):
            worker.run_task(row)
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == TaskResultStatus.FAILED
    assert "RuntimeError: the mail server said no" in row.traceback
    assert (
        "attempt 1 of 3 failed (RuntimeError: the mail server said no); next attempt in 10 s" in caplog.text
    )
    assert "next attempt in 20 s" in caplog.text
    assert "parked after 3 attempts" in caplog.text
    assert waits[1] - waits[0] > dt.timedelta(seconds=9), "the second pause is longer than the first"


def test_backoff_doubles_and_is_capped():
    assert [durability.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [10, 20, 40, 80]
    assert durability.backoff(40) == durability.MAX_BACKOFF


@pytest.mark.django_db(transaction=True)  # the worker's loop closes connections, as a worker must
def test_a_worker_beats_while_it_runs_and_signs_off_when_it_stops():
    worker = make_worker("w-beat")
    worker.run()  # batch mode: nothing to do, so it returns at once
    assert not WorkerBeat.objects.filter(worker_id="w-beat").exists()
    durability.beat("w-beat")
    first = WorkerBeat.objects.get(worker_id="w-beat").beat_at
    durability.beat("w-beat")
    assert WorkerBeat.objects.get(worker_id="w-beat").beat_at >= first


def test_old_successful_results_are_pruned_failed_ones_kept():
    from smartsafe.jobs.tasks import prune_finished_tasks

    old, recent, failed = (hang_once.enqueue(f"/x{i}") for i in range(3))
    now = timezone.now()
    DBTaskResult.objects.filter(pk__in=[old.id, recent.id]).update(status=TaskResultStatus.SUCCESSFUL)
    DBTaskResult.objects.filter(pk=failed.id).update(status=TaskResultStatus.FAILED)
    DBTaskResult.objects.filter(pk__in=[old.id, failed.id]).update(finished_at=now - dt.timedelta(days=8))
    DBTaskResult.objects.filter(pk=recent.id).update(finished_at=now - dt.timedelta(days=6))
    assert prune_finished_tasks.call() == 1
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {
        DBTaskResult.objects.get(pk=recent.id).pk,
        DBTaskResult.objects.get(pk=failed.id).pk,
    }
