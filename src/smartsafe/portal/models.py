"""The public report: drafts while someone types, and the report they filed (docs/domain.md §4).

A *draft* lives on the server, found by a random token kept in the visitor's session: what they
typed on each step and the files already accepted (sealed with the evidence vault's key, and
deleted when the report is filed or the draft expires). Nothing is lost on Back, Next or an error.

A *public report* ties the web-form contact to the reporter's reference code and follow-up
secret. The secret is never stored: only its SHA-256 (it is 128 random bits, so no salt or slow
hash is needed to resist guessing; see docs/portal.md).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartsafe.cases.models import ArtefactKind


class ReportDraft(models.Model):
    token = models.CharField(max_length=64, unique=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report draft")
        verbose_name_plural = _("report drafts")

    def __str__(self) -> str:
        return f"draft {self.pk}"


class DraftFile(models.Model):
    """A file accepted on the evidence step, waiting for the report to be filed.

    The content is sealed by ``evidence.crypto`` (AES-GCM, a key per file, wrapped by the vault's
    master key); ``context`` is authenticated with it.
    """

    draft = models.ForeignKey(ReportDraft, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    context = models.CharField(max_length=64, unique=True)
    ciphertext = models.BinaryField()
    nonce = models.BinaryField(max_length=12)
    wrapped_key = models.BinaryField(max_length=128)
    key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.name


class PublicReport(models.Model):
    reference = models.CharField(_("reference"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    contact = models.OneToOneField(
        "intake.Contact", on_delete=models.PROTECT, related_name="public_report", verbose_name=_("contact")
    )
    category = models.ForeignKey(
        "taxonomy.Category", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("category")
    )
    answers = models.JSONField(_("answers"), default=dict)
    completeness = models.PositiveSmallIntegerField(_("completeness (%)"), default=0)
    missing = models.JSONField(_("missing items"), default=list, blank=True)
    file_count = models.PositiveIntegerField(_("files"), default=0)
    urgent = models.BooleanField(_("child in danger"), default=False)
    via = models.CharField(max_length=8, default="web")
    created_at = models.DateTimeField(_("filed"), default=timezone.now, db_index=True)
    # The last time the reporter added something; the public status shows the latest change.
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reference


class ReportArtefact(models.Model):
    """An online trace the reporter gave (a URL, a user name, a profile link), kept normalised so
    counsellors can add it to the case (``cases.artefacts.identity``)."""

    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="artefacts")
    kind = models.CharField(_("kind"), max_length=20, choices=ArtefactKind.choices)
    value = models.CharField(_("as reported"), max_length=500)
    normalized = models.CharField(_("normalised"), max_length=500, db_index=True)
    platform = models.ForeignKey(
        "taxonomy.Platform", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("platform")
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.value


class ReportAddition(models.Model):
    """Information the reporter added later through "Check my report": a contact of its own."""

    report = models.ForeignKey(PublicReport, on_delete=models.CASCADE, related_name="additions")
    contact = models.OneToOneField("intake.Contact", on_delete=models.PROTECT, related_name="public_addition")
    file_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.report} + {self.contact}"


class ReportSubmission(models.Model):
    """A report accepted over the API and not yet registered as a contact (``portal/submissions.py``).

    The reporter already holds its reference and secret. What they sent is sealed with the evidence
    vault's key (it is a child's words and perhaps a way to reach them) until a worker registers it
    — within a second or two — and deletes this row in the same transaction.
    """

    reference = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    context = models.CharField(max_length=64, unique=True)
    ciphertext = models.BinaryField()
    nonce = models.BinaryField(max_length=12)
    wrapped_key = models.BinaryField(max_length=128)
    key_id = models.CharField(max_length=32)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report being registered")
        verbose_name_plural = _("reports being registered")

    def __str__(self) -> str:
        return f"submission {self.pk}"
