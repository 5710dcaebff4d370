"""Finding everything the centre holds about one person, and the dossier that answers them.

A person is found by what they can prove is theirs: an e-mail address, a phone number, a
messenger identity (the messenger and its user id) or the reference of a report they filed. The
platform keeps most identities only as keyed hashes (``SMARTSAFE_PSEUDONYM_KEY``), so the search
hashes what the officer types the same way intake did and compares hashes; the address or number
itself is compared only with what the reporter typed into a form (``reporter_contact``).

Identities recorded as *artefacts* of a case (the profiles, numbers and addresses a report is
about — usually the person who harmed the child) are deliberately not searched: access to what a
criminal investigation holds is restricted by law, and the officer answers such a request case by
case with the police (docs/privacy.md).

The dossier holds the person's own contacts with everything written about them, the cases those
contacts belong to (without the contacts of other people in them), to whom each case was
referred, the evidence files (names, sizes, hashes — never the content), and how long each kind
of record is kept. Internal case notes are counted, not copied: they may name third parties, and
the officer reviews them in the case before anything about them is released.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartsafe.cases.artefacts import ArtefactError, normalize_email, normalize_phone
from smartsafe.cases.models import Case, CaseNote
from smartsafe.evidence.models import EvidenceFile
from smartsafe.inbox import conversation, threading
from smartsafe.inbox.models import Call, InboundMessage, OutboundMessage
from smartsafe.inbox.telephony import caller_identity
from smartsafe.intake.models import Contact
from smartsafe.portal.models import PublicReport
from smartsafe.referrals.models import Referral

from . import policies
from .models import LegalHold
from .retention import ensure_policies

EMAIL, PHONE, MESSENGER, REPORT = "email", "phone", "messenger", "report"
IDENTITY_KINDS = [
    (EMAIL, gettext_lazy("E-mail address")),
    (PHONE, gettext_lazy("Phone number")),
    (MESSENGER, gettext_lazy("Messenger identity")),
    (REPORT, gettext_lazy("Report reference")),
]
MESSENGERS = [(kind, kind.capitalize()) for kind in conversation.MESSENGER_KINDS]
#: More contacts than this for one identity means the identity is shared (a school's address):
#: the officer narrows the request instead of exporting a whole institution's history.
MATCH_LIMIT = 500


@dataclass(frozen=True)
class Identity:
    """What the officer typed, checked and normalised. ``hint`` is all that is ever stored."""

    kind: str
    value: str
    messenger: str = ""

    @property
    def hint(self) -> str:
        return ("…" + self.value[-3:]) if len(self.value) > 3 else "…"


def parse_identity(kind: str, value: str, messenger_kind: str = "") -> Identity:
    """An ``Identity`` or a ValidationError on the field that is wrong."""
    value = (value or "").strip()
    if not value:
        raise ValidationError({"value": _("Type the address, number, identity or reference to look for.")})
    if len(value) > 320:
        raise ValidationError({"value": _("That is longer than any address or identity.")})
    try:
        if kind == EMAIL:
            return Identity(EMAIL, normalize_email(value).removeprefix("email:"))
        if kind == PHONE:
            return Identity(PHONE, normalize_phone(value).removeprefix("phone:"))
    except ArtefactError as exc:
        raise ValidationError({"value": str(exc)}) from None
    if kind == MESSENGER:
        if messenger_kind not in conversation.MESSENGER_KINDS:
            raise ValidationError({"messenger": _("Choose the messenger the identity belongs to.")})
        return Identity(MESSENGER, value, messenger_kind)
    if kind == REPORT:
        return Identity(REPORT, value.upper())
    raise ValidationError({"kind": _("Choose what to look for.")})


def matching_contacts(identity: Identity) -> list[int]:
    """Ids of the contacts that belong to ``identity``, oldest first."""
    ids: set[int] = set()
    if identity.kind == EMAIL:
        hashed = threading.sender_hash(identity.value)
        ids |= _ids(
            Contact.objects.filter(Q(sender_hash=hashed) | Q(reporter_contact__iexact=identity.value))
        )
        ids |= _ids(InboundMessage.objects.filter(sender_hash=hashed), "contact_id")
        ids |= _ids(OutboundMessage.objects.filter(to_address__iexact=identity.value), "contact_id")
    elif identity.kind == PHONE:
        caller, _hint = caller_identity(identity.value)
        ids |= _ids(Call.objects.filter(caller_hash=caller), "contact_id")
        # WhatsApp's user id is the number without its plus.
        ids |= _ids(
            Contact.objects.filter(sender_hash=conversation.sender_hash("whatsapp", identity.value[1:]))
        )
        ids |= _phone_typed_into_forms(identity.value)
    elif identity.kind == MESSENGER:
        hashed = conversation.sender_hash(identity.messenger, identity.value)
        ids |= _ids(Contact.objects.filter(sender_hash=hashed))
        ids |= _ids(InboundMessage.objects.filter(sender_hash=hashed), "contact_id")
    elif identity.kind == REPORT:
        ids |= _ids(PublicReport.objects.filter(reference__iexact=identity.value), "contact_id")
    ids.discard(None)
    if len(ids) > MATCH_LIMIT:
        raise ValidationError(
            {
                "value": _(
                    "More than %(limit)d contacts share this identity (an institution's address or "
                    "number?). Ask the person for something only they use."
                )
                % {"limit": MATCH_LIMIT}
            }
        )
    return sorted(ids)


def _ids(queryset, field: str = "pk") -> set:
    return set(queryset.values_list(field, flat=True)[: MATCH_LIMIT + 1])


def _phone_typed_into_forms(number: str) -> set[int]:
    """Contacts whose reporter typed this number in any spelling ("064/111-22-33"): narrowed in the
    database by its last six digits with anything but digits between them, then compared
    normalised. The same regular expression works in SQLite (Python's re) and PostgreSQL."""
    pattern = "[^0-9]*".join(number[-6:])
    found = set()
    candidates = Contact.objects.filter(reporter_contact__regex=pattern).values_list("pk", "reporter_contact")
    for pk, typed in candidates.iterator():
        try:
            if normalize_phone(typed).removeprefix("phone:") == number:
                found.add(pk)
        except ArtefactError:
            continue
    return found


# --- the dossier ----------------------------------------------------------------------------------


def _when(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="minutes") if value else None


def _name(term) -> str:
    return term.name if term is not None else ""


def dossier(contact_ids: list[int], *, identity_kind: str, identity_hint: str) -> dict:
    """Everything about the person whose contacts these are, as plain JSON-ready data."""
    contacts = list(
        Contact.objects.filter(pk__in=contact_ids)
        .select_related("channel", "reporter_type", "case")
        .prefetch_related("topics")
        .order_by("received_at", "pk")
    )
    case_ids = sorted({c.case_id for c in contacts if c.case_id})
    return {
        "generated_at": _when(timezone.now()),
        "identity": {"kind": identity_kind, "hint": identity_hint},
        "contacts": [_contact(c) for c in contacts],
        "cases": [_case(case) for case in _cases(case_ids)],
        "retention": [
            {"records": str(kind.label), "kept_days": rule.keep_days, "counted_from": str(kind.counted_from)}
            for kind, rule in ((k, ensure_policies()[k.code]) for k in policies.KINDS)
        ],
    }


def _contact(contact: Contact) -> dict:
    report = PublicReport.objects.filter(contact=contact).first()
    return {
        "reference": str(contact),
        "channel": _name(contact.channel),
        "received_at": _when(contact.received_at),
        "state": contact.get_state_display(),
        "language": contact.get_language_display(),
        "reporter_type": _name(contact.reporter_type),
        "reporter_name": contact.reporter_name,
        "reporter_contact": contact.reporter_contact,
        "subject": contact.subject,
        "summary": contact.summary,
        "advice_given": contact.advice_given,
        "topics": [t.name for t in contact.topics.all()],
        "urgent": contact.urgent,
        "case": contact.case.reference if contact.case_id else None,
        "report": (
            {"reference": report.reference, "filed_at": _when(report.created_at), "answers": report.answers}
            if report
            else None
        ),
        "messages": _messages(contact),
        "calls": [
            {"rang_at": _when(call.started_at), "talk_seconds": call.duration_seconds}
            for call in Call.objects.filter(contact=contact).order_by("started_at")
        ],
        "evidence": _evidence(EvidenceFile.objects.filter(contact=contact)),
    }


def _messages(contact: Contact) -> list[dict]:
    inbound = [
        {"direction": "received", "at": _when(m.received_at), "subject": m.subject, "text": m.text_body}
        for m in InboundMessage.objects.filter(contact=contact)
    ]
    outbound = [
        {"direction": "sent", "at": _when(m.created_at), "subject": m.subject, "text": m.text_body}
        for m in OutboundMessage.objects.filter(contact=contact)
    ]
    return sorted(inbound + outbound, key=lambda m: m["at"] or "")


def _evidence(files) -> list[dict]:
    return [
        {
            "file": f.filename,
            "received_at": _when(f.received_at),
            "size": f.size,
            "sha256": f.sha256,
            "state": _("destroyed") if f.deleted_at else _("kept in the evidence vault"),
        }
        for f in files.order_by("received_at", "pk")
    ]


def _cases(case_ids: list[int]):
    return (
        Case.objects.filter(pk__in=case_ids)
        .select_related("child_age_band", "child_sex", "municipality")
        .prefetch_related("categories", "platforms")
        .order_by("opened_at", "pk")
    )


def _case(case: Case) -> dict:
    return {
        "reference": case.reference,
        "title": case.title,
        "state": case.get_state_display(),
        "opened_at": _when(case.opened_at),
        "closed_at": _when(case.closed_at),
        "summary": case.summary,
        "categories": [c.name for c in case.categories.all()],
        "platforms": [p.name for p in case.platforms.all()],
        "child_age_band": _name(case.child_age_band),
        "child_sex": _name(case.child_sex),
        "municipality": _name(case.municipality),
        "internal_notes": CaseNote.objects.filter(case=case).count(),
        "legal_hold": LegalHold.objects.filter(case=case, lifted_at__isnull=True).exists(),
        "referred_to": [
            {
                "institution": str(r.institution),
                "state": r.get_state_display(),
                "sent_at": _when(r.sent_at),
            }
            for r in Referral.objects.filter(case=case, sent_at__isnull=False).select_related("institution")
        ],
        "evidence": _evidence(EvidenceFile.objects.filter(case=case)),
    }


def preview(contact_ids: list[int]) -> list[dict]:
    """What the officer sees before exporting: when, which channel, which case; no content."""
    return [
        {"reference": str(c), "channel": _name(c.channel), "received_at": c.received_at, "case": c.case}
        for c in Contact.objects.filter(pk__in=contact_ids)
        .select_related("channel", "case")
        .order_by("received_at", "pk")
    ]
