"""The messenger channels' writes: deliveries kept, messages stored and threaded, replies written
and sent (docs/channels-messengers.md).

The pipeline that calls them for each webhook is ``inbox/messenger.py``; who a conversation is
with and whether it can be answered is read in ``inbox/conversation.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets as _random

import filetype
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases.actions import add_timeline_entry
from smartsafe.core import locks
from smartsafe.evidence.actions import receive_file
from smartsafe.evidence.validation import EvidenceRejected
from smartsafe.intake import titles
from smartsafe.intake.actions import receive_contact
from smartsafe.intake.models import Contact

from .. import secrets as sealing
from .. import threading
from ..channels import base
from ..channels.messaging import DownloadFailed, MessengerAdapter
from ..conversation import (
    provider_key,
    reply_target,
    reply_window,
    sender_hash,
    sender_hint,
    window_closed_message,
)
from ..models import ChannelAccount, InboundMessage, OutboundMessage, OutboundStatus, WebhookDelivery
from ..permissions import can_reply

log = logging.getLogger("smartsafe.inbox")

SUMMARY_LIMIT = 50_000


def keep_delivery(account: ChannelAccount, payload_json: str) -> WebhookDelivery:
    """Keep a verified webhook payload, encrypted, until every message in it is stored."""
    return WebhookDelivery.objects.create(account=account, sealed_body=sealing.seal({"body": payload_json}))


def discard_delivery(delivery: WebhookDelivery) -> None:
    """Drop a delivery once it is processed (or unreadable as JSON: nothing in it can be stored)."""
    delivery.delete()


def _fetch_media(account, adapter: MessengerAdapter, media: list[dict]) -> list[tuple[dict, object]]:
    """Download each named medium; a failure is kept as its reason (a string)."""
    fetched = []
    for item in media[:20]:
        try:
            fetched.append((item, adapter.download(account, item)))
        except DownloadFailed as exc:
            fetched.append((item, str(exc)))
    return fetched


def store_message(
    account: ChannelAccount, adapter: MessengerAdapter, n: base.Normalised
) -> tuple[InboundMessage, bool]:
    n.provider_id = provider_key(account.kind, n.provider_id)
    existing = InboundMessage.objects.filter(account=account, provider_id=n.provider_id).first()
    if existing:
        return existing, False
    files = _fetch_media(account, adapter, n.extra.get("media") or [])
    try:
        with transaction.atomic():
            return _store(account, n, files), True
    except IntegrityError:
        # The provider delivered the same message twice at the same moment.
        existing = InboundMessage.objects.filter(account=account, provider_id=n.provider_id).first()
        if existing is None:
            raise
        return existing, False


def _seal_address(address: dict) -> str:
    return sealing.seal({key: str(value) for key, value in address.items() if value})


def _conversation(account: ChannelAccount, hashed: str) -> tuple[Contact | None, Contact | None]:
    """(contact to join, earlier contact of the same person when a new one must start)."""
    last = (
        InboundMessage.objects.filter(account=account, sender_hash=hashed, contact__isnull=False)
        .select_related("contact__case")
        .order_by("-received_at", "-pk")
        .first()
    )
    if last is None:
        return None, None
    if threading.is_ended(last.contact):
        return None, last.contact
    return last.contact, None


def _plausible(sent_at: dt.datetime | None, now: dt.datetime) -> dt.datetime | None:
    if sent_at and now - dt.timedelta(days=30) < sent_at < now + dt.timedelta(minutes=5):
        return sent_at
    return None


def _subject(account: ChannelAccount, n: base.Normalised) -> dict:
    """The contact's subject: the first line of the message, or a generated one (intake/titles.py)."""
    first_line = (n.text or "").strip().splitlines()[0] if (n.text or "").strip() else ""
    if first_line:
        return {"subject": first_line[:120]}
    args = {"channel": account.channel.code}
    return {
        "subject": titles.stored(titles.MESSENGER, args),
        "subject_template": titles.MESSENGER,
        "subject_args": args,
    }


def _store(account: ChannelAccount, n: base.Normalised, files) -> InboundMessage:
    # One person's messages on one account are threaded one at a time (two deliveries at once must
    # not open two contacts); other people's messages go through beside them.
    hashed = sender_hash(account.kind, n.sender_id)
    locks.serialise(f"messenger:{account.pk}:{hashed}")
    if InboundMessage.objects.filter(account=account, provider_id=n.provider_id).exists():
        raise IntegrityError("stored meanwhile")
    now = timezone.now()
    contact, earlier = _conversation(account, hashed)
    rule = "conversation" if contact else ("returning" if earlier else "new")
    if contact is None:
        contact, _created = receive_contact(
            channel=account.channel,
            external_id=f"{account.kind}:{account.pk}:"
            + hashlib.sha256(n.provider_id.encode()).hexdigest()[:48],
            **_subject(account, n),
            summary=(n.text or "")[:SUMMARY_LIMIT],
            received_at=now,
            sender_hash=hashed,
            sender_hint=sender_hint(n.sender_id),
        )
    elif contact.case_id:
        rule = "case"
    headers = {
        "kind": account.kind,
        "type": str(n.extra.get("type", ""))[:40],
        "reply_sealed": _seal_address(n.extra.get("reply_to") or {}),
    }
    if earlier is not None:
        # Not ``case_reference``: that field means "an unknown sender named a case" (e-mail).
        headers["earlier_contact"] = earlier.pk
        headers["earlier_case"] = earlier.case.reference if earlier.case_id else ""
    message = InboundMessage.objects.create(
        account=account,
        contact=contact,
        provider_id=n.provider_id[:300],
        headers=headers,
        from_address=sender_hint(n.sender_id),
        from_name=n.sender_name[:200],
        sender_hash=hashed,
        subject="",
        text_body=n.text or "",
        sent_at=_plausible(n.sent_at, now),
        received_at=now,
    )
    message.attachments = _files_to_vault(contact, files)
    message.save(update_fields=["attachments"])
    if rule == "case":
        add_timeline_entry(
            contact.case, "message_received", None, contact=contact.reference, channel=account.kind
        )
    record(
        codes.MESSENGER_RECEIVE,
        obj=message,
        account=account.pk,
        kind=account.kind,
        contact=contact.reference,
        thread=rule,
        attachments=len(message.attachments),
        refused=len(message.rejected_attachments),
    )
    return message


