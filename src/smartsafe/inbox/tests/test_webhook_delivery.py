"""A verified webhook is kept as an encrypted record and the queue carries only its id; the task
that processes it is safe to run twice and keeps the record until every message is stored."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from smartsafe.inbox import messenger
from smartsafe.inbox.actions import messenger as messenger_actions
from smartsafe.inbox.models import InboundMessage, WebhookDelivery
from smartsafe.jobs.worker import DurableWorker

from .fake_providers import make_account, post, viber_message

pytestmark = pytest.mark.django_db

TEXT = "Neko mi preti i traži slike"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_queued() -> list[DBTaskResult]:
    """What a worker does with every ready task, in this process."""
    worker = DurableWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    done = []
    for row in DBTaskResult.objects.ready():
        row.claim(worker.worker_id)
        worker.run_task(row)
        done.append(DBTaskResult.objects.get(pk=row.pk))
    return done


@pytest.fixture
def viber():
    return make_account("viber")


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_queue_holds_an_id_and_the_record_is_encrypted(client, viber):
    assert post(client, viber, viber_message(501, text=TEXT)).status_code == 200
    (task,) = DBTaskResult.objects.all()
    (delivery,) = WebhookDelivery.objects.all()
    assert task.task_path == "smartsafe.inbox.messenger.process_delivery"
    assert task.args_kwargs == {"args": [delivery.pk], "kwargs": {}}
    assert "preti" not in delivery.sealed_body
    assert not InboundMessage.objects.exists(), "stored by the worker, not in the request"

    (done,) = run_queued()
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert InboundMessage.objects.get().text_body == TEXT
    assert not WebhookDelivery.objects.exists(), "nothing of the child's words is kept twice"


@override_settings(TASKS=DATABASE_QUEUE)
def test_running_a_delivery_twice_stores_one_message(client, viber):
    post(client, viber, viber_message(502, text=TEXT))
    delivery = WebhookDelivery.objects.get()
    first = messenger.process_delivery.call(delivery.pk)
    again = messenger.process_delivery.call(delivery.pk)  # a worker lost after storing, then rerun
    assert first["stored"] == 1 and again == {"skipped": ["already_processed"]}
    # The provider sending the same message again is a new delivery and a duplicate message.
    post(client, viber, viber_message(502, text=TEXT))
    assert messenger.process_delivery.call(WebhookDelivery.objects.get().pk)["duplicates"] == 1
    assert InboundMessage.objects.count() == 1


@override_settings(TASKS=DATABASE_QUEUE, SMARTSAFE_TASK_RETRY_SECONDS=0)
def test_a_message_that_cannot_be_stored_keeps_the_delivery_for_a_retry(client, viber, monkeypatch):
    post(client, viber, viber_message(503, text=TEXT))
    real_store, calls = messenger_actions._store, []

    def store_fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return real_store(*args, **kwargs)

    monkeypatch.setattr(messenger_actions, "_store", store_fails_once)
    (failed,) = run_queued()
    assert failed.status == TaskResultStatus.READY, "queued again, not dropped"
    assert "MessagesNotStored" in failed.exception_class_path
    assert WebhookDelivery.objects.exists() and not InboundMessage.objects.exists()
    (done,) = run_queued()
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert InboundMessage.objects.count() == 1 and not WebhookDelivery.objects.exists()
