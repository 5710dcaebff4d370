"""What the "needs attention" page reads: parked tasks and the state of the queue."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from . import durability
from .models import WorkerBeat
from .permissions import can_attend_tasks


def _check(user) -> None:
    if not can_attend_tasks(user):
        raise PermissionDenied


def parked_tasks(user):
    """Tasks that failed their last attempt, newest first. Never their arguments: a webhook's
    arguments are a child's message, which this page has no reason to show."""
    _check(user)
    return (
        DBTaskResult.objects.failed()
        .defer("args_kwargs", "return_value")
        .order_by("-finished_at", "-enqueued_at")
    )


def access_parked(user, task_id) -> DBTaskResult:
    try:
        return parked_tasks(user).get(pk=task_id)
    except (DBTaskResult.DoesNotExist, ValidationError, ValueError):
        raise Http404("No such failed task.") from None


@dataclass(frozen=True)
class QueueState:
    waiting: int
    retrying: int
    running: int
    parked: int
    workers: int


def queue_state(user) -> QueueState:
    _check(user)
    alive = WorkerBeat.objects.filter(beat_at__gte=timezone.now() - durability.lease()).count()
    ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    return QueueState(
        waiting=ready.count(),
        retrying=ready.exclude(exception_class_path="").count(),
        running=DBTaskResult.objects.running().count(),
        parked=DBTaskResult.objects.failed().count(),
        workers=alive,
    )
