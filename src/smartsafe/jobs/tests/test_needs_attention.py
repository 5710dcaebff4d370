"""The "needs attention" page: who may see it, what it shows (never a task's arguments), the
retry button, and that both are audited."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from smartsafe.audit.models import AuditEvent
from smartsafe.jobs import durability
from smartsafe.jobs.tests.crashtasks import hang_once
from smartsafe.testing import make_user

pytestmark = pytest.mark.django_db

PAGE = reverse("jobs:needs_attention")


@pytest.fixture
def parked():
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        result = hang_once.enqueue("a child's secret message")
    row = DBTaskResult.objects.get(pk=result.id)
    row.worker_ids = ["a", "b", "c", "d", "e"]
    row.save()
    durability._park(row, "the worker e stopped while running attempt 5", row.enqueued_at)
    return row


@pytest.mark.parametrize("role", ["counsellor", "auditor", "liaison"])
def test_other_roles_are_refused(client, role, parked):
    client.force_login(make_user(role))
    assert client.get(PAGE).status_code == 403
    assert client.post(reverse("jobs:retry", args=[parked.pk])).status_code == 403
    assert DBTaskResult.objects.get(pk=parked.pk).status == TaskResultStatus.FAILED


def test_anonymous_is_sent_to_login(client):
    assert client.get(PAGE).status_code == 302


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_the_error_but_not_the_arguments(client, role, parked):
    user = make_user(role)
    client.force_login(user)
    response = client.get(PAGE)
    assert response.status_code == 200
    text = response.content.decode()
    assert "smartsafe.jobs.tests.crashtasks.hang_once" in text
    assert "WorkerLost: the worker e stopped while running attempt 5" in text
    assert "secret message" not in text
    assert AuditEvent.objects.filter(action="task.list", actor=user).exists()


def test_run_again_queues_it_with_fresh_attempts_and_is_audited(client, parked):
    user = make_user("supervisor")
    client.force_login(user)
    response = client.post(reverse("jobs:retry", args=[parked.pk]))
    assert response.status_code == 302
    row = DBTaskResult.objects.get(pk=parked.pk)
    assert row.status == TaskResultStatus.READY and row.worker_ids == []
    assert DBTaskResult.objects.ready().filter(pk=parked.pk).exists()
    event = AuditEvent.objects.get(action="task.retry")
    assert event.actor == user and event.details["attempts"] == 5
    # A second click finds nothing to retry: a clear message, not an error page.
    response = client.post(reverse("jobs:retry", args=[parked.pk]), follow=True)
    assert response.status_code == 404


def test_an_unknown_task_is_404(client):
    client.force_login(make_user("admin"))
    assert (
        client.post(reverse("jobs:retry", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
    )
