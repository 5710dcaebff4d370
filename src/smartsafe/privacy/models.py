"""Retention rules as data, legal holds on cases, and what each retention run did."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import policies


class RetentionPolicy(models.Model):
    """How long one kind of record is kept (see ``policies`` for the kinds and the defaults)."""

    kind = models.CharField(_("records"), max_length=32, choices=policies.CHOICES, unique=True)
    keep_days = models.PositiveIntegerField(_("kept for (days)"))
    note = models.CharField(_("why this long"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self) -> str:
        return f"{self.kind}: {self.keep_days}"

    @property
    def definition(self) -> policies.Kind:
        return policies.BY_CODE[self.kind]


class LegalHold(models.Model):
    """A case that must not be anonymised or shredded (e.g. under police investigation)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=300)
    placed_at = models.DateTimeField(_("placed"), default=timezone.now)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("legal hold")
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(lifted_at__isnull=True), name="legal_hold_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"hold on case {self.case_id}"


class Anonymised(models.Model):
    """A record the retention job (or an erasure) has already emptied: not counted as due again."""

    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="anonymised_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class RetentionRun(models.Model):
    """One run of the retention job: when, whether it was a dry run, and how many of each kind."""

    started_at = models.DateTimeField(default=timezone.now)
    dry_run = models.BooleanField(default=True)
    counts = models.JSONField(default=dict)
    held = models.PositiveIntegerField(default=0)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"retention run {self.pk}"


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access: what is held about me")
    ERASURE = "erasure", _("Erasure: delete what is held about me")


class RequestState(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    ERASED = "erased", _("Erased")
    PARTLY_ERASED = "partly_erased", _("Partly erased")
    REFUSED = "refused", _("Refused")


class SubjectRequest(models.Model):
    """A person's request to see or erase what the centre holds about them.

    The identity they gave is never stored: only its kind, a hint (its last three characters)
    and the contacts it matched when the officer opened the request. The decision and what it did
    are kept here, so the officer can show how every request was answered.
    """

    kind = models.CharField(_("request"), max_length=16, choices=RequestKind.choices)
    identity_kind = models.CharField(_("found by"), max_length=16)
    identity_hint = models.CharField(_("identity"), max_length=8)
    contact_ids = models.JSONField(default=list)
    note = models.CharField(_("how the request arrived"), max_length=300, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=RequestState.choices, default=RequestState.OPEN
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(_("decision"), max_length=500, blank=True)
    outcome = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("subject request")

    def __str__(self) -> str:
        return f"subject request {self.pk}"
