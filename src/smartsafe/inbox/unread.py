"""Unread state of the unified inbox: a contact is unread until someone who works contacts opens it.

The first opening is kept (``ContactOpened``: when, by whom); later ones are in the audit log as
``contact.view`` like every read. Auditors reading a contact do not make it read: the state answers
"has a counsellor looked at this yet?". The opening itself is written by
``inbox.actions.opened.mark_opened``; this module reads the state.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from .models import ContactOpened


def with_unread(queryset):
    """Annotate contacts with ``is_unread`` (one subquery, no extra query per row)."""
    return queryset.annotate(is_unread=~Exists(ContactOpened.objects.filter(contact=OuterRef("pk"))))
