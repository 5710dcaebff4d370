"""``{% load chat_tags %}{% chat_transcript contact %}``: a chat contact's conversation on its page;
``{% chat_waiting_panel %}``: the inbox's live panel of waiting chats."""

from __future__ import annotations

from django import template

from smartsafe.chat import permissions, queries

register = template.Library()


@register.inclusion_tag("chat/_transcript.html")
def chat_transcript(contact):
    chat = queries.chat_of_contact(None, contact)
    return {"chat": chat, "messages": queries.transcript(chat) if chat else []}


@register.inclusion_tag("chat/_panel.html", takes_context=True)
def chat_waiting_panel(context):
    request = context.get("request")
    return {"enabled": permissions.can_take_chats(getattr(request, "user", None))}