def _files_to_vault(contact: Contact, files) -> list[dict]:
    kept = []
    for media, got in files:
        entry = {
            "name": str(media.get("filename", "file"))[:200],
            "content_type": "",
            "size": 0,
            "inline": False,
        }
        if isinstance(got, str):
            entry.update(rejected=got[:300], reason="download_failed")
        else:
            entry.update(size=len(got.data), content_type=got.content_type[:100])
            if media.get("generated"):
                # We named it ("photo"): the extension follows what the bytes are.
                extension = filetype.guess_extension(got.data[:8192])
                entry["name"] = f"{entry['name']}.{extension}" if extension else entry["name"]
            try:
                file = receive_file(data=got.data, filename=entry["name"], contact=contact, via="messenger")
                entry["evidence_id"] = file.pk
            except EvidenceRejected as exc:
                entry.update(rejected=str(exc.message)[:300], reason=exc.code)
        kept.append(entry)
    return kept


@transaction.atomic
def write_reply(*, actor, contact: Contact, body: str) -> OutboundMessage:
    """Record a counsellor's reply to the messenger conversation of ``contact`` (sent by ``deliver``)."""
    if not can_reply(actor):
        raise PermissionDenied(_("Your role may not answer the public."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the reply first.")})
    target = reply_target(contact)
    if target is None:
        raise ValidationError(_("There is no messenger message from a person to answer here."))
    account = target.account
    if not account.active:
        raise ValidationError(_("The channel this conversation came from is switched off."))
    adapter = base.get_adapter(account.kind)
    if len(body) > adapter.max_text:
        raise ValidationError(
            {"body": _("%(channel)s takes at most %(limit)s characters in one message.")
             % {"channel": account.get_kind_display(), "limit": adapter.max_text}}
        )  # fmt: skip
    is_open, closes_at = reply_window(contact)
    if not is_open and closes_at is not None:
        raise ValidationError(window_closed_message(account, closes_at))
    case = contact.case if contact.case_id else None
    outbound = OutboundMessage.objects.create(
        account=account,
        contact=contact,
        case=case,
        in_reply_to=target,
        message_id=f"ss.{account.kind}.{_random.token_urlsafe(18)}",
        headers={"kind": account.kind},
        from_address=account.name[:320],
        to_address=target.from_address,
        subject="",
        text_body=body,
        created_by=actor,
    )
    record(
        codes.MESSENGER_REPLY,
        actor=actor,
        obj=outbound,
        contact=contact.reference,
        case=case.reference if case else None,
    )
    return outbound


def deliver(outbound: OutboundMessage, *, actor=None) -> OutboundMessage:
    """Send ``outbound`` through its provider; the outcome is stored and audited.

    An attempt first claims the row (attempts n → n+1), so two clicks never send twice.
    """
    claimed = OutboundMessage.objects.filter(
        pk=outbound.pk, attempts=outbound.attempts, status__in=[OutboundStatus.PENDING, OutboundStatus.FAILED]
    ).update(attempts=outbound.attempts + 1, status=OutboundStatus.PENDING)
    outbound.refresh_from_db()
    if not claimed:
        return outbound
    error, provider_id = "", ""
    try:
        provider_id = base.get_adapter(outbound.account.kind).send(outbound.account, outbound)
    except (base.SendFailed, base.NoAdapter) as exc:
        error = str(exc)[:1000] or _("The provider refused the message.")
    with transaction.atomic():
        outbound = OutboundMessage.objects.select_for_update().get(pk=outbound.pk)
        if error:
            outbound.status, outbound.error = OutboundStatus.FAILED, error
        else:
            outbound.status, outbound.error, outbound.sent_at = OutboundStatus.SENT, "", timezone.now()
            outbound.headers = {**(outbound.headers or {}), "provider_message_id": str(provider_id)[:300]}
            if outbound.case_id:
                add_timeline_entry(
                    outbound.case,
                    "message_sent",
                    outbound.created_by,
                    contact=outbound.contact.reference,
                    channel=outbound.account.kind,
                )
        outbound.save(update_fields=["status", "error", "sent_at", "headers"])
        record(
            codes.MESSENGER_SEND,
            actor=actor,
            obj=outbound,
            kind=outbound.account.kind,
            outcome="failed" if error else "ok",
            attempt=outbound.attempts,
            error=error[:300],
        )
    return outbound


def reply(*, actor, contact: Contact, body: str) -> OutboundMessage:
    """Write and send in one go (what the reply page calls for a messenger conversation)."""
    return deliver(write_reply(actor=actor, contact=contact, body=body), actor=actor)


def retry(*, actor, outbound: OutboundMessage) -> OutboundMessage:
    """Send a failed reply again (the window is checked again right before sending)."""
    if not can_reply(actor):
        raise PermissionDenied(_("Your role may not answer the public."))
    if outbound.status != OutboundStatus.FAILED:
        raise ValidationError(_("Only a reply that failed can be sent again."))
    return deliver(outbound, actor=actor)
