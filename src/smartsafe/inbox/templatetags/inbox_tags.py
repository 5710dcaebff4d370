"""``{% load inbox_tags %}{% email_thread contact=contact %}``: the e-mail conversation of a contact.

Shown on the contact page; renders nothing for a contact that never had e-mail. Addresses of the
public appear only for casework roles; everyone else sees names and masked hints.
"""

from django import template

from smartsafe.inbox.forms import ReplyForm
from smartsafe.inbox.queries import canned_replies, thread

register = template.Library()


@register.inclusion_tag("inbox/_thread.html", takes_context=True)
def email_thread(context, contact):
    request = context["request"]
    values = thread(request.user, contact)
    return {
        **values,
        "contact": contact,
        "reply_form": ReplyForm(),
        "canned": canned_replies() if values.get("can_reply") else [],
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }
