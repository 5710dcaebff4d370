"""Cases: work beyond a single answer, opened from one or more contacts (docs/domain.md §2).

State machine (see ``cases/states.py`` and docs/state-machines.md):
new → in_progress → awaiting_institution → pending_closure → closed, with reopen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from smartsafe.core.models import TimeStampedModel, VersionedModel
from smartsafe.core.text import fold_many
from smartsafe.intake.titles import render as render_title


class CaseState(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    AWAITING_INSTITUTION = "awaiting_institution", _("Awaiting institution")
    PENDING_CLOSURE = "pending_closure", _("Closure awaiting approval")
    CLOSED = "closed", _("Closed")


class CaseKind(models.TextChoices):
    ADVISORY = "advisory", _("Advisory")
    REFERRED = "referred", _("Referred")


class Resolution(models.TextChoices):
    ADVICE_GIVEN = "advice_given", _("Advice given, nothing more needed")
    REFERRED_RESOLVED = "referred_resolved", _("Referred; institution has acted")
    REFERRED_NO_FEEDBACK = "referred_no_feedback", _("Referred; no feedback expected")
    CONTENT_REMOVED = "content_removed", _("Content or profile removed")
    REPORTER_UNREACHABLE = "reporter_unreachable", _("Reporter unreachable")
    DUPLICATE = "duplicate", _("Duplicate of another case")
    NOT_IN_SCOPE = "not_in_scope", _("Not within the centre's remit")
    OTHER = "other", _("Other (explain)")


class Case(TimeStampedModel, VersionedModel):
    reference = models.CharField(_("reference"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=CaseKind.choices, default=CaseKind.ADVISORY)
    state = models.CharField(
        _("state"), max_length=24, choices=CaseState.choices, default=CaseState.NEW, db_index=True
    )
    title = models.CharField(_("title"), max_length=200)
    # A title taken unchanged from a contact's generated subject (intake/titles.py): shown in
    # the reader's language; cleared when someone edits the title.
    title_template = models.CharField(max_length=32, blank=True, editable=False)
    title_args = models.JSONField(default=dict, blank=True, editable=False)
    summary = models.TextField(_("summary"), blank=True)
    categories = models.ManyToManyField(
        "taxonomy.Category", blank=True, related_name="cases", verbose_name=_("categories")
    )
    platforms = models.ManyToManyField(
        "taxonomy.Platform", blank=True, related_name="cases", verbose_name=_("platforms")
    )

    urgent = models.BooleanField(_("child in immediate danger"), default=False, db_index=True)
    urgent_reason = models.CharField(_("why urgent"), max_length=300, blank=True)

    child_age_band = models.ForeignKey(
        "taxonomy.AgeBand",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("child's age band"),
    )
    child_sex = models.ForeignKey(
        "taxonomy.Sex", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("child's sex")
    )
    municipality = models.ForeignKey(
        "taxonomy.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("municipality"),
    )

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_cases",
        verbose_name=_("owner"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assigned to"),
    )

    resolution = models.CharField(_("resolution"), max_length=32, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)
    closure_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    # One timestamp per stage of the state machine (the latest entry into that stage).
    opened_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)
    in_progress_at = models.DateTimeField(_("work started"), null=True, blank=True)
    awaiting_institution_at = models.DateTimeField(_("awaiting institution since"), null=True, blank=True)
    pending_closure_at = models.DateTimeField(_("closure requested"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True, db_index=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    search_text = models.TextField(blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-urgent", "-opened_at"]
        indexes = [models.Index(fields=["state", "-opened_at"])]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        self.search_text = fold_many(self.reference, self.title, self.summary, self.resolution_note)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def display_title(self) -> str:
        return render_title(self.title_template, self.title_args) or self.title

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED


class ReferenceSequence(models.Model):
    """The last number handed out per prefix and year: ``SS-2026-000123``."""

    prefix = models.CharField(max_length=8)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.case_id}: note {self.pk}"


class ArtefactKind(models.TextChoices):
    URL = "url", _("URL")
    USERNAME = "username", _("User name")
    PROFILE_URL = "profile_url", _("Profile URL")
    PLATFORM_USER_ID = "platform_user_id", _("Platform user ID")
    PHONE = "phone", _("Phone number")
    EMAIL = "email", _("E-mail address")


class Artefact(models.Model):
    """An online trace of the incident (a URL, a profile, a user name, a number).

    ``normalized`` is the canonical form (``cases/artefacts.py``) that lets the same profile
    reported twice, in different spellings, be recognised and the cases linked.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="artefacts")
    kind = models.CharField(_("kind"), max_length=20, choices=ArtefactKind.choices)
    platform = models.ForeignKey(
        "taxonomy.Platform", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("platform")
    )
    value = models.CharField(_("as reported"), max_length=500)
    normalized = models.CharField(_("normalised"), max_length=500, db_index=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("online artefact")
        verbose_name_plural = _("online artefacts")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "normalized"], name="artefact_unique_per_case"),
        ]

    def __str__(self) -> str:
        return self.value


class CaseLink(models.Model):
    """Two cases that belong together. Stored once, with ``from_case.pk < to_case.pk``."""

    class Reason(models.TextChoices):
        SAME_ARTEFACT = "same_artefact", _("Same online artefact")
        SAME_EVIDENCE = "same_evidence", _("Same or near-identical evidence file")
        MANUAL = "manual", _("Linked by staff")

    from_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_out")
    to_case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="links_in")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_case", "to_case"], name="case_link_unique"),
            models.CheckConstraint(condition=Q(from_case__lt=models.F("to_case")), name="case_link_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.from_case_id} ↔ {self.to_case_id}"


class TimelineEntry(models.Model):
    """One line of a case's story, shown to staff. ``kind`` + ``data`` render in any language."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.kind}"


class CaseShare(models.Model):
    """What the centre chose to share with an institution: the only way a liaison sees a case.

    Referrals create these when sent; revoking removes access. The query layer scopes liaisons by
    this table and nothing else.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    institution = models.ForeignKey(
        "directory.Institution", on_delete=models.PROTECT, related_name="case_shares"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "institution"], name="case_share_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.institution_id}"
