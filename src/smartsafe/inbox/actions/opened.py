"""The first opening of a contact by someone who works contacts: what makes it "read" in the
inbox (``inbox/unread.py`` reads the state). Later openings are in the audit log as
``contact.view``, like every read; auditors opening a contact do not make it read.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from smartsafe.intake.permissions import can_log_contacts

from .. import live
from ..models import ContactOpened


def mark_opened(contact, user) -> bool:
    """Record the first opening of ``contact`` by ``user``; True if this was it."""
    if not can_log_contacts(user):
        return False
    if ContactOpened.objects.filter(contact=contact).exists():
        return False
    try:
        with transaction.atomic():
            ContactOpened.objects.create(contact=contact, first_opened_by=user)
    except IntegrityError:  # opened by someone else at the same moment
        return False
    live.contact_changed(contact, event="read")
    return True
