"""Reads of messages, always through a contact the reader may already see (intake.queries)."""

from __future__ import annotations

from django.http import Http404

from smartsafe.intake.queries import contacts_visible_to

from .actions import reply_target
from .models import CannedReply, InboundMessage, OutboundMessage
from .permissions import can_reply, can_see_addresses


def thread(user, contact) -> dict:
    """The e-mail conversation of ``contact`` for ``user``: messages oldest first, reply facts.

    The caller has read ``contact`` through ``intake.queries.access_contact`` (which audits the
    read); this adds no audit event of its own.
    """
    if not contacts_visible_to(user).filter(pk=contact.pk).exists():
        return {"messages": [], "visible": False}
    inbound = list(InboundMessage.objects.filter(contact=contact).select_related("account"))
    outbound = list(OutboundMessage.objects.filter(contact=contact).select_related("account", "created_by"))
    messages = sorted([*inbound, *outbound], key=lambda m: (m.received_at, m.direction, m.pk))
    target = reply_target(contact) if inbound else None
    return {
        "visible": True,
        "messages": messages,
        "show_addresses": can_see_addresses(user),
        "can_reply": bool(target) and can_reply(user),
        "reply_target": target,
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
