"""Every write to contacts. Each action audits itself in the same transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.core.concurrency import lock_for_update
from smartsafe.core.retry import retry_on_conflict
from smartsafe.inbox import live

from . import states
from .models import Contact, ContactState, NonDataKind
from .permissions import can_assign_contact, can_log_contacts

# Fields a counsellor may set when logging or editing a contact.
EDITABLE_FIELDS = (
    "channel",
    "received_at",
    "ended_at",
    "duration_seconds",
    "reporter_type",
    "language",
    "subject",
    "summary",
    "advice_given",
    "urgent",
    "reporter_name",
    "reporter_contact",
)


def _require_logger(actor) -> None:
    if not can_log_contacts(actor):
        raise PermissionDenied(_("Your role may not log or change contacts."))


def _apply(contact: Contact, fields: dict) -> list[str]:
    changed = []
    for name, value in fields.items():
        if name not in EDITABLE_FIELDS:
            raise ValidationError({name: _("This field cannot be set here.")})
        if getattr(contact, name) != value:
            setattr(contact, name, value)
            changed.append(name)
    if contact.ended_at and contact.received_at and contact.ended_at < contact.received_at:
        raise ValidationError({"ended_at": _("The end cannot be before the start.")})
    if contact.ended_at and contact.received_at and not contact.duration_seconds:
        contact.duration_seconds = int((contact.ended_at - contact.received_at).total_seconds())
    return changed


def _enter(contact: Contact, action: str, at: dt.datetime) -> None:
    contact.state = states.target_state(action, contact.state)
    setattr(contact, states.STAGE_TIMESTAMP[contact.state], at)


@retry_on_conflict
@transaction.atomic
def log_contact(
    *, actor, channel, topics=(), close: bool = False, sender_hash: str = "", sender_hint: str = "", **fields
) -> Contact:
    """A counsellor logs a contact (a call, an e-mail they answered, a walk-in visit).

    ``close=True`` records a contact that needed one answer only: it is born closed.
    ``sender_hash``/``sender_hint``: the caller's pseudonymised number, when the exchange gave it
    (inbox.actions.telephony.log_call), so the caller is recognised when they call again.
    """
    _require_logger(actor)
    contact = Contact(
        channel=channel, created_by=actor, assigned_to=actor, sender_hash=sender_hash, sender_hint=sender_hint
    )
    _apply(contact, fields)
    if close:
        _enter(contact, "close", timezone.now())
    contact.save()
    contact.topics.set(topics)
    record(
        codes.CONTACT_CREATE,
        actor=actor,
        obj=contact,
        channel=channel.code,
        state=contact.state,
        urgent=contact.urgent,
    )
    return contact


@retry_on_conflict
@transaction.atomic
def log_non_data_contact(*, actor, channel, kind: str, received_at=None) -> Contact:
    """One click: a silent call, hang-up, prank or wrong number. Counted, closed, no content."""
    _require_logger(actor)
    if kind not in NonDataKind.values:
        raise ValidationError({"non_data_kind": _("Unknown kind of non-data contact.")})
    now = timezone.now()
    contact = Contact(
        channel=channel,
        non_data_kind=kind,
        received_at=received_at or now,
        created_by=actor,
        state=ContactState.CLOSED,
        closed_at=now,
    )
    contact.save()
    record(codes.CONTACT_CREATE, actor=actor, obj=contact, channel=channel.code, non_data=kind)
    return contact


# No savepoint of its own when nested: a caller that must survive a failure here (a duplicate
# delivery) wraps the call in its own atomic block, as the inbox's store functions do.
@retry_on_conflict
@transaction.atomic(savepoint=False)
def receive_contact(*, channel, topics=(), external_id: str = "", **fields) -> tuple[Contact, bool]:
    """A contact arriving by itself (web form, e-mail, messenger). Idempotent by ``external_id``.

    Returns ``(contact, created)``; a retried delivery returns the existing contact.
    """
    if external_id:
        existing = Contact.objects.filter(channel=channel, external_id=external_id).first()
        if existing:
            return existing, False
    contact = Contact(channel=channel, external_id=external_id)
    extra = {
        k: fields.pop(k)
        for k in ("sender_hash", "sender_hint", "subject_template", "subject_args")
        if k in fields
    }
    _apply(contact, fields)
    for name, value in extra.items():
        setattr(contact, name, value)
    contact.save()
    if topics:
        contact.topics.add(*topics)  # a new contact has none yet: nothing to compare with
    record(codes.CONTACT_RECEIVE, obj=contact, channel=channel.code, urgent=contact.urgent)
    _announce(contact)
    return contact, True


def _announce(contact: Contact) -> None:
    """Open inboxes refresh when a contact arrives (after commit; never fails the write)."""
    live.contact_changed(contact)


def set_summary(contact: Contact, summary: str) -> None:
    """Replace the summary of a contact that has just arrived, inside the transaction that received
    it: the public portal knows the summary's last facts (files kept, the reference) only after the
    contact exists. No audit event of its own: the arrival's and the portal's events cover it."""
    contact.summary = summary
    contact.save(update_fields=["summary"])


@transaction.atomic
def update_contact(
    *, actor, contact: Contact, expected_version: int | None, topics=None, **fields
) -> Contact:
    _require_logger(actor)
    contact = lock_for_update(Contact.objects.all(), contact.pk, expected_version=expected_version)
    if contact.is_non_data:
        raise ValidationError(_("A non-data contact has no details to edit."))
    if contact.subject_template and "subject" in fields:
        # The form showed the generated subject in the editor's language: kept unless rewritten.
        if fields["subject"] == contact.display_subject:
            del fields["subject"]
        else:
            contact.subject_template, contact.subject_args = "", {}
    changed = _apply(contact, fields)
    if topics is not None:
        before = set(contact.topics.values_list("pk", flat=True))
        after = {t.pk for t in topics}
        if before != after:
            contact.topics.set(topics)
            changed.append("topics")
    if changed:
        contact.save()
        record(codes.CONTACT_UPDATE, actor=actor, obj=contact, fields=sorted(changed))
    return contact


@transaction.atomic
def triage_contact(*, actor, contact: Contact, expected_version: int | None = None, **fields) -> Contact:
    _require_logger(actor)
    topics = fields.pop("topics", None)
    contact = update_contact(
        actor=actor, contact=contact, expected_version=expected_version, topics=topics, **fields
    )
    contact = lock_for_update(Contact.objects.all(), contact.pk)
    _enter(contact, "triage", timezone.now())
    contact.save()
    record(codes.CONTACT_TRIAGE, actor=actor, obj=contact)
    return contact


@transaction.atomic
def close_contact(*, actor, contact: Contact, expected_version: int | None = None) -> Contact:
    _require_logger(actor)
    contact = lock_for_update(Contact.objects.all(), contact.pk, expected_version=expected_version)
    _enter(contact, "close", timezone.now())
    contact.save()
    record(codes.CONTACT_CLOSE, actor=actor, obj=contact)
    return contact


def mark_linked(contact: Contact, *, case, actor) -> None:
    """Attach ``contact`` to ``case``. Called by cases.actions inside its own transaction."""
    contact = lock_for_update(Contact.objects.all(), contact.pk)
    if contact.case_id and contact.case_id != case.pk:
        raise ValidationError(
            _("Contact %(ref)s already belongs to case %(case)s.")
            % {"ref": contact.reference, "case": contact.case.reference}
        )
    _enter(contact, "link", timezone.now())
    contact.case = case
    contact.save()
    record(codes.CONTACT_LINK, actor=actor, obj=contact, case=case.reference)


@transaction.atomic
def mark_urgent(contact: Contact, *, reason: str, actor=None) -> Contact:
    """Flag ``contact`` urgent for a reason found by the platform (e.g. a file matched a list of
    known abuse material), so it jumps every queue. No-op when it is urgent already."""
    contact = lock_for_update(Contact.objects.all(), contact.pk)
    if not contact.urgent:
        contact.urgent = True
        contact.save()
        record(codes.CONTACT_UPDATE, actor=actor, obj=contact, fields=["urgent"], reason=reason[:300])
        _announce(contact)  # after commit
    return contact


@transaction.atomic
def assign_contact(*, actor, contact: Contact, assignee) -> Contact:
    if not can_assign_contact(actor, contact, assignee):
        raise PermissionDenied(_("You may not assign this contact."))
    contact = lock_for_update(Contact.objects.all(), contact.pk)
    contact.assigned_to = assignee
    contact.save()
    record(
        codes.CONTACT_ASSIGN, actor=actor, obj=contact, assignee=assignee.get_username() if assignee else None
    )
    return contact
