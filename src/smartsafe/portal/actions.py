"""Every write of the public portal: drafts, filing a report, adding to it later.

Filing creates a web-form contact through ``intake.actions.receive_contact`` (urgent when a child
is in danger now), hands the files to the evidence vault on that contact, keeps the online
artefacts normalised for the counsellors, and audits ``portal.report`` — all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases import actions as case_actions
from smartsafe.cases.artefacts import ArtefactError, identity, platform_of
from smartsafe.core.retry import retry_on_conflict
from smartsafe.evidence.validation import EvidenceRejected
from smartsafe.intake import titles
from smartsafe.intake.actions import receive_contact, set_summary
from smartsafe.taxonomy import cache as taxonomy_cache
from smartsafe.taxonomy.models import Category, Channel, Platform, ReporterType

from . import answers as report_answers
from . import completeness, files, tokens
from .forms import REPORTER_TYPE_CODES, person_identity, person_kind
from .models import DraftFile, PublicReport, ReportAddition, ReportArtefact, ReportDraft, ReportSubmission

WEB_FORM_CHANNEL = "web_form"
_LANGUAGES = {"sr": "sr", "sr-latn": "sr", "en": "en"}


@dataclass(frozen=True)
class Receipt:
    reference: str
    secret: str


# --- drafts -------------------------------------------------------------------------------------


def purge_expired_drafts() -> int:
    cutoff = timezone.now() - dt.timedelta(hours=settings.SMARTSAFE_PORTAL_DRAFT_HOURS)
    deleted, _rows = ReportDraft.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


def new_draft() -> ReportDraft:
    # Expired drafts are purged on a schedule, not here: visitors starting at once would all delete
    # the same expired rows and queue behind each other's locks.
    return ReportDraft.objects.create(token=secrets.token_urlsafe(32))


def save_step(draft: ReportDraft, step: str, values: dict) -> None:
    draft.data = {**draft.data, step: values}
    draft.updated_at = timezone.now()
    draft.save(update_fields=["data", "updated_at"])


def add_draft_file(draft: ReportDraft, *, name: str, data: bytes) -> DraftFile:
    sealed = files.seal(data)
    draft.updated_at = timezone.now()
    draft.save(update_fields=["updated_at"])
    return DraftFile.objects.create(draft=draft, name=name, size=len(data), **sealed)


def remove_draft_file(draft: ReportDraft, file_id) -> None:
    DraftFile.objects.filter(draft=draft, pk=file_id).delete()


def discard_draft(draft: ReportDraft) -> None:
    draft.delete()


# An addition draft is an ordinary draft that says which report it adds to, so it is purged like
# any other; the view finds it only through the visitor's session and the report's reference.
ADDITION_STEP = "addition"


def new_addition_draft(report: PublicReport) -> ReportDraft:
    draft = new_draft()
    save_step(draft, ADDITION_STEP, {"report": report.reference})
    return draft


# --- filing -------------------------------------------------------------------------------------


def fake_receipt() -> Receipt:
    """What a bot that filled the honeypot sees: a receipt like any other, for nothing stored."""
    return Receipt(reference=tokens.new_reference(), secret=tokens.new_secret())


def _store_files(contact, named_files, via: str) -> int:
    stored = 0
    for name, data in named_files:
        try:
            with transaction.atomic():
                files.store(contact=contact, name=name, data=data, via=via)
        except EvidenceRejected:
            continue  # refused by the vault on arrival (e.g. a virus scan): not kept, not counted
        stored += 1
    return stored


def _create_report(*, reference: str, fixed: bool = False, **fields) -> PublicReport:
    """The report under ``reference``, or under a fresh one if that is taken (very rarely) —
    also by a submission still being registered. A ``fixed`` reference is the reporter's already:
    it is never swapped (``submissions.accept`` made sure no report holds it)."""
    for _attempt in range(10):
        if not fixed and ReportSubmission.objects.filter(reference=reference).exists():
            reference = tokens.new_reference()
            continue
        try:
            with transaction.atomic():
                return PublicReport.objects.create(reference=reference, **fields)
        except IntegrityError:
            if fixed:
                raise
            reference = tokens.new_reference()  # already taken: draw another
    raise RuntimeError("Could not draw a free report reference.")


def _artefacts(report: PublicReport, answers: dict) -> None:
    chosen = answers.get("platforms") or []
    single = chosen[0] if len(chosen) == 1 else None
    rows, seen = [], set()
    for kind, value in [("url", url) for url in answers.get("urls", [])] + [
        (person_kind(person), person) for person in answers.get("people", [])
    ]:
        try:
            normalized = identity("url", value) if kind == "url" else person_identity(value, single)
        except ArtefactError:
            continue  # the form refused these already; the API shares the form
        if (kind, normalized) in seen:
            continue
        seen.add((kind, normalized))
        code = platform_of(normalized) or (single if kind != "url" else None)
        rows.append(
            ReportArtefact(
                report=report,
                kind=kind,
                value=value[:500],
                normalized=normalized,
                platform=taxonomy_cache.by_code(Platform, code),
            )
        )
    ReportArtefact.objects.bulk_create(rows)


@retry_on_conflict
@transaction.atomic
def submit_report(
    *, answers: dict, named_files=(), via: str = "web", reporter_contact: str = "", reporter_name: str = ""
) -> Receipt:
    """File a report. ``answers``: from ``answers.build``; ``named_files``: ``(name, bytes)`` pairs
    that passed ``files.read``. Returns the receipt; the secret exists only in it."""
    secret = tokens.new_secret()
    report = file_report(
        answers=answers,
        named_files=named_files,
        via=via,
        reporter_contact=reporter_contact,
        reporter_name=reporter_name,
        reference=tokens.new_reference(),
        secret_hash=tokens.hash_secret(secret),
    )
    return Receipt(reference=report.reference, secret=secret)


def file_report(
    *,
    answers: dict,
    reference: str,
    secret_hash: str,
    named_files=(),
    via: str = "web",
    reporter_contact: str = "",
    reporter_name: str = "",
    received_at: dt.datetime | None = None,
    fixed_reference: bool = False,
) -> PublicReport:
    """The contact, its files, the report and its artefacts, audited; inside the caller's
    transaction. ``fixed_reference``: the reporter already holds ``reference`` (an accepted API
    submission), so it is never swapped for another."""
    category_code = answers.get("category") or completeness.OTHER
    category = taxonomy_cache.by_code(Category, category_code)
    if not completeness.allows_files(category_code):
        named_files = ()  # never keep a file for csam, whatever was sent
    named_files = list(named_files)
    reporter_type = taxonomy_cache.by_code(ReporterType, REPORTER_TYPE_CODES.get(answers.get("reporter"), ""))
    urgent = answers.get("in_danger") == "yes"
    channel = taxonomy_cache.by_code(Channel, WEB_FORM_CHANNEL)
    # The contact's summary names the report's reference and its files: drawn and counted first,
    # so the contact is written once (it is rewritten only if a file is refused or the reference
    # turns out to be taken).
    expected_summary = report_answers.summary(answers, file_count=len(named_files), reference=reference)
    contact, _created = receive_contact(
        channel=channel,
        topics=[category] if category else [],
        urgent=urgent,
        subject=titles.stored(titles.WEB_REPORT, {"category": category_code}),
        subject_template=titles.WEB_REPORT,
        subject_args={"category": category_code},
        summary=expected_summary,
        reporter_type=reporter_type,
        reporter_contact=reporter_contact[:200],
        reporter_name=reporter_name[:150],
        language=_LANGUAGES.get(answers.get("language", ""), "sr"),
        **({"received_at": received_at} if received_at else {}),
    )
    stored = _store_files(contact, named_files, via)
    scored = completeness.score(answers, stored)
    report = _create_report(
        reference=reference,
        fixed=fixed_reference,
        secret_hash=secret_hash,
        contact=contact,
        category=category,
        answers=answers,
        completeness=scored.score,
        missing=scored.missing,
        file_count=stored,
        urgent=urgent,
        via=via,
    )
    if stored != len(named_files) or report.reference != reference:
        set_summary(contact, report_answers.summary(answers, file_count=stored, reference=report.reference))
    _artefacts(report, answers)
    record(
        codes.PORTAL_REPORT,
        obj=report,
        contact=contact.reference,
        category=category_code,
        urgent=urgent,
        completeness=scored.score,
        files=stored,
        via=via,
    )
    return report


@retry_on_conflict
@transaction.atomic
def add_information(
    *,
    report: PublicReport,
    text: str,
    named_files=(),
    urgent: bool = False,
    via: str = "web",
    draft: ReportDraft | None = None,
) -> ReportAddition:
    """The reporter adds words or files later: a new web-form contact that lands on the case of
    the first report when there is an open one (else it waits in the inbox, naming the report).

    ``draft``: an addition draft whose files (kept from an earlier attempt that had an error) are
    sent first, before ``named_files``; it is deleted in the same transaction."""
    report = PublicReport.objects.select_for_update().get(pk=report.pk)  # serialises additions
    category_code = report.category.code if report.category else completeness.OTHER
    kept = []
    if draft is not None:
        # Read under the report's lock: a double submit finds the draft gone and sends its files once.
        draft = ReportDraft.objects.filter(pk=draft.pk).first()
        if draft is not None:
            kept = [(f.name, files.unseal(f)) for f in draft.files.all()]
            draft.delete()
    if not completeness.allows_files(category_code):
        kept, named_files = [], ()
    named_files = kept + list(named_files)
    original = report.contact
    # The first report's case; or a case a counsellor opened from an earlier addition.
    case = original.case or next(
        (
            addition.contact.case
            for addition in report.additions.select_related("contact__case")
            if addition.contact.case_id
        ),
        None,
    )
    contact, _created = receive_contact(
        channel=Channel.objects.get(code=WEB_FORM_CHANNEL),
        topics=[report.category] if report.category else [],
        urgent=urgent,
        subject=titles.stored(titles.REPORT_ADDITION, {"reference": report.reference}),
        subject_template=titles.REPORT_ADDITION,
        subject_args={"reference": report.reference},
        summary="",
        reporter_type=original.reporter_type,
        reporter_contact=original.reporter_contact,
        reporter_name=original.reporter_name,
        language=original.language,
    )
    stored = _store_files(contact, named_files, via)
    with translation.override(settings.LANGUAGE_CODE):
        lines = [text.strip(), ""] if text.strip() else []
        if urgent:
            lines.append(_("The reporter says a child is in danger right now."))
        lines.append(_("Files sent: %(n)d") % {"n": stored})
        lines.append(
            _("Adds to public report %(reference)s (first contact %(contact)s)")
            % {"reference": report.reference, "contact": original.reference}
        )
    set_summary(contact, "\n".join(lines))
    landed = bool(case) and case_actions.link_follow_up_contact(case=case, contact=contact)
    addition = ReportAddition.objects.create(report=report, contact=contact, file_count=stored)
    report.file_count += stored
    scored = completeness.score(report.answers, report.file_count)
    report.completeness, report.missing = scored.score, scored.missing
    report.urgent = report.urgent or urgent
    report.updated_at = timezone.now()
    report.save(update_fields=["file_count", "completeness", "missing", "urgent", "updated_at"])
    record(
        codes.PORTAL_ADDITION,
        obj=report,
        contact=contact.reference,
        case=case.reference if landed else "",
        files=stored,
        urgent=urgent,
        via=via,
    )
    return addition


# --- reports accepted over the API (submissions.py) --------------------------------------------


def keep_submission(*, reference: str, secret_hash: str, sealed: dict) -> ReportSubmission:
    """Keep an accepted API report, sealed, until a worker registers it (in the caller's
    transaction, with the registration's task)."""
    return ReportSubmission.objects.create(reference=reference, secret_hash=secret_hash, **sealed)


def discard_submission(submission: ReportSubmission) -> None:
    """Drop a submission once its report is registered (in the registering transaction)."""
    submission.delete()
