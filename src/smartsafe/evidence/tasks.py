"""Background jobs of the evidence vault."""

from __future__ import annotations

import logging

from django_tasks import task

from . import actions, queries, scanning, sweeper

log = logging.getLogger("smartsafe.evidence")


@task()
def match_file_task(file_id: int) -> dict:
    """Compare a newly stored file with the vault and the hash lists (queued when it is stored)."""
    file = queries.file_to_match(file_id)
    if file is None:  # its transaction was rolled back after all
        return {"matched": 0}
    return {"matched": len(actions.match_file(file))}


@task()
def link_pending_duplicates() -> dict:
    """Compare the files not yet compared, and link cases whose files match but which had no case
    when the later file arrived.

    Matching is queued when a file is stored; this catches a file whose task was lost (a process
    that died between commit and queueing). A reporter's files arrive on a contact; when a
    counsellor later links that contact to a case, this job (and
    ``actions.link_contact_duplicates``, for callers that can) links the cases.
    """
    matched = 0
    for file in queries.files_never_matched():
        matched += len(actions.match_file(file))
    linked = 0
    for file in queries.files_with_duplicates():
        linked += len(actions.link_duplicate_cases(file))
    return {"linked": linked, "matched": matched}


@task()
def sweep_orphans() -> dict:
    """Remove stored ciphertext that no file refers to (left by rolled-back transactions)."""
    return sweeper.sweep(dry_run=False).summary()


@task()
def rescan_unscanned() -> dict:
    """Scan files stored while the scanner was unreachable (when a scanner is configured)."""
    if not scanning.configured():
        return {"scanned": 0}
    results: dict[str, int] = {}
    for file in queries.files_to_rescan():
        try:
            status = actions.rescan_file(file)
        except actions.FileUnavailable as exc:
            log.error("evidence E-%s not rescanned: %s", file.pk, exc)
            continue
        results[status] = results.get(status, 0) + 1
    return results
