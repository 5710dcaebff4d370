"""Who a messenger conversation is with, and whether it can be answered.

A person on a messenger is known by a keyed hash of ``kind:sender id`` (never stored in clear);
their messages on one account form one conversation. This module computes that identity, finds
the person's earlier contacts, decrypts the address a reply goes to and says whether the
provider's 24-hour reply window is open (docs/channels-messengers.md). It writes nothing: the
writes are in ``inbox/actions/messenger.py``, the webhook pipeline in ``inbox/messenger.py``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from smartsafe.intake.models import Contact

from . import secrets as sealing
from .channels import base
from .channels.messaging import MessengerAdapter
from .models import ChannelAccount, InboundMessage, OutboundMessage

MESSENGER_KINDS = ("viber", "telegram", "messenger", "instagram", "whatsapp")


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
        raise base.SendFailed(window_closed_message(last.account, end))


def window_closed_message(account: ChannelAccount, end: dt.datetime) -> str:
    return _(
        "%(channel)s lets the centre answer only within 24 hours of the person's last message; that "
        "window closed at %(closed)s. The person has to write again before they can be answered here."
    ) % {
        "channel": account.get_kind_display(),
        "closed": date_format(timezone.localtime(end), "SHORT_DATETIME_FORMAT"),
    }


def reply_target(contact: Contact) -> InboundMessage | None:
    """The messenger message a reply on ``contact`` answers: the person's latest one."""
    return _last_from_person(contact)
