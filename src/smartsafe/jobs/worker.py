"""django-tasks-db's worker with a heartbeat, the reclaimer and retries (see ``durability``)."""

from __future__ import annotations

import logging

from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from . import durability

log = logging.getLogger("smartsafe.jobs")


class DurableWorker(Worker):
    def run(self) -> None:
        # Alive before the first claim: a task is never claimed by a worker without a heartbeat.
        durability.wait_for_database(self.worker_id)
        reclaimed = durability.reclaim_expired()
        if any(reclaimed.values()):
            log.warning("worker %s at start: %s", self.worker_id, reclaimed)
        heartbeat = durability.Heartbeat(self.worker_id)
        heartbeat.start()
        try:
            super().run()
        finally:
            heartbeat.stop()
            try:
                durability.forget(self.worker_id)
            except Exception:  # noqa: BLE001 - the lease expires by itself
                log.warning("worker %s: could not sign off; its lease will expire", self.worker_id)

    def run_task(self, db_task_result: DBTaskResult) -> None:
        super().run_task(db_task_result)
        if db_task_result.status == TaskResultStatus.FAILED:
            durability.after_failure(db_task_result)
