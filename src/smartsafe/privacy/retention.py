"""What the retention rules make due, and doing it.

``due(now)`` says, per kind of record, which rows have outlived their policy — never a row of a case
under a legal hold, nor one already emptied. ``apply(actor, dry_run)`` counts them (dry run) or
empties them: free text and personal fields replaced by blanks, row history of those fields
deleted, evidence crypto-shredded through the evidence app, finished task results and expired
sessions deleted. Rows that statistics count are never deleted, so every figure stays the same.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases.models import Artefact, Case, CaseKind, CaseNote, CaseState, TimelineEntry
from smartsafe.evidence.actions import shred_for_retention
from smartsafe.evidence.models import EvidenceFile
from smartsafe.inbox.models import Call, InboundMessage, OutboundMessage
from smartsafe.intake.models import Contact
from smartsafe.portal.models import PublicReport, ReportArtefact
from smartsafe.referrals.models import Referral, ReferralEvent, ReferralMessage

from . import policies
from .models import Anonymised, LegalHold, RetentionPolicy, RetentionRun

#: Failed task results stay this much longer than successful ones: the "needs attention" page
#: lists them until somebody retries or dismisses them.
FAILED_TASK_GRACE = dt.timedelta(days=30)
ANONYMISED_TITLE = "—"


def ensure_policies() -> dict[str, RetentionPolicy]:
    """Every kind has a policy row; missing ones are created with the documented default."""
    existing = {p.kind: p for p in RetentionPolicy.objects.all()}
    for kind in policies.KINDS:
        if kind.code not in existing:
            existing[kind.code], _created = RetentionPolicy.objects.get_or_create(
                kind=kind.code, defaults={"keep_days": kind.default_days}
            )
    return existing


def held_case_ids() -> set[int]:
    return set(LegalHold.objects.filter(lifted_at__isnull=True).values_list("case_id", flat=True))


def _done(kind: str):
    return Anonymised.objects.filter(kind=kind).values("object_id")


def due(now: dt.datetime | None = None) -> dict[str, dict]:
    """Per kind: ``{"querysets": {label: qs}, "cutoff": datetime}`` of what is due now."""
    now = now or timezone.now()
    rules = ensure_policies()
    held = held_case_ids()

    def cutoff(kind: str) -> dt.datetime:
        return now - dt.timedelta(days=rules[kind].keep_days)

    def closed_cases(kind: str, case_kind: str):
        return (
            Case.objects.filter(kind=case_kind, state=CaseState.CLOSED, closed_at__lt=cutoff(kind))
            .exclude(pk__in=held)
            .exclude(pk__in=_done("case"))
        )

    advisory_cases = closed_cases(policies.ADVISORY, CaseKind.ADVISORY)
    referred_cases = closed_cases(policies.REFERRED, CaseKind.REFERRED)
    fresh_contacts = Contact.objects.exclude(pk__in=_done("contact"))
    advisory_cutoff = cutoff(policies.ADVISORY)
    plan = {
        policies.NONDATA_CONTACTS: {
            "contact": fresh_contacts.exclude(non_data_kind="").filter(
                received_at__lt=cutoff(policies.NONDATA_CONTACTS)
            ),
        },
        policies.ADVISORY: {
            "case": advisory_cases,
            "contact": fresh_contacts.filter(non_data_kind="").filter(
                Q(case__in=advisory_cases)
                | Q(
                    case__isnull=True,
                    state="closed",
                    received_at__lt=advisory_cutoff,
                )
            ),
        },
        policies.REFERRED: {
            "case": referred_cases,
            "contact": fresh_contacts.filter(case__in=referred_cases),
        },
        policies.EVIDENCE: {
            "evidence": EvidenceFile.objects.filter(deleted_at__isnull=True)
            .filter(
                Q(case__state=CaseState.CLOSED, case__closed_at__lt=cutoff(policies.EVIDENCE))
                | Q(
                    case__isnull=True,
                    contact__case__state=CaseState.CLOSED,
                    contact__case__closed_at__lt=cutoff(policies.EVIDENCE),
                )
            )
            .exclude(case__in=held)
            .exclude(contact__case__in=held),
        },
        policies.RAW_MESSAGES: {
            "inbound": InboundMessage.objects.filter(received_at__lt=cutoff(policies.RAW_MESSAGES))
            .exclude(pk__in=_done("inbound"))
            .exclude(contact__case__in=held),
            "outbound": OutboundMessage.objects.filter(created_at__lt=cutoff(policies.RAW_MESSAGES))
            .exclude(pk__in=_done("outbound"))
            .exclude(contact__case__in=held)
            .exclude(case__in=held),
        },
        policies.TASK_RESULTS: {
            "task": DBTaskResult.objects.filter(
                Q(status="SUCCESSFUL", finished_at__lt=cutoff(policies.TASK_RESULTS))
                | Q(status="FAILED", finished_at__lt=cutoff(policies.TASK_RESULTS) - FAILED_TASK_GRACE)
            ),
        },
        policies.SESSIONS: {
            "session": Session.objects.filter(expire_date__lt=cutoff(policies.SESSIONS)),
        },
    }
    return {kind: {"querysets": sets, "cutoff": cutoff(kind)} for kind, sets in plan.items()}


def report(now: dt.datetime | None = None) -> dict:
    """The dry-run figures: how many rows of each kind are due, and how many cases are held."""
    plan = due(now)
    counts = {
        kind: {label: qs.count() for label, qs in entry["querysets"].items()} for kind, entry in plan.items()
    }
    return {
        "counts": counts,
        "held": len(held_case_ids()),
        "cutoffs": {k: v["cutoff"] for k, v in plan.items()},
    }


def apply(*, actor=None, dry_run: bool = True, now: dt.datetime | None = None) -> RetentionRun:
    """Count (``dry_run``) or carry out what is due; either way one audited ``RetentionRun``."""
    figures = report(now)
    if not dry_run:
        # Every id first: emptying a case marks it done, which would hide its contacts.
        work = [
            (label, list(qs.values_list("pk", flat=True)))
            for entry in due(now).values()
            for label, qs in entry["querysets"].items()
        ]
        for label, ids in work:
            if ids:
                EMPTY[label](ids)
    run = RetentionRun.objects.create(
        dry_run=dry_run, counts=figures["counts"], held=figures["held"], actor=actor
    )
    record(
        codes.RETENTION_DRY_RUN if dry_run else codes.RETENTION_APPLY,
        actor=actor,
        obj=run,
        counts=figures["counts"],
        held=figures["held"],
    )
    return run


# --- emptying one kind of row -----------------------------------------------------------------------


def _mark(kind: str, ids) -> None:
    Anonymised.objects.bulk_create([Anonymised(kind=kind, object_id=i) for i in ids], ignore_conflicts=True)


def _chunks(ids, size=500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


@transaction.atomic
def anonymise_contacts(ids) -> None:
    for chunk in _chunks(list(ids)):
        Contact.objects.filter(pk__in=chunk).update(
            subject="",
            summary="",
            advice_given="",
            reporter_name="",
            reporter_contact="",
            sender_hash="",
            sender_hint="",
            external_id="",
            search_text="",
        )
        # Row history keeps every earlier value of those fields: it goes with them.
        Contact.history.filter(id__in=chunk).delete()
        reports = PublicReport.objects.filter(contact_id__in=chunk)
        ReportArtefact.objects.filter(report__in=reports).delete()
        reports.update(answers={})
        InboundMessage.objects.filter(contact_id__in=chunk).update(**_INBOUND_EMPTY)
        # The caller's keyed hash would still recognise them on their next call.
        Call.objects.filter(contact_id__in=chunk).update(caller_hash="", caller_hint="")
        _mark("contact", chunk)


@transaction.atomic
def anonymise_cases(ids) -> None:
    for chunk in _chunks(list(ids)):
        Case.objects.filter(pk__in=chunk).update(
            title=ANONYMISED_TITLE, summary="", urgent_reason="", resolution_note="", search_text=""
        )
        Case.history.filter(id__in=chunk).delete()
        CaseNote.objects.filter(case_id__in=chunk).delete()
        Artefact.objects.filter(case_id__in=chunk).delete()
        # The timeline keeps when things happened (response times), not what was written.
        TimelineEntry.objects.filter(case_id__in=chunk).update(data={})
        referrals = Referral.objects.filter(case_id__in=chunk)
        ReferralMessage.objects.filter(referral__in=referrals).update(body="")
        ReferralEvent.objects.filter(referral__in=referrals).update(note="")
        referrals.update(
            reason="", feedback="", rejection_reason="", revoke_reason="", delivery_error="", packet={}
        )
        Referral.history.filter(case_id__in=chunk).delete()
        _mark("case", chunk)


_INBOUND_EMPTY = {
    "headers": {},
    "from_address": "",
    "from_name": "",
    "reply_to": "",
    "to_addresses": "",
    "sender_hash": "",
    "subject": "",
    "text_body": "",
    "html_body": "",
    "attachments": [],
    "forwarded": [],
}


@transaction.atomic
def anonymise_inbound(ids) -> None:
    for chunk in _chunks(list(ids)):
        InboundMessage.objects.filter(pk__in=chunk).update(**_INBOUND_EMPTY)
        _mark("inbound", chunk)


@transaction.atomic
def anonymise_outbound(ids) -> None:
    for chunk in _chunks(list(ids)):
        OutboundMessage.objects.filter(pk__in=chunk).update(
            headers={}, to_address="", subject="", text_body="", error=""
        )
        _mark("outbound", chunk)


def shred_evidence(ids) -> None:
    for file in EvidenceFile.objects.filter(pk__in=ids, deleted_at__isnull=True):
        shred_for_retention(file=file)


def delete_task_results(ids) -> None:
    for chunk in _chunks(list(ids)):
        DBTaskResult.objects.filter(pk__in=chunk).delete()


def delete_sessions(keys) -> None:
    for chunk in _chunks(list(keys)):
        Session.objects.filter(pk__in=chunk).delete()


EMPTY = {
    "contact": anonymise_contacts,
    "case": anonymise_cases,
    "inbound": anonymise_inbound,
    "outbound": anonymise_outbound,
    "evidence": shred_evidence,
    "task": delete_task_results,
    "session": delete_sessions,
}
