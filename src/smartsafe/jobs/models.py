"""The one table this app adds next to django-tasks-db's task table: who is alive.

A task row says which worker claimed it (``DBTaskResult.worker_ids``, the last entry is the current
attempt); this table says whether that worker still lives. A worker stamps ``beat_at`` every few
seconds; a claimed task whose worker has not stamped for a lease is given to another worker.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class WorkerBeat(models.Model):
    worker_id = models.CharField(_("worker id"), primary_key=True, max_length=64)
    hostname = models.CharField(_("host"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("process id"), default=0)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    beat_at = models.DateTimeField(_("last heartbeat"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("task worker")
        verbose_name_plural = _("task workers")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
