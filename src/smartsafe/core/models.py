"""Base mixins shared by the domain apps. No concrete models live here."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .text import storable


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(models.Model):
    """Optimistic locking: writers send the version they read; a stale one is refused.

    See ``core.concurrency.lock_for_update``. Every save of an existing row bumps the version.
    """

    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            self.version += 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


class StorableTextModel(models.Model):
    """For records filled from parsers of outside data (mail, messenger payloads): every text and
    JSON value is passed through ``core.text.storable`` on save, so no input can make the database
    refuse the row — on PostgreSQL as on SQLite."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        for field in self._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField, models.JSONField)):
                value = getattr(self, field.attname)
                if value is not None:
                    setattr(self, field.attname, storable(value))
        super().save(*args, **kwargs)
