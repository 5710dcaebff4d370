"""The append-only, hash-chained audit log.

Each event's ``hash`` is SHA-256 over the previous event's hash and the event's own canonical
content, so changing, inserting or deleting any row breaks the chain from that row on;
``manage.py verify_audit`` walks it and names the first broken event. Reads are recorded too.

An event is written *pending* (no sequence, no hash) inside the transaction it describes — a plain
INSERT that no other writer waits for — and *sealed* into the chain right after that transaction
commits, by a short transaction of its own (``sealing.py``): the chain head is held for the few
milliseconds of a seal, never for the length of someone's request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk writes would bypass ``record()`` (no sequence, no seal): refused like single ones.

    This guards against mistakes in code, not against someone with database access; the hash
    chain is what makes their changes visible.
    """

    def update(self, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    def delete(self):
        raise AppendOnlyError("Audit events are append-only.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are written one at a time by smartsafe.audit.log.record().")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    update_or_create = bulk_update


class AuditEvent(models.Model):
    # Empty while the event is pending; set once, with the hashes, when it is sealed.
    sequence = models.BigIntegerField(_("sequence"), unique=True, null=True, blank=True)
    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        db_constraint=False,
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, default="ok")
    ip = models.CharField(_("address"), max_length=45, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    via = models.CharField(_("via"), max_length=16, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        # Newest first; pending events (no sequence yet) are the newest of all.
        ordering = [models.F("sequence").desc(nulls_first=True), "-pk"]
        indexes = [
            models.Index(fields=["object_type", "object_id", "sequence"]),
            # The auditor's "everything this person did, newest first".
            models.Index(fields=["actor_label", "sequence"], name="audit_actor_label_seq_idx"),
            # The sealer's "what is still pending", tiny whatever the size of the log.
            models.Index(fields=["id"], name="audit_pending_idx", condition=models.Q(sequence__isnull=True)),
        ]

    def __str__(self) -> str:
        number = f"#{self.sequence}" if self.sequence is not None else _("pending")
        return f"{number} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit events are append-only.")

    @property
    def sealed(self) -> bool:
        return self.sequence is not None


class AuditChainHead(models.Model):
    """One row: the last sequence and hash. Locking it serialises the seals (never the writers)."""

    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)
    # Where the log starts after old events were pruned at a signed checkpoint (prune.py): the
    # checkpoint's sequence and hash. 0 and the genesis hash while nothing was pruned.
    pruned_through = models.BigIntegerField(default=0)
    pruned_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"#{self.sequence} {self.hash}"
