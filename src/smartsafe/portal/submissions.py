"""Reports over the API: accepted at once, registered by a worker a moment later.

A JSON report (one without files) is answered as soon as it is safe: validated by the same forms
as the web pages, then sealed with the evidence vault's key into one ``ReportSubmission`` row and
its registration queued, in one transaction. The reporter gets their reference and secret when
that commits; from then on the report cannot be lost — a worker that dies mid-way leaves the row
and its task, which the next worker runs again (docs/decisions/0010-reports-accepted-then-registered.md).

Registering is what filing always did (``actions.file_report``: the contact, the report, its
artefacts, the audit event, the statistics marker), under the reference the reporter already
holds, with the contact dated when the report was accepted; the row is deleted in the same
transaction, so running the task twice registers the report once.

Reports with files are filed in the request as before: the files go straight into the vault.
"""

from __future__ import annotations

import json

from django.db import IntegrityError, transaction
from django_tasks import task

from smartsafe.core.retry import retry_on_conflict

from . import actions, files, tokens
from .models import PublicReport, ReportSubmission


def _free_reference() -> str:
    """A reference no report holds; a submission holding it is refused by the unique index."""
    for _attempt in range(10):
        reference = tokens.new_reference()
        if not PublicReport.objects.filter(reference=reference).exists():
            return reference
    raise RuntimeError("Could not draw a free report reference.")


@retry_on_conflict
def accept(
    *, answers: dict, via: str = "api", reporter_contact: str = "", reporter_name: str = ""
) -> actions.Receipt:
    """Keep the report sealed and queue its registration; the receipt the reporter gets."""
    secret = tokens.new_secret()
    content = json.dumps(
        {
            "answers": answers,
            "via": via,
            "reporter_contact": reporter_contact[:200],
            "reporter_name": reporter_name[:150],
        },
        ensure_ascii=False,
    ).encode()
    for _attempt in range(10):
        try:
            with transaction.atomic():
                submission = actions.keep_submission(
                    reference=_free_reference(),
                    secret_hash=tokens.hash_secret(secret),
                    sealed=files.seal(content),
                )
                register.enqueue(submission.pk)
            return actions.Receipt(reference=submission.reference, secret=secret)
        except IntegrityError:
            continue  # the reference was drawn by another submission at the same moment
    raise RuntimeError("Could not draw a free report reference.")


@task()
def register(submission_id: int) -> dict:
    """Register one accepted report; safe to run twice."""
    reference = _register(submission_id)
    return {"registered": reference} if reference else {"skipped": "already registered"}


@retry_on_conflict
@transaction.atomic
def _register(submission_id: int) -> str | None:
    # Locked, so two workers given the same task (a lease that expired) register it once.
    submission = ReportSubmission.objects.select_for_update().filter(pk=submission_id).first()
    if submission is None:
        return None
    content = json.loads(files.unseal(submission))
    report = actions.file_report(
        answers=content["answers"],
        via=content.get("via", "api"),
        reporter_contact=content.get("reporter_contact", ""),
        reporter_name=content.get("reporter_name", ""),
        reference=submission.reference,
        secret_hash=submission.secret_hash,
        received_at=submission.received_at,
        fixed_reference=True,
    )
    actions.discard_submission(submission)
    return report.reference


def pending(reference: str, secret: str) -> ReportSubmission | None:
    """The accepted, not yet registered report with this reference and secret (or None)."""
    canonical = tokens.normalize_reference(reference)
    submission = ReportSubmission.objects.filter(reference=canonical).first() if canonical else None
    if not tokens.secret_matches(secret, submission.secret_hash if submission else None):
        return None
    return submission
