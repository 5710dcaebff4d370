"""Which conversation an arriving e-mail belongs to (docs/channels-email.md, "Threading").

In order, the first rule that matches wins:

1. It answers one of **our** messages (In-Reply-To / References name an ``OutboundMessage``; a
   bounce names it inside the returned headers). Our Message-IDs are random, so only someone who
   received our mail can name them.
2. It answers an earlier message **of the same sender** (the references name an
   ``InboundMessage`` whose sender hash is the same). A stranger cannot join someone else's
   conversation by copying a Message-ID.
3. Its subject names a case (``SS-2026-000123``) on which **the same sender** already wrote: it
   lands on their latest contact on that case.
4. Otherwise it is a new contact. A case reference from an unknown sender is remembered on the
   message (``case_reference``) for the counsellor to check and link: case numbers are
   sequential, so a reference alone proves nothing about who writes.

A conversation that has ended (its contact or its case is closed) does not swallow a person's new
message: it becomes a new contact that names the old case, so it reaches the inbox. Automatic mail
(auto-replies, bounces) still lands on the old conversation, where nobody needs to act on it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings

from smartsafe.cases.models import Case
from smartsafe.intake.models import Contact, ContactState

from .channels.mime import ParsedEmail
from .models import InboundMessage, OutboundMessage


@dataclass
class Thread:
    contact: Contact | None
    rule: str  # our_message | sender_thread | case_reference | new | none
    outbound: OutboundMessage | None = None
    case_reference: str = ""


def sender_hash(address: str) -> str:
    """Keyed hash of an e-mail address: matches a sender again without keeping the address in the
    searchable contact record. Namespaced so it never equals another channel's hash."""
    address = (address or "").strip().lower()
    if not address:
        return ""
    key = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    return hmac.new(key, b"email\0" + address.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def sender_hint(address: str) -> str:
    """What a list may show of an address: ``mi…@mail.example.rs`` (at most 40 characters)."""
    local, _, domain = (address or "").partition("@")
    if not domain:
        return ""
    hint = f"{local[:2]}…@{domain}"
    return hint if len(hint) <= 40 else hint[:39] + "…"


def case_references(subject: str) -> list[str]:
    prefix = re.escape(settings.SMARTSAFE_CASE_PREFIX)
    return list(dict.fromkeys(re.findall(rf"\b{prefix}-\d{{4}}-\d{{4,8}}\b", subject or "")))[:5]


def is_ended(contact: Contact) -> bool:
    if contact.state == ContactState.CLOSED:
        return True
    return bool(contact.case_id and not contact.case.is_open)


def find_thread(parsed: ParsedEmail, *, automatic: str, sender: str) -> Thread:
    ids = parsed.all_references
    if automatic == "bounce":
        ids = [*parsed.bounced_ids, *ids]
    ids = [i for i in ids if i][:100]
    if ids:
        outbound = (
            OutboundMessage.objects.filter(message_id__in=ids)
            .select_related("contact__case")
            .order_by("-created_at", "-pk")
            .first()
        )
        if outbound:
            return Thread(outbound.contact, "our_message", outbound=outbound)
        if sender:
            inbound = (
                InboundMessage.objects.filter(message_id__in=ids, sender_hash=sender, contact__isnull=False)
                .select_related("contact__case")
                .order_by("-received_at", "-pk")
                .first()
            )
            if inbound:
                return Thread(inbound.contact, "sender_thread")
    references = case_references(parsed.subject)
    for reference in references:
        case = Case.objects.filter(reference=reference).first()
        if case is None or not sender:
            continue
        contact = (
            Contact.objects.filter(case=case, sender_hash=sender)
            .select_related("case")
            .order_by("-received_at", "-pk")
            .first()
        )
        if contact:
            return Thread(contact, "case_reference", case_reference=reference)
    if automatic:
        return Thread(None, "none", case_reference=references[0] if references else "")
    return Thread(None, "new", case_reference=references[0] if references else "")
