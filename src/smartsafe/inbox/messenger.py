"""Messenger conversations (Viber, Telegram, Messenger, Instagram, WhatsApp): docs/channels-messengers.md.

After a webhook verified (webhooks.py), its payload is processed here in a background task:

* each message event is normalised by the channel's adapter; other events are skipped;
* idempotent by the provider's message id (``InboundMessage`` is unique per account and
  ``provider_id``): a retried delivery stores nothing twice;
* media are fetched through the provider's API (outside any transaction) into the evidence vault;
  a file the vault refuses, or one that could not be fetched, is listed with the reason;
* **threading**: one person's messages on one account form one conversation — one contact. The
  person is known by a keyed hash of ``kind:sender id`` (never stored in clear; a contact shows
  only the last three characters). The message joins that person's latest contact on the account
  while it is open (new, triaged) or linked to an open case (it then also appears on the case's
  timeline). Once that contact is closed, or its case is closed, the next message starts a new
  contact that names the earlier contact and case, so the person is recognised when they return;
* the address replies go to (the provider's user or chat id) is kept encrypted on the message.

Replies: ``write_reply`` records one, ``deliver`` sends it through the adapter. Meta and Viber let a
business answer only within 24 hours of the person's last message: ``reply_window`` says whether
that window is open and when it closes; outside it the reply is refused before anything is sent.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets as _random

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_tasks import task

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases.models import TimelineEntry
from smartsafe.core import locks
from smartsafe.evidence.actions import receive_file
from smartsafe.evidence.validation import EvidenceRejected
from smartsafe.intake import titles
from smartsafe.intake.actions import receive_contact
from smartsafe.intake.models import Contact

from . import secrets as sealing
from . import threading
from .channels import base
from .channels.messaging import DownloadFailed, MessengerAdapter
from .models import ChannelAccount, InboundMessage, OutboundMessage, OutboundStatus, WebhookDelivery
from .permissions import can_reply

log = logging.getLogger("smartsafe.inbox")

MESSENGER_KINDS = ("viber", "telegram", "messenger", "instagram", "whatsapp")
SUMMARY_LIMIT = 50_000


# --- identity -----------------------------------------------------------------------------------


def sender_hash(kind: str, sender_id: str) -> str:
    """HMAC-SHA256 of ``kind:sender_id`` under SMARTSAFE_PSEUDONYM_KEY: the same person on the same
    messenger always gives the same value; without the key it reveals nothing."""
    if not sender_id:
        return ""
    key = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    return hmac.new(key, f"{kind}:{sender_id}".encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def sender_hint(sender_id: str) -> str:
    """What a list may show: the last three characters (``…a1Z``)."""
    return f"…{sender_id[-3:]}" if sender_id else ""


def provider_key(kind: str, provider_id: str) -> str:
    """The idempotency key stored for a provider's message id. Keyed-hashed because some ids carry
    the person's identity (Telegram's chat id; WhatsApp's message ids encode the phone number)."""
    key = str(settings.SMARTSAFE_PSEUDONYM_KEY).encode()
    return (
        f"{kind}:"
        + hmac.new(key, b"message\0" + provider_id.encode("utf-8", "replace"), hashlib.sha256).hexdigest()
    )


def earlier_contacts(contact: Contact):
    """The same person's other contacts (same keyed hash), newest first, for the counsellor."""
    if not contact.sender_hash:
        return Contact.objects.none()
    return (
        Contact.objects.filter(sender_hash=contact.sender_hash)
        .exclude(pk=contact.pk)
        .order_by("-received_at")
    )


def _seal_address(address: dict) -> str:
    return sealing.seal({key: str(value) for key, value in address.items() if value})


def recipient(outbound: OutboundMessage) -> dict:
    """Where a reply goes: the provider's ids of the person, decrypted from the message answered."""
    target = outbound.in_reply_to
    sealed = (target.headers or {}).get("reply_sealed", "") if target else ""
    try:
        address = sealing.unseal(sealed) if sealed else {}
    except sealing.SecretsUnreadable:
        address = {}
    if not address:
        raise base.SendFailed(_("The address of this conversation is not known; it cannot be answered here."))
    return address


# --- processing webhooks ------------------------------------------------------------------------


class MessagesNotStored(Exception):
    """Some messages of a delivery could not be stored: the task fails, is retried, and after its
    last attempt waits on the "needs attention" page with its delivery still kept."""


def enqueue(account: ChannelAccount, payload_json: str):
    """Keep a verified payload (encrypted) and queue its processing by id, in one transaction.

    Both rows commit together or not at all, so the caller's "ok" to the provider follows a commit
    that holds the delivery and its task. With the immediate backend (tests) it is processed at once.
    """
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            account=account, sealed_body=sealing.seal({"body": payload_json})
        )
        return process_delivery.enqueue(delivery.pk)


