"""Every read of contacts goes through here: scope first, then audit."""

from __future__ import annotations

from django.http import Http404

from smartsafe.audit import codes
from smartsafe.audit.log import record

from .models import Contact
from .permissions import can_read_contacts


def contacts_visible_to(user):
    """Contacts ``user`` may see. Liaisons never see contacts (they see referral packets)."""
    if not can_read_contacts(user):
        return Contact.objects.none()
    return Contact.objects.all()


def inbox(user):
    return (
        contacts_visible_to(user)
        .select_related("channel", "reporter_type", "assigned_to", "case")
        .prefetch_related("topics")
    )


def access_contact(user, pk, *, audit: bool = True) -> Contact:
    """One contact, if ``user`` may see it; the read is audited. Missing and forbidden look alike.

    ``audit=False`` when the contact is fetched for a write (the write's own event is the record);
    it locks nothing, actions lock what they change.
    """
    try:
        contact = inbox(user).get(pk=int(pk))
    except (Contact.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such contact.") from None
    if audit:
        record(codes.CONTACT_VIEW, actor=user, obj=contact)
    return contact


def record_list_read(user, *, filters: dict, count: int, via: str = "") -> None:
    record(codes.CONTACT_LIST, actor=user, object_type="intake.contact", filters=filters, count=count)
