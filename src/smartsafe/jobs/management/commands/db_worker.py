"""``manage.py db_worker``: django-tasks-db's worker, made durable (heartbeat, leases, retries).

It replaces the library's command of the same name (this app comes before ``django_tasks_db`` in
``INSTALLED_APPS``), so every way of starting a worker — ``manage.py serve``, the systemd units, a
person typing the library's documented command — gets the same guarantees.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from smartsafe.core import request_context
from smartsafe.jobs.worker import DurableWorker


class Command(db_worker.Command):
    help = "Run a durable database task worker (heartbeat, reclaimed leases, bounded retries)."

    def configure_logging(self, verbosity: int) -> None:
        # The levels come from settings.LOGGING (SMARTSAFE_TASK_LOG_LEVEL: warnings by default, so
        # a job every 30 seconds does not fill the console); -v 2 and more still show every task.
        if verbosity >= 2:
            super().configure_logging(verbosity)

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload,
               max_tasks, worker_id, exclude_queues, **options) -> None:  # fmt: skip
        self.configure_logging(verbosity)
        # Answering people comes first: when the machine is busy, the web processes get the CPU and
        # the queue (registering accepted reports, webhooks) catches up a moment later.
        if settings.SMARTSAFE_TASK_WORKER_NICENESS:
            os.nice(settings.SMARTSAFE_TASK_WORKER_NICENESS)
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise db_worker.CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = DurableWorker(
            queue_names=queue_names,
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            startup_delay=startup_delay,
            max_tasks=max_tasks,
            worker_id=worker_id,
            excluded_queue_names=excluded,
        )
        if verbosity < 2:  # with -v 2 the queue's own logger says it
            self.stdout.write(f"Starting worker worker_id={worker.worker_id} queues={','.join(queue_names)}")
        with request_context.bind(request_context.RequestContext(via="task")):
            if reload and not batch:
                if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                    worker.configure_signals()
                run_with_reloader(worker.run)
            else:
                worker.configure_signals()
                worker.run()
