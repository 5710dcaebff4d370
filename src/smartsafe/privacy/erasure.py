"""What an erasure request may erase, and erasing it.

The person's own contacts are emptied exactly as the retention job empties them (the rows stay,
so every statistic stays the same; personal fields, free text, messages and call identities go)
and their evidence files are crypto-shredded. A case goes with them when every contact in it is
theirs. Two things are kept, each with its reason recorded on the request:

- a contact in a case under a **legal hold** (an investigation or proceedings need it), and
- a contact in a case **referred to an institution** whose referral still stands (sent,
  acknowledged, accepted or completed): the centre passed it on under a legal duty to protect the
  child, and the institution's file depends on what the centre can show. The retention job
  empties it when the referred-case period ends.
"""

from __future__ import annotations

from django.db import transaction

from smartsafe.evidence.actions import shred_for_retention
from smartsafe.evidence.models import EvidenceFile
from smartsafe.inbox.models import OutboundMessage
from smartsafe.intake.models import Contact
from smartsafe.referrals.models import Referral, ReferralState

from . import retention
from .models import Anonymised, LegalHold

HELD, REFERRED = "legal_hold", "referred"
STANDING = (ReferralState.SENT, ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED, ReferralState.COMPLETED)


def plan(contact_ids: list[int]) -> dict:
    """``{"erase": [contact ids], "cases": [case ids], "kept": [{contact, case, reason}]}``."""
    contacts = list(
        Contact.objects.filter(pk__in=contact_ids).exclude(pk__in=_done("contact")).select_related("case")
    )
    case_ids = {c.case_id for c in contacts if c.case_id}
    held = set(
        LegalHold.objects.filter(case_id__in=case_ids, lifted_at__isnull=True).values_list(
            "case_id", flat=True
        )
    )
    referred = set(
        Referral.objects.filter(case_id__in=case_ids, state__in=STANDING).values_list("case_id", flat=True)
    )
    erase, kept = [], []
    for contact in contacts:
        reason = HELD if contact.case_id in held else REFERRED if contact.case_id in referred else ""
        if reason:
            kept.append({"contact": str(contact), "case": contact.case.reference, "reason": reason})
        else:
            erase.append(contact.pk)
    erasable_cases = case_ids - held - referred
    others = set(
        Contact.objects.filter(case_id__in=erasable_cases)
        .exclude(pk__in=erase)
        .values_list("case_id", flat=True)
    )
    cases = sorted(erasable_cases - others - set(_done("case").values_list("object_id", flat=True)))
    return {"erase": sorted(erase), "cases": cases, "kept": kept}


def _done(kind: str):
    return Anonymised.objects.filter(kind=kind).values("object_id")


@transaction.atomic
def carry_out(planned: dict, *, request_pk: int) -> dict:
    """Erase what ``plan`` allowed; the counts of what was done."""
    contacts, cases = planned["erase"], planned["cases"]
    files = list(
        EvidenceFile.objects.filter(deleted_at__isnull=True, contact_id__in=contacts)
        | EvidenceFile.objects.filter(deleted_at__isnull=True, case_id__in=cases)
    )
    retention.anonymise_contacts(contacts)
    retention.anonymise_outbound(
        list(OutboundMessage.objects.filter(contact_id__in=contacts).values_list("pk", flat=True))
    )
    retention.anonymise_cases(cases)
    for file in files:
        shred_for_retention(file=file, policy=f"erasure request {request_pk}")
    return {"contacts": len(contacts), "cases": len(cases), "evidence": len(files)}
