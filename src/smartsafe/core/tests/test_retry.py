"""A transaction refused for a conflict runs again; anything else, and a nested call, runs once.

On PostgreSQL the refusals are real: the server raises the SQLSTATE itself (a ``DO`` block). On
SQLite the test raises the error the sqlite3 module gives when its write lock stays taken.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection, transaction

from smartsafe.core.retry import retry_on_conflict
from smartsafe.intake.models import Contact
from smartsafe.testing import make_contact


def refuse(state: str = "40001") -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = '{state}'; END $$;")
    else:
        # What the sqlite3 module raises when the write lock stays taken past the busy timeout
        # (our own transaction holds the lock here, so another connection cannot produce it).
        raise OperationalError("database is locked")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("state", ["40001", "40P01"])
def test_a_refused_transaction_runs_again_and_its_first_try_leaves_nothing(counsellor, state):
    attempts = []

    @retry_on_conflict
    @transaction.atomic
    def log_a_call():
        attempts.append(1)
        contact = make_contact(counsellor, summary=f"try {len(attempts)}")
        if len(attempts) == 1:
            refuse(state)
        return contact

    contact = log_a_call()
    assert len(attempts) == 2
    assert list(Contact.objects.values_list("summary", flat=True)) == [contact.summary] == ["try 2"]


@pytest.mark.django_db(transaction=True)
def test_retries_are_bounded(counsellor):
    attempts = []

    @retry_on_conflict(attempts=3)
    @transaction.atomic
    def always_refused():
        attempts.append(1)
        refuse()

    with pytest.raises(OperationalError):
        always_refused()
    assert len(attempts) == 3


@pytest.mark.django_db(transaction=True)
def test_other_errors_and_nested_calls_run_once(counsellor):
    attempts = []

    @retry_on_conflict
    @transaction.atomic
    def broken():
        attempts.append(1)
        raise OperationalError("disk I/O error")

    with pytest.raises(OperationalError):
        broken()
    assert len(attempts) == 1

    @retry_on_conflict
    @transaction.atomic
    def nested():
        attempts.append(1)
        refuse()

    with pytest.raises(OperationalError), transaction.atomic():
        nested()  # the owner of the outer block decides, so no retry here
    assert len(attempts) == 2
