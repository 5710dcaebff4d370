"""Appends from parallel threads, each on its own connection, stay one contiguous, valid chain.

Runs on both engines: on PostgreSQL the chain head's row lock serialises the appends; on SQLite
(a file database in tests, ``BEGIN IMMEDIATE``) the database's write lock does.
"""

import threading

import pytest
from django.db import connection

from smartsafe.audit.log import record
from smartsafe.audit.models import AuditChainHead, AuditEvent
from smartsafe.audit.sealing import seal_pending
from smartsafe.audit.verify import verify_chain

PER_THREAD = 50


@pytest.mark.django_db(transaction=True)
def test_two_threads_appending_keep_the_chain_contiguous(counsellor, other_counsellor):
    errors: list[str] = []
    start = threading.Barrier(2)

    def append(actor):
        try:
            start.wait(timeout=10)
            for i in range(PER_THREAD):
                record("case.view", actor=actor, object_type="cases.case", object_id=i)
        except Exception as exc:  # surfaced in the assertion below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(user,)) for user in (counsellor, other_counsellor)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    # A thread's seal gives up when the other holds the head (``wait=False``), so its last events
    # may still be pending here; every reader of the whole chain seals first, and so does this one.
    seal_pending()
    assert not AuditEvent.objects.filter(sequence__isnull=True).exists()
    sequences = list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, 2 * PER_THREAD + 1))
    per_actor = {
        user.pk: AuditEvent.objects.filter(actor_id=user.pk).count()
        for user in (counsellor, other_counsellor)
    }
    assert per_actor == {counsellor.pk: PER_THREAD, other_counsellor.pk: PER_THREAD}
    assert AuditChainHead.objects.get().sequence == 2 * PER_THREAD
    result = verify_chain()
    assert result.ok, result.problem and result.problem.describe()
    assert result.count == 2 * PER_THREAD


@pytest.mark.django_db(transaction=True)
def test_first_appends_race_to_create_the_head():
    """No head row yet: both threads try to create it; get_or_create settles it without a gap."""
    assert not AuditChainHead.objects.exists()
    errors: list[str] = []
    start = threading.Barrier(2)

    def append():
        try:
            start.wait(timeout=10)
            for _ in range(5):
                record("auth.login")
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=append) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert verify_chain().count == 10
