"""The inbox's writes, one module per channel kind: here the channel accounts and e-mail (received
mail, replies, the mailbox cursor); ``messenger.py`` the messenger channels; ``telephony.py`` the
phone line; ``opened.py`` the first opening of a contact.

Each action audits itself in the same transaction. Talking to mail servers (IMAP, SMTP) happens
outside transactions; what they return is written here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.cases.actions import add_timeline_entry
from smartsafe.evidence.actions import receive_file
from smartsafe.evidence.validation import EvidenceRejected
from smartsafe.intake.actions import receive_contact
from smartsafe.intake.models import Contact
from smartsafe.taxonomy.models import Channel

from .. import threading
from ..channels import automatic as automatic_mail
from ..channels import base, mime
from ..channels.email import compose_reply, our_domains, summary_for_contact
from ..models import (
    Automatic,
    ChannelAccount,
    ChannelKind,
    InboundMessage,
    OutboundMessage,
    OutboundStatus,
)
from ..permissions import can_manage_channels, can_reply

log = logging.getLogger("smartsafe.inbox")

# Settings an e-mail account understands (``channel add email … --setting key=value``).
EMAIL_SETTINGS = {
    "imap_host": str,
    "imap_port": int,
    "imap_ssl": bool,
    "username": str,
    "mailbox": str,
    "smtp_host": str,
    "smtp_port": int,
    "smtp_ssl": bool,
    "smtp_starttls": bool,
    "smtp_username": str,
    "smtp_auth": bool,
    "from_address": str,
    "from_name": str,
    "message_id_domain": str,
}


def _coerce(name: str, value, kind):
    if kind is bool and isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValidationError({name: _("Use true or false.")})
    if kind is int:
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError({name: _("Use a whole number.")}) from None
        if not 0 < value < 65536:
            raise ValidationError({name: _("Use a port number between 1 and 65535.")})
        return value
    return kind(value)


def clean_settings(kind: str, values: dict) -> dict:
    """Known settings typed, unknown ones refused (a typo must not pass silently)."""
    if kind != ChannelKind.EMAIL:
        return {str(k): v for k, v in (values or {}).items()}
    cleaned = {}
    for name, value in (values or {}).items():
        if name not in EMAIL_SETTINGS:
            raise ValidationError({name: _("Unknown e-mail setting “%(name)s”.") % {"name": name}})
        cleaned[name] = _coerce(name, value, EMAIL_SETTINGS[name])
    return cleaned


# --- channel accounts -----------------------------------------------------------------------------


@transaction.atomic
def create_account(
    *, kind: str, name: str, settings: dict | None = None, secret: str = "", token: str = "", actor=None
) -> ChannelAccount:
    """Configure a channel. ``actor`` None means the command line (audited as ``via=command``)."""
    if actor is not None and not can_manage_channels(actor):
        raise PermissionDenied(_("Only an administrator may configure channels."))
    if kind not in ChannelKind.values:
        raise ValidationError({"kind": _("Unknown kind of channel.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the channel a name.")})
    if ChannelAccount.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A channel with this name exists already.")})
    channel = Channel.objects.filter(code=kind).first()
    if channel is None:
        raise ValidationError(
            {
                "kind": _("The taxonomy has no channel “%(code)s”; load the reference data first.")
                % {"code": kind}
            }
        )
    account = ChannelAccount(
        kind=kind, name=name, channel=channel, settings=clean_settings(kind, settings or {})
    )
    account.set_secrets(secret=secret, token=token)
    account.save()
    record(codes.CHANNEL_CREATE, actor=actor, obj=account, kind=kind, settings=sorted(account.settings))
    return account


@transaction.atomic
def update_account(
    *,
    account: ChannelAccount,
    actor=None,
    name: str | None = None,
    settings: dict | None = None,
    active: bool | None = None,
    **secrets,
) -> ChannelAccount:
    """Rename, change settings, switch on or off, replace secrets (given names only; "" removes one)."""
    if actor is not None and not can_manage_channels(actor):
        raise PermissionDenied(_("Only an administrator may configure channels."))
    account = ChannelAccount.objects.select_for_update().get(pk=account.pk)
    changed = []
    if name is not None and name.strip() and name.strip() != account.name:
        if ChannelAccount.objects.filter(name=name.strip()).exclude(pk=account.pk).exists():
            raise ValidationError({"name": _("A channel with this name exists already.")})
        account.name = name.strip()
        changed.append("name")
    if settings is not None:
        new = clean_settings(account.kind, settings)
        if new != account.settings:
            account.settings = new
            changed.append("settings")
    if active is not None and active != account.active:
        account.active = active
        changed.append("active")
    if secrets:
        account.set_secrets(**secrets)
        changed.append("secrets")  # which ones, never their values
    if changed:
        account.save()
        code = codes.CHANNEL_DISABLE if changed == ["active"] and not account.active else codes.CHANNEL_UPDATE
        record(code, actor=actor, obj=account, fields=changed, secrets=sorted(secrets))
    return account


# --- receiving e-mail -----------------------------------------------------------------------------


def advance_cursor(account: ChannelAccount, validity: int, uid: int) -> None:
    """Move a mailbox's cursor forward (never back: two pollers may overlap). Inside the
    transaction that stored the message, so a crash never skips one."""
    locked = ChannelAccount.objects.select_for_update().get(pk=account.pk)
    cursor = locked.cursor or {}
    if cursor.get("uidvalidity") != validity or int(cursor.get("last_uid") or 0) < uid:
        locked.cursor = {"uidvalidity": validity, "last_uid": max(uid, 0)}
        locked.save(update_fields=["cursor"])
    account.cursor = locked.cursor


def record_poll(account: ChannelAccount, *, error: str) -> None:
    """Stamp a poll of ``account`` and what went wrong ("" when nothing did). An ``update()``: the
    poller must not overwrite settings someone changed meanwhile."""
    ChannelAccount.objects.filter(pk=account.pk).update(last_polled_at=timezone.now(), last_error=error)
    account.refresh_from_db(fields=["cursor", "last_polled_at", "last_error"])


def _attachments_to_vault(
    message: InboundMessage, parsed: mime.ParsedEmail, contact, automatic: str
) -> list[dict]:
    kept = []
    for attachment in parsed.attachments:
        entry = {
            "name": attachment.filename,
            "size": len(attachment.data),
            "content_type": attachment.content_type[:100],
            "inline": attachment.inline,
        }
        if contact is None or automatic:
            entry["rejected"] = _("Not kept: part of an automatic message.")
        else:
            try:
                file = receive_file(
                    data=attachment.data, filename=attachment.filename, contact=contact, via="email"
                )
                entry["evidence_id"] = file.pk
            except EvidenceRejected as exc:
                entry["rejected"] = str(exc.message)[:300]
                entry["reason"] = exc.code
        kept.append(entry)
    return kept


def _received_at(parsed: mime.ParsedEmail, trust_date: bool) -> dt.datetime:
    now = timezone.now()
    if (
        trust_date
        and parsed.date
        and now - dt.timedelta(days=3650) < parsed.date < now + dt.timedelta(days=1)
    ):
        return parsed.date
    return now


def store_email(
    *, account: ChannelAccount, raw: bytes, trust_date: bool = False
) -> tuple[InboundMessage, bool]:
    """Store one e-mail received on ``account``; idempotent by Message-ID (or a hash of the bytes).

    Returns ``(message, created)``. Never raises for anything the sender wrote; attachments the
    vault refuses are listed on the message with the reason. ``trust_date``: take the arrival time
    from the Date header (importing saved mail) instead of now (polling).
    """
    parsed = mime.parse(raw)
    existing = InboundMessage.objects.filter(account=account, provider_id=parsed.provider_id).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return _store(account, parsed, trust_date), True
    except IntegrityError:
        # Another poller stored the same message a moment ago.
        existing = InboundMessage.objects.filter(account=account, provider_id=parsed.provider_id).first()
        if existing is None:
            raise
        return existing, False


def _store(account: ChannelAccount, parsed: mime.ParsedEmail, trust_date: bool) -> InboundMessage:
    automatic = automatic_mail.classify(parsed, our_domains=our_domains(account))
    sender = threading.sender_hash(parsed.from_address)
    thread = threading.find_thread(parsed, automatic=automatic, sender=sender)
    received_at = _received_at(parsed, trust_date)
    contact = thread.contact
    case_reference = "" if thread.rule == "case_reference" else thread.case_reference
    if contact is not None and not automatic and threading.is_ended(contact):
        # A person writes again after the conversation ended: a new contact that names the old case.
        case_reference = contact.case.reference if contact.case_id else case_reference
        contact = None
        thread.rule = "new"
    if contact is None and thread.rule == "new":
        contact, _created = receive_contact(
            channel=account.channel,
            external_id="email:" + hashlib.sha256(parsed.provider_id.encode()).hexdigest()[:48],
            subject=parsed.subject[:250],
            summary=summary_for_contact(parsed),
            received_at=received_at,
            sender_hash=sender,
            sender_hint=threading.sender_hint(parsed.from_address),
        )
    message = InboundMessage.objects.create(
        account=account,
        contact=contact,
        provider_id=parsed.provider_id,
        message_id=parsed.message_id,
        headers=parsed.headers,
        from_address=parsed.from_address,
        from_name=parsed.from_name,
        reply_to=parsed.reply_to,
        to_addresses=", ".join(parsed.to),
        sender_hash=sender,
        subject=parsed.subject,
        text_body=parsed.text,
        html_body=parsed.html,
        forwarded=parsed.forwarded,
        automatic=automatic,
        case_reference=case_reference,
        parse_error=parsed.parse_error,
        sent_at=parsed.date,
        received_at=received_at,
    )
    message.attachments = _attachments_to_vault(message, parsed, contact, automatic)
    message.save(update_fields=["attachments"])
    if automatic == Automatic.BOUNCE and thread.outbound is not None:
        _mark_bounced(thread.outbound, parsed)
    if contact is not None and contact.case_id and thread.rule != "new":
        add_timeline_entry(
            contact.case,
            "email_received",
            None,
            contact=contact.reference,
            automatic=automatic,
            subject=parsed.subject[:200],
        )
    record(
        codes.EMAIL_RECEIVE,
        obj=message,
        account=account.pk,
        contact=contact.reference if contact else None,
        thread=thread.rule,
        automatic=automatic,
        attachments=len(message.attachments),
        refused=len(message.rejected_attachments),
        parse_error=bool(parsed.parse_error),
    )
    return message


def _mark_bounced(outbound: OutboundMessage, parsed: mime.ParsedEmail) -> None:
    outbound = OutboundMessage.objects.select_for_update().get(pk=outbound.pk)
    outbound.status = OutboundStatus.BOUNCED
    outbound.error = parsed.text[:1000]
    outbound.save(update_fields=["status", "error"])


# --- replying -------------------------------------------------------------------------------------


def reply_target(contact) -> InboundMessage | None:
    """The message a reply on ``contact`` answers: the latest one written by a person."""
    return (
        InboundMessage.objects.filter(contact=contact, automatic="")
        .exclude(from_address="")
        .select_related("account")
        .order_by("-received_at", "-pk")
        .first()
    )


@transaction.atomic
def write_reply(*, actor, contact, body: str) -> OutboundMessage:
    """Record a counsellor's reply to the e-mail conversation of ``contact`` (sent by ``deliver``)."""
    if not can_reply(actor):
        raise PermissionDenied(_("Your role may not answer the public."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write the reply first.")})
    if len(body) > 50_000:
        raise ValidationError({"body": _("The reply is too long.")})
    contact = Contact.objects.select_related("case").get(pk=contact.pk)  # its case as it is now
    target = reply_target(contact)
    if target is None:
        raise ValidationError(
            _("There is no message from a person to answer here (automatic mail is never answered).")
        )
    if not target.account.active:
        raise ValidationError(_("The mailbox this conversation came from is switched off."))
    case = contact.case if contact.case_id else None
    outbound = compose_reply(account=target.account, target=target, case=case, body=body)
    outbound.contact = contact
    outbound.case = case
    outbound.created_by = actor
    outbound.save()
    record(
        codes.EMAIL_REPLY,
        actor=actor,
        obj=outbound,
        contact=contact.reference,
        case=case.reference if case else None,
    )
    return outbound


def deliver(outbound: OutboundMessage, *, actor=None) -> OutboundMessage:
    """Send ``outbound`` by its account's SMTP server; the outcome is stored and audited.

    Safe against double sending: an attempt first claims the row (attempts n → n+1); a second
    attempt on the same row at the same moment finds the claim gone and does nothing.
    """
    claimed = OutboundMessage.objects.filter(
        pk=outbound.pk,
        attempts=outbound.attempts,
        status__in=[OutboundStatus.PENDING, OutboundStatus.FAILED],
    ).update(attempts=outbound.attempts + 1, status=OutboundStatus.PENDING)
    outbound.refresh_from_db()
    if not claimed:
        return outbound
    error = ""
    try:
        base.get_adapter(outbound.account.kind).send(outbound.account, outbound)
    except base.SendFailed as exc:
        error = str(exc)[:1000] or _("The mail server refused the message.")
    except base.NoAdapter as exc:
        error = str(exc)
    with transaction.atomic():
        outbound = OutboundMessage.objects.select_for_update().get(pk=outbound.pk)
        if error:
            outbound.status = OutboundStatus.FAILED
            outbound.error = error
        else:
            outbound.status = OutboundStatus.SENT
            outbound.error = ""
            outbound.sent_at = timezone.now()
            if outbound.case_id:
                add_timeline_entry(
                    outbound.case,
                    "email_sent",
                    outbound.created_by,
                    contact=outbound.contact.reference,
                    subject=outbound.subject[:200],
                )
        outbound.save(update_fields=["status", "error", "sent_at"])
        record(
            codes.EMAIL_SEND,
            actor=actor,
            obj=outbound,
            outcome="failed" if error else "ok",
            attempt=outbound.attempts,
            error=error[:300],
        )
    return outbound


def retry(*, actor, outbound: OutboundMessage) -> OutboundMessage:
    if not can_reply(actor):
        raise PermissionDenied(_("Your role may not answer the public."))
    if outbound.status != OutboundStatus.FAILED:
        raise ValidationError(_("Only a reply that failed can be sent again."))
    return deliver(outbound, actor=actor)
