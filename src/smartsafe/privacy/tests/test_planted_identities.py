"""Planted identities: after messenger webhooks are taken in and processed by a worker, the
sender's id and phone number are nowhere in the database in clear (only their keyed hash), the
sender's name and the message text are only in their home (the stored message and its contact),
and the log output holds none of them.

The scan reads every column of every table (not a list of the tables someone thought of), cast
to text, so a new table that keeps a payload fails it.
"""

from __future__ import annotations

import logging

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from smartsafe.inbox.models import InboundMessage
from smartsafe.inbox.tests.fake_providers import make_account, post, viber_message, whatsapp_event
from smartsafe.jobs.worker import DurableWorker

pytestmark = pytest.mark.django_db

# ASCII on purpose: JSON columns may store other characters as \u escapes.
VIBER_ID = "PlantedViberId7731Q="
PHONE = "381647731992"
NAME = "PlantedNameJovanovic"
TEXT = "planted-text-he-threatens-to-post-photos"
IDENTITIES = (VIBER_ID, PHONE)
CONTENT = (NAME, TEXT)
# Where the name and the words may live: the stored message (its home) and the contact made from it.
HOMES = {"inbox_inboundmessage", "intake_contact", "intake_historicalcontact"}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_queued() -> None:
    worker = DurableWorker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="scan-worker",
        excluded_queue_names=[],
    )
    for _round in range(3):  # a task may queue another one
        for row in DBTaskResult.objects.ready():
            row.claim(worker.worker_id)
            worker.run_task(row)


def find_everywhere(needles) -> dict[tuple[str, str], list[str]]:
    """``{(table, column): [needles found]}`` over every table of the database."""
    found = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                name = column.name
                for needle in needles:
                    cursor.execute(
                        f"SELECT COUNT(*) FROM {quote(table)} WHERE CAST({quote(name)} AS TEXT) LIKE %s",
                        [f"%{needle}%"],
                    )
                    if cursor.fetchone()[0]:
                        found.setdefault((table, name), []).append(needle)
    return found


@override_settings(TASKS=DATABASE_QUEUE)
def test_no_planted_identity_outside_its_home(client, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    viber, whatsapp = make_account("viber"), make_account("whatsapp")
    delivery = viber_message(9_001, VIBER_ID, text=TEXT)
    delivery["sender"]["name"] = NAME
    assert post(client, viber, delivery).status_code == 200
    event = whatsapp_event("wamid.PLANTED1", PHONE, text=TEXT)
    event["entry"][0]["changes"][0]["value"]["contacts"][0]["profile"]["name"] = NAME
    assert post(client, whatsapp, event).status_code == 200
    run_queued()
    # The messages arrived where they belong (else the scan below would prove nothing).
    assert InboundMessage.objects.filter(text_body=TEXT).count() == 2

    found = find_everywhere(IDENTITIES + CONTENT)
    identities = {place: hits for place, hits in found.items() if set(hits) & set(IDENTITIES)}
    assert not identities, f"sender ids or numbers stored in clear: {identities}"
    outside = {place: hits for place, hits in found.items() if place[0] not in HOMES}
    assert not outside, f"names or message text outside their home: {outside}"

    out, err = capfd.readouterr()
    logged = "\n".join(record.getMessage() for record in caplog.records) + out + err
    for needle in IDENTITIES + CONTENT:
        assert needle not in logged, f"{needle} in the log output"
