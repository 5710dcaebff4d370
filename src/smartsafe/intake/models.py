"""Contacts: every inbound communication on one channel (docs/domain.md §2).

A contact's life: new → triaged → linked (to a case) | closed. Non-data contacts (silent calls,
hang-ups, pranks, wrong numbers) are counted like any other but are born closed with few fields.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from smartsafe.core.models import StorableTextModel, TimeStampedModel, VersionedModel
from smartsafe.core.text import fold_many

from .titles import render as render_title


class ContactState(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Triaged")
    LINKED = "linked", _("Linked to a case")
    CLOSED = "closed", _("Closed")


class NonDataKind(models.TextChoices):
    SILENT = "silent", _("Silent call")
    HANG_UP = "hang_up", _("Hang-up")
    PRANK = "prank", _("Prank")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class ContactLanguage(models.TextChoices):
    SERBIAN = "sr", _("Serbian")
    ENGLISH = "en", _("English")
    HUNGARIAN = "hu", _("Hungarian")
    BOSNIAN = "bs", _("Bosnian")
    ALBANIAN = "sq", _("Albanian")
    ROMANI = "rom", _("Romani")
    OTHER = "other", _("Other")


class Contact(StorableTextModel, TimeStampedModel, VersionedModel):
    channel = models.ForeignKey("taxonomy.Channel", on_delete=models.PROTECT, verbose_name=_("channel"))
    # No single-column indexes on state or received_at: the composite indexes below lead with
    # them, and every index is one more write per report.
    state = models.CharField(
        _("state"), max_length=16, choices=ContactState.choices, default=ContactState.NEW
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    non_data_kind = models.CharField(
        _("non-data contact"), max_length=16, choices=NonDataKind.choices, blank=True
    )

    urgent = models.BooleanField(_("child in immediate danger"), default=False, db_index=True)
    reporter_type = models.ForeignKey(
        "taxonomy.ReporterType",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("caller type"),
    )
    language = models.CharField(_("language"), max_length=8, choices=ContactLanguage.choices, default="sr")
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    # A subject the platform wrote (intake/titles.py): shown in the reader's language.
    subject_template = models.CharField(max_length=32, blank=True, editable=False)
    subject_args = models.JSONField(default=dict, blank=True, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    advice_given = models.TextField(_("advice given"), blank=True)
    topics = models.ManyToManyField(
        "taxonomy.Category", blank=True, related_name="contacts", verbose_name=_("topics")
    )

    # Who the reporter is, only as far as they chose to say (sensitive; every read is audited).
    reporter_name = models.CharField(_("reporter's name"), max_length=150, blank=True)
    reporter_contact = models.CharField(_("how to reach the reporter"), max_length=200, blank=True)
    # Automatic identity from a channel (caller number, messenger id): keyed hash and a hint only.
    sender_hash = models.CharField(max_length=64, blank=True, db_index=True)
    sender_hint = models.CharField(_("sender"), max_length=40, blank=True)
    # The provider's message / call id: makes intake idempotent per channel.
    external_id = models.CharField(_("external id"), max_length=200, blank=True)

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("case"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_contacts",
        verbose_name=_("assigned to"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="logged_contacts",
        verbose_name=_("logged by"),
    )
    # Folded copy of the searchable text (core/text.py): same search on SQLite and PostgreSQL.
    search_text = models.TextField(blank=True, editable=False)
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    linked_at = models.DateTimeField(_("linked"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-urgent", "-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="contact_unique_external_id",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-received_at"]),
            # The inbox's order (views.inbox): the first page is read straight off this index.
            models.Index(fields=["-urgent", "-received_at", "-id"], name="contact_inbox_order"),
            # The inbox's queues (intake/queues.py): each filter and order has its index.
            models.Index(fields=["-received_at", "-id"], name="contact_recent_order"),
            models.Index(fields=["state", "-urgent", "received_at", "id"], name="contact_queue_new"),
            # The search's trigram index on PostgreSQL lives in migration 0002 only (SQLite has none).
        ]

    def __str__(self) -> str:
        return f"K-{self.pk}"

    def save(self, *args, **kwargs):
        self.search_text = fold_many(self.subject, self.summary, self.advice_given, self.reporter_name)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return f"K-{self.pk}"

    @property
    def display_subject(self) -> str:
        """The subject in the active language when the platform wrote it, else as typed."""
        return render_title(self.subject_template, self.subject_args) or self.subject

    @property
    def is_non_data(self) -> bool:
        return bool(self.non_data_kind)
