import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks import task

from smartsafe.core import scheduler

CALLS = []


@task()
def remember() -> None:
    CALLS.append(1)


SCHEDULE = [
    {
        "name": "remember",
        "task": "smartsafe.core.tests.test_scheduler.remember",
        "every": dt.timedelta(hours=1),
    }
]


@override_settings(SMARTSAFE_SCHEDULE=SCHEDULE)
def test_tick_enqueues_only_due_jobs():
    CALLS.clear()
    last_run = {}
    now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    assert scheduler.tick(last_run, now) == ["remember"]
    assert scheduler.tick(last_run, now + dt.timedelta(minutes=59)) == []
    assert scheduler.tick(last_run, now + dt.timedelta(minutes=60)) == ["remember"]
    assert len(CALLS) == 2, "the immediate test backend ran the task each time it was enqueued"


BROKEN = [
    {"name": "broken", "task": "smartsafe.core.tests.no_such_module.task", "every": dt.timedelta(hours=1)},
    *SCHEDULE,
]


@override_settings(SMARTSAFE_SCHEDULE=BROKEN)
def test_a_broken_job_does_not_stop_the_others(caplog):
    CALLS.clear()
    assert scheduler.tick({}) == ["remember"]
    assert CALLS == [1]
    assert "could not enqueue broken" in caplog.text


def test_configured_jobs_resolve_to_tasks():
    from django.utils.module_loading import import_string

    for job in scheduler.jobs():
        assert hasattr(import_string(job.task), "enqueue"), job.name


@pytest.mark.django_db(transaction=True)
def test_only_one_leader(tmp_path, settings):
    """A second scheduler (another connection / process) cannot lead while the first does."""
    settings.DATA_DIR = tmp_path
    first = scheduler.Leadership()
    assert first.acquire()
    outcome = {}

    def contender():
        second = scheduler.Leadership()
        outcome["acquired"] = second.acquire()
        second.release()
        connection.close()

    thread = threading.Thread(target=contender)
    thread.start()
    thread.join()
    assert outcome["acquired"] is False
    first.release()

    thread = threading.Thread(target=contender)
    thread.start()
    thread.join()
    assert outcome["acquired"] is True, "after release another scheduler takes over"


@pytest.mark.django_db
@override_settings(
    SMARTSAFE_SCHEDULE=SCHEDULE, TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
)
def test_a_job_still_in_the_queue_is_not_queued_again():
    from django_tasks_db.models import DBTaskResult

    now = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)
    last_run = {}
    assert scheduler.tick(last_run, now) == ["remember"]
    # No worker ran it: an hour later the job is due again but one waiting run is enough.
    assert scheduler.tick(last_run, now + dt.timedelta(hours=1)) == []
    assert DBTaskResult.objects.count() == 1
    DBTaskResult.objects.update(status="SUCCESSFUL")
    assert scheduler.tick(last_run, now + dt.timedelta(hours=2)) == ["remember"]
    assert DBTaskResult.objects.count() == 2


def _lock_holders() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 AND objid = %s AND granted",
            [scheduler.ADVISORY_LOCK_KEY],
        )
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
@override_settings(SMARTSAFE_SCHEDULE=[])
def test_the_leader_survives_a_cut_connection_and_leads_again(caplog):
    """A database restart cuts every connection; the scheduler must neither exit nor believe it
    still leads: it waits, reconnects and takes the lock again."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite's leadership is a file lock, which no database connection holds")
    from smartsafe.core.tests.live import wait_for

    stopping = threading.Event()

    def run():
        try:
            scheduler.run_forever(poll_seconds=0.05, stop=stopping.is_set)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    with caplog.at_level("WARNING", logger="smartsafe.scheduler"):
        thread.start()
        (first,) = wait_for(_lock_holders, timeout=10, what="the scheduler to lead")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [first])
        (second,) = wait_for(
            lambda: [pid for pid in _lock_holders() if pid != first], timeout=20, what="the lock taken again"
        )
        assert thread.is_alive(), "the scheduler kept running"
        stopping.set()
        thread.join(timeout=10)
    assert second != first
    assert "database unavailable" in caplog.text
    wait_for(lambda: not _lock_holders(), timeout=10, what="the lock to be given up at the end")
