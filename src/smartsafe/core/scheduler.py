"""The scheduler: enqueues periodic tasks; exactly one runs at a time (the leader).

Leadership is a PostgreSQL session advisory lock in production (any number of scheduler processes
on any number of hosts, one wins and the others wait) and an exclusive file lock next to the
SQLite database in embedded mode (SQLite is single-host by nature). The task worker(s) run what
the leader enqueues, so a slow job never delays the clock.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import logging
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("smartsafe.scheduler")

# Any constant works; it only has to be the same for every scheduler of one database.
ADVISORY_LOCK_KEY = 0x5AFE_5AFE
# Whether this session holds it (a bigint key below 2**32 is classid 0, objid = the key).
HOLDING_SQL = (
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = 0 "
    "AND objid = %s AND objsubid = 1 AND granted AND pid = pg_backend_pid())"
)
#: After a database error, the scheduler tries again this soon (or at its poll, if sooner).
RETRY_SECONDS = 5.0


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path of a django-tasks Task
    every: dt.timedelta


class Leadership:
    """Context-free leader lock: ``acquire()`` is non-blocking, ``release()`` gives it up."""

    def __init__(self):
        self._file = None
        self._held = False

    def acquire(self) -> bool:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                if self._held:
                    # Still ours? A connection the server dropped (a restart) took the lock with it.
                    cursor.execute(HOLDING_SQL, [ADVISORY_LOCK_KEY])
                    self._held = bool(cursor.fetchone()[0])
                if not self._held:
                    cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
                    self._held = bool(cursor.fetchone()[0])
            return self._held
        if self._held:
            return True
        path = settings.DATA_DIR / "scheduler.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115 - held for the process lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file, self._held = handle, True
        return True

    def lost_connection(self) -> None:
        """A database error: give the PostgreSQL lock up (if the connection still works) before
        the connection is closed. A pool keeps a closed connection, and a lock left on it would
        keep every scheduler, this one included, from leading."""
        if connection.vendor != "postgresql":
            return
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock_all()")
        except DatabaseError:
            pass  # a broken connection: the server ended the session and its lock
        self._held = False

    def release(self) -> None:
        if not self._held:
            return
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])
        elif self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        self._held = False


def jobs() -> list[Job]:
    return [Job(**spec) for spec in settings.SMARTSAFE_SCHEDULE]


def due(job: Job, last_run: dict[str, dt.datetime], now: dt.datetime) -> bool:
    previous = last_run.get(job.name)
    return previous is None or now - previous >= job.every


def still_queued(task) -> bool:
    """Whether the database queue already holds an unfinished run of ``task`` (waiting, running,
    or waiting for a retry). Workers that are down for an hour must come back to one e-mail poll,
    not sixty."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    if not isinstance(task.get_backend(), DatabaseBackend):
        return False
    unfinished = [TaskResultStatus.READY, TaskResultStatus.RUNNING]
    return DBTaskResult.objects.filter(task_path=task.module_path, status__in=unfinished).exists()


def tick(last_run: dict[str, dt.datetime], now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job that is due and not still queued from last time; return their names."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        if due(job, last_run, now):
            # Stamp first: a job that cannot be enqueued is retried at its next interval, not every poll.
            last_run[job.name] = now
            try:
                task = import_string(job.task)
                if still_queued(task):
                    log.info("%s is still queued from its last run; not queued again", job.name)
                    continue
                task.enqueue()
            except Exception:
                # One broken job must not stop the clock for the others.
                log.exception("could not enqueue %s (%s)", job.name, job.task)
                continue
            enqueued.append(job.name)
    return enqueued


def run_forever(*, poll_seconds: float = 30.0, stop=lambda: False) -> None:
    leadership = Leadership()
    last_run: dict[str, dt.datetime] = {}
    while not stop():
        try:
            if leadership.acquire():
                for name in tick(last_run):
                    log.info("enqueued %s", name)
        except DatabaseError as exc:
            # An outage or a restart of the database: wait for it rather than exit, so a process
            # manager does not count it as a crash, and lead again only after re-acquiring.
            pause = min(poll_seconds, RETRY_SECONDS)
            log.warning("database unavailable (%s); the scheduler tries again in %g s", exc, pause)
            leadership.lost_connection()
            connection.close()
            time.sleep(pause)
            continue
        time.sleep(poll_seconds)
    try:
        leadership.release()
    except DatabaseError:
        pass  # the lock ends with the connection anyway
