"""Infrastructure hooks that keep the roll-ups current (rollups.py explains the rule).

Signals are acceptable here: roll-ups are derived data, not a domain reaction, and every path that
changes a contact or a case — actions, admin, the API, data fixes in a shell — must keep them
right. Each hook only marks the days touched as dirty (an INSERT inside the caller's transaction,
so a rolled-back change marks nothing); ``rollups.drain`` recounts them outside it. A save that
names its ``update_fields`` and changes nothing the statistics count (a summary, a note) marks
nothing. ``raw`` saves (fixtures) are skipped; run ``manage.py rebuild_rollups`` after fixtures.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver

from smartsafe.cases.models import Case
from smartsafe.intake.models import Contact

from . import rollups
from .models import DirtyDay

CONTACTS, CASES = DirtyDay.Family.CONTACTS, DirtyDay.Family.CASES
# Fields of a contact / a case that some roll-up counts or groups by (directly, or as a case's
# origin). A save limited to other fields cannot change any figure.
_CONTACT_COUNTED = {
    "received_at", "case", "channel", "reporter_type", "non_data_kind", "urgent", "created_by",
}  # fmt: skip
_CASE_COUNTED = {"opened_at", "kind", "state", "urgent", "municipality", "owner"}


def _counts(update_fields, counted: set[str]) -> bool:
    return update_fields is None or bool(counted.intersection(f.removesuffix("_id") for f in update_fields))


@receiver(pre_save, sender=Contact, dispatch_uid="stats_contact_pre_save")
def _contact_before(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._stats_before = None
    if instance.pk and not raw and _counts(update_fields, _CONTACT_COUNTED):
        instance._stats_before = (
            Contact.objects.filter(pk=instance.pk).values("received_at", "case_id").first()
        )


@receiver(post_save, sender=Contact, dispatch_uid="stats_contact_post_save")
def _contact_after(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _counts(update_fields, _CONTACT_COUNTED):
        return
    before = getattr(instance, "_stats_before", None) or {}
    days = {rollups.local_day(instance.received_at)}
    if before.get("received_at"):
        days.add(rollups.local_day(before["received_at"]))
    rollups.mark_dirty(CONTACTS, days)
    # A case's origin (channel, reporter type of its first contact) may have changed.
    rollups.mark_dirty(CASES, rollups.case_days({instance.case_id, before.get("case_id")}))


@receiver(post_delete, sender=Contact, dispatch_uid="stats_contact_post_delete")
def _contact_deleted(sender, instance, **kwargs):
    rollups.mark_dirty(CONTACTS, {rollups.local_day(instance.received_at)})
    rollups.mark_dirty(CASES, rollups.case_days({instance.case_id}))


@receiver(pre_save, sender=Case, dispatch_uid="stats_case_pre_save")
def _case_before(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._stats_before = None
    if instance.pk and not raw and _counts(update_fields, _CASE_COUNTED):
        instance._stats_before = (
            Case.objects.filter(pk=instance.pk).values_list("opened_at", flat=True).first()
        )


@receiver(post_save, sender=Case, dispatch_uid="stats_case_post_save")
def _case_after(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not _counts(update_fields, _CASE_COUNTED):
        return
    days = {rollups.local_day(instance.opened_at)}
    before = getattr(instance, "_stats_before", None)
    if before:
        days.add(rollups.local_day(before))
    rollups.mark_dirty(CASES, days)


@receiver(post_delete, sender=Case, dispatch_uid="stats_case_post_delete")
def _case_deleted(sender, instance, **kwargs):
    rollups.mark_dirty(CASES, {rollups.local_day(instance.opened_at)})


def _m2m(model, field_name: str, refresh):
    """Topics of a contact / categories of a case, changed from either side of the relation."""

    def handler(sender, instance, action, reverse, pk_set, **kwargs):
        if action == "pre_clear" and reverse:
            # category.contacts.clear(): remember who is about to lose the category.
            instance._stats_cleared = list(
                model.objects.filter(**{field_name: instance}).values_list("pk", flat=True)
            )
            return
        if action not in ("post_add", "post_remove", "post_clear"):
            return
        if not reverse:
            owners = [instance]
        else:
            pks = pk_set if action != "post_clear" else getattr(instance, "_stats_cleared", [])
            owners = list(model.objects.filter(pk__in=pks or []))
        refresh(owners)

    return handler


def _refresh_contacts(contacts):
    rollups.mark_dirty(CONTACTS, {rollups.local_day(c.received_at) for c in contacts})


def _refresh_cases(cases):
    rollups.mark_dirty(CASES, {rollups.local_day(c.opened_at) for c in cases})


_topics_changed = _m2m(Contact, "topics", _refresh_contacts)
_categories_changed = _m2m(Case, "categories", _refresh_cases)
m2m_changed.connect(_topics_changed, sender=Contact.topics.through, dispatch_uid="stats_contact_topics")
m2m_changed.connect(_categories_changed, sender=Case.categories.through, dispatch_uid="stats_case_categories")