@task()
def process_delivery(delivery_id: int) -> dict:
    """Store every message of one kept delivery, then delete it. Safe to run twice: a delivery
    already done is gone, and a message already stored is known by its provider id."""
    delivery = WebhookDelivery.objects.select_related("account").filter(pk=delivery_id).first()
    if delivery is None:
        return {"skipped": ["already_processed"]}
    # An unreadable delivery (the channel secrets key changed) fails loudly and stays for a retry.
    payload_json = sealing.unseal(delivery.sealed_body).get("body", "")
    try:
        payload = json.loads(payload_json)
    except (TypeError, ValueError, RecursionError):
        delivery.delete()
        return {"error": "not JSON"}
    summary = process_payload(delivery.account, payload)
    if summary["failed"]:
        raise MessagesNotStored(
            f"{summary['failed']} message(s) of webhook delivery {delivery.pk} could not be stored; "
            f"{summary['stored']} stored, {summary['duplicates']} already there"
        )
    delivery.delete()
    return summary


@task()
def process_webhook(account_id: int, payload_json: str) -> dict:
    """Store every message of one verified webhook payload; returns counts for the worker's log.

    What the queue held before deliveries were kept as records; left for tasks queued then.
    """
    account = ChannelAccount.objects.filter(pk=account_id).first()
    if account is None:
        return {"error": "no such account"}
    try:
        payload = json.loads(payload_json)
    except (TypeError, ValueError, RecursionError):
        return {"error": "not JSON"}
    return process_payload(account, payload)


def process_payload(account: ChannelAccount, payload) -> dict:
    summary = {"stored": 0, "duplicates": 0, "skipped": [], "failed": 0}
    adapter = base.get_adapter(account.kind)
    if not isinstance(adapter, MessengerAdapter) or not isinstance(payload, dict):
        summary["skipped"].append("not_a_message_payload")
        return summary
    try:
        events, skipped = adapter.events(account, payload)
    except (RecursionError, TypeError, ValueError, AttributeError):
        log.exception("webhook payload of account %s could not be read", account.pk)
        return {**summary, "skipped": ["unreadable"]}
    summary["skipped"].extend(skipped)
    for event in events:
        try:
            normalised = adapter.normalise(account, event)
        except (RecursionError, TypeError, ValueError, AttributeError, KeyError):
            normalised = None
        if normalised is None:
            summary["skipped"].append("unreadable_message")
            continue
        try:
            _message, created = store_message(account, adapter, normalised)
        except Exception:
            # One message that cannot be stored must not lose the others of the same delivery.
            log.exception("message %s on account %s not stored", normalised.provider_id, account.pk)
            summary["failed"] += 1
            continue
        summary["stored" if created else "duplicates"] += 1
    return summary


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
        TimelineEntry.objects.create(
            case=contact.case,
            kind="message_received",
            data={"contact": contact.reference, "channel": account.kind},
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


# --- the reply window ---------------------------------------------------------------------------


def _last_from_person(contact: Contact, account: ChannelAccount | None = None) -> InboundMessage | None:
    messages = InboundMessage.objects.filter(
        contact=contact, automatic="", account__kind__in=MESSENGER_KINDS
    ).select_related("account")
    if account is not None:
        messages = messages.filter(account=account)
    return messages.order_by("-received_at", "-pk").first()


def _window_end(message: InboundMessage) -> dt.datetime | None:
    adapter = base.get_adapter(message.account.kind)
    length = adapter.window(message.account) if isinstance(adapter, MessengerAdapter) else None
    if length is None:
        return None
    # The provider counts from when the person wrote; our clock saw it a little later.
    start = min(filter(None, [message.sent_at, message.received_at]))
    return start + length


def reply_window(contact: Contact, *, now: dt.datetime | None = None) -> tuple[bool, dt.datetime | None]:
    """``(open, closes_at)`` for answering ``contact`` on its messenger. ``closes_at`` is None where
    the channel has no window (Telegram) or there is no messenger message to answer."""
    last = _last_from_person(contact)
    if last is None:
        return False, None
    end = _window_end(last)
    if end is None:
        return True, None
    return (now or timezone.now()) < end, end


def check_window(outbound: OutboundMessage) -> None:
    """Adapters call this right before sending: a reply written in time may be retried too late."""
    last = _last_from_person(outbound.contact, outbound.account)
    end = _window_end(last) if last else None
    if end is not None and timezone.now() >= end:
        raise base.SendFailed(_window_closed_message(last.account, end))


def _window_closed_message(account: ChannelAccount, end: dt.datetime) -> str:
    return _(
        "%(channel)s lets the centre answer only within 24 hours of the person's last message; that "
        "window closed at %(closed)s. The person has to write again before they can be answered here."
    ) % {
        "channel": account.get_kind_display(),
        "closed": date_format(timezone.localtime(end), "SHORT_DATETIME_FORMAT"),
    }


# --- replies ------------------------------------------------------------------------------------


def reply_target(contact: Contact) -> InboundMessage | None:
    """The messenger message a reply on ``contact`` answers: the person's latest one."""
    return _last_from_person(contact)


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
        raise ValidationError(_window_closed_message(account, closes_at))
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
                TimelineEntry.objects.create(
                    case=outbound.case,
                    kind="message_sent",
                    actor=outbound.created_by,
                    data={"contact": outbound.contact.reference, "channel": outbound.account.kind},
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
