"""Writes of the jobs app: a person queues a parked task again (audited)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from smartsafe.audit import codes
from smartsafe.audit.log import record

from . import durability
from .permissions import can_attend_tasks


@transaction.atomic
def retry_task(*, actor, task: DBTaskResult) -> DBTaskResult:
    """Queue a parked task again, with a fresh count of attempts."""
    if not can_attend_tasks(actor):
        raise PermissionDenied(_("Only supervisors and administrators may run failed background work again."))
    task = DBTaskResult.objects.select_for_update().get(pk=task.pk)
    if task.status != TaskResultStatus.FAILED:
        raise ValidationError(_("This task is not failed any more: it has been queued again already."))
    previous = {"attempts": durability.attempts(task), "error": task.exception_class_path[:200]}
    durability.requeue_parked(task)
    record(
        codes.TASK_RETRY,
        actor=actor,
        object_type="django_tasks_db.dbtaskresult",
        object_id=str(task.pk),
        object_label=task.task_path[:200],
        **previous,
    )
    return task
