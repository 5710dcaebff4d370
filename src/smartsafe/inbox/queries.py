"""Reads of messages, always through a contact the reader may already see (intake.queries)."""

from __future__ import annotations

from django.http import Http404

from smartsafe.intake.queries import contacts_visible_to

from . import conversation
from .actions import reply_target
from .models import CannedReply, ChannelAccount, ChannelKind, InboundMessage, OutboundMessage, WebhookDelivery
from .permissions import can_reply, can_see_addresses


def thread(user, contact) -> dict:
    """The conversation of ``contact`` for ``user`` (e-mail or a messenger): messages oldest first,
    reply facts. ``kind`` is the channel kind of the conversation ("" when there is none); for a
    messenger, ``window`` is ``(open, closes_at)`` from ``conversation.reply_window``.

    The caller has read ``contact`` through ``intake.queries.access_contact`` (which audits the
    read); this adds no audit event of its own.
    """
    if not contacts_visible_to(user).filter(pk=contact.pk).exists():
        return {"messages": [], "visible": False}
    inbound = list(InboundMessage.objects.filter(contact=contact).select_related("account"))
    outbound = list(OutboundMessage.objects.filter(contact=contact).select_related("account", "created_by"))
    messages = sorted([*inbound, *outbound], key=lambda m: (m.received_at, m.direction, m.pk))
    # One contact is one conversation on one channel account: its latest message says which.
    kind = messages[-1].account.kind if messages else ""
    is_messenger = kind in conversation.MESSENGER_KINDS
    if is_messenger:
        target = conversation.reply_target(contact)
    else:
        target = reply_target(contact) if inbound else None
    return {
        "visible": True,
        "messages": messages,
        "show_addresses": can_see_addresses(user),
        "can_reply": bool(target) and can_reply(user),
        "reply_target": target,
        "kind": kind,
        "channel_name": messages[-1].account.get_kind_display() if messages else "",
        "is_messenger": is_messenger,
        "window": conversation.reply_window(contact) if is_messenger else (False, None),
        "is_email_thread": bool(inbound or outbound),
    }


def canned_replies(language: str = ""):
    replies = CannedReply.objects.filter(active=True)
    if language:
        replies = replies.filter(language=language)
    return replies.order_by("language", "title")


def access_outbound(user, pk) -> OutboundMessage:
    """A reply, if ``user`` may see its contact. Missing and forbidden look alike."""
    try:
        outbound = OutboundMessage.objects.select_related("contact", "account").get(pk=int(pk))
    except (OutboundMessage.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such message.") from None
    if not contacts_visible_to(user).filter(pk=outbound.contact_id).exists():
        raise Http404("No such message.")
    return outbound


def webhook_delivery(pk: int) -> WebhookDelivery | None:
    """A kept webhook delivery with its account (the worker's read; payloads are never audited)."""
    return WebhookDelivery.objects.select_related("account").filter(pk=pk).first()


def channel_account(pk: int) -> ChannelAccount | None:
    return ChannelAccount.objects.filter(pk=pk).first()


def email_accounts_to_poll():
    return ChannelAccount.objects.filter(kind=ChannelKind.EMAIL, active=True)
