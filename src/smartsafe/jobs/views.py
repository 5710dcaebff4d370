"""The "needs attention" page: background work that failed every attempt, with a retry button."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smartsafe.audit import codes
from smartsafe.audit.log import record

from . import actions, durability
from .queries import access_parked, parked_tasks, queue_state

PAGE_SIZE = 50


@require_GET
@login_required
def needs_attention(request):
    page = Paginator(parked_tasks(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "task": task,
            "attempts": durability.attempts(task),
            "error": ((task.traceback or "").strip().splitlines() or [task.exception_class_path])[-1],
        }
        for task in page.object_list
    ]
    record(
        codes.TASK_LIST,
        actor=request.user,
        object_type="django_tasks_db.dbtaskresult",
        page=page.number,
        count=page.paginator.count,
    )
    return render(
        request,
        "jobs/needs_attention.html",
        {
            "page": page,
            "rows": rows,
            "state": queue_state(request.user),
            "max_attempts": durability.max_attempts(),
        },
    )


@require_POST
@login_required
def retry(request, task_id):
    task = access_parked(request.user, task_id)
    try:
        actions.retry_task(actor=request.user, task=task)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Queued again: %(task)s.") % {"task": task.task_name})
    return redirect("jobs:needs_attention")
