"""``{% load inbox_tags %}{% email_thread contact=contact %}``: the conversation of a contact.

Shown on the contact page, for e-mail and for the messengers (Viber, Telegram, Messenger,
Instagram, WhatsApp) alike; renders nothing for a contact that never had a message. Addresses of
the public appear only for casework roles; everyone else sees names and masked hints. A messenger
conversation also shows its 24-hour reply window and the same person's earlier contacts.
"""

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from smartsafe.inbox import conversation
from smartsafe.inbox.channels import base
from smartsafe.inbox.forms import ReplyForm
from smartsafe.inbox.queries import canned_replies, thread
from smartsafe.intake.queries import contacts_visible_to

register = template.Library()

EARLIER_SHOWN = 5


def _canned(contact):
    """Canned replies in the conversation's language; all of them where none is written in it."""
    in_language = canned_replies(getattr(contact, "language", "") or "")
    return in_language if in_language.exists() else canned_replies()


@register.inclusion_tag("inbox/_window.html")
def reply_window_note(window, channel_name):
    """The 24-hour window of a messenger conversation, in a sentence (``window`` from queries.thread)."""
    is_open, closes_at = window
    time = ""
    if closes_at:
        local = timezone.localtime(closes_at)
        time = date_format(
            local, "TIME_FORMAT" if local.date() == timezone.localdate() else "SHORT_DATETIME_FORMAT"
        )
    return {"open": is_open, "time": time, "channel_name": channel_name}


@register.inclusion_tag("inbox/_thread.html", takes_context=True)
def email_thread(context, contact):
    request = context["request"]
    values = thread(request.user, contact)
    extra = {}
    if values.get("is_messenger"):
        earlier = conversation.earlier_contacts(contact).filter(
            pk__in=contacts_visible_to(request.user).values("pk")
        )
        extra = {
            "earlier": list(earlier.select_related("case")[:EARLIER_SHOWN]),
            "max_text": base.get_adapter(values["kind"]).max_text,
        }
    return {
        **values,
        **extra,
        "contact": contact,
        "reply_form": ReplyForm(),
        "canned": _canned(contact) if values.get("can_reply") else [],
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
