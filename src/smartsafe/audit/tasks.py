"""Background jobs of the audit log."""

import logging

from django.utils import translation
from django_tasks import task

from . import checkpoints
from .sealing import seal_pending
from .verify import verify_chain

log = logging.getLogger("smartsafe.audit")


@task()
def verify_audit_chain() -> dict:
    """Nightly check of the whole chain; a broken chain is logged as an error for the operators.

    Writes no audit event: the check only reads, and the log line is what operators alert on.
    """
    result = verify_chain()
    if result.ok:
        log.info(
            "audit chain intact: %s events, head #%s:%s", result.count, result.last_sequence, result.last_hash
        )
    else:
        problem = result.problem
        with translation.override("en"):  # operators' log, like manage.py verify_audit
            description = problem.describe()
        log.error("AUDIT CHAIN BROKEN at event #%s (%s): %s", problem.sequence, problem.kind, description)
    return result.as_details()


@task()
def seal_audit_events() -> int:
    """Seal whatever a request could not seal right after its commit (scheduled every 30 s)."""
    return seal_pending()


@task()
def write_audit_checkpoint() -> dict:
    """Write a signed checkpoint of the chain head outside the database (scheduled hourly)."""
    checkpoint = checkpoints.write()
    return {"sequence": checkpoint.sequence, "hash": checkpoint.hash} if checkpoint else {}
