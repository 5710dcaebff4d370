"""Background jobs of the audit log."""

import logging

from django_tasks import task

log = logging.getLogger("smartsafe.audit")


@task()
def verify_audit_chain() -> dict:
    """Nightly check of the whole chain; a broken chain is logged as an error for the operators."""
    from .verify import verify_chain

    result = verify_chain()
    if result.ok:
        log.info("audit chain intact: %s events", result.checked)
    else:
        log.error("AUDIT CHAIN BROKEN at event %s: %s", result.first_bad_sequence, result.problem)
    return {"ok": result.ok, "checked": result.checked}
