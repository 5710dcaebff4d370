"""Referrals: one case × one institution, tracked to its outcome (docs/domain.md §3).

State machine (``referrals/states.py``, docs/referrals.md):
draft → [pending_approval →] sent → acknowledged → accepted | rejected → completed, and revoked
from any open state. Delivery (e-mail, portal, phone, paper) is tracked beside the state: a sent
referral whose e-mail bounced is "sent — delivery failed", never silently "sent".
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from smartsafe.core.models import TimeStampedModel, VersionedModel


class ReferralState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Awaiting approval")
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    COMPLETED = "completed", _("Completed")
    REVOKED = "revoked", _("Revoked")


OPEN_STATES = (ReferralState.SENT, ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED)
FINAL_STATES = (ReferralState.REJECTED, ReferralState.COMPLETED, ReferralState.REVOKED)


class ReferralKind(models.TextChoices):
    REPORT = "report", _("Report for action")
    SUPPORT = "support", _("Support service")
    INFORMATION = "information", _("For information")


class DeliveryMethod(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PORTAL = "portal", _("Institution portal")
    PHONE = "phone", _("Phone")
    PAPER = "paper", _("Paper / in person")


class DeliveryStatus(models.TextChoices):
    NOT_SENT = "not_sent", _("Not sent yet")
    PENDING = "pending", _("Being delivered")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Delivery failed")


class PacketLanguage(models.TextChoices):
    SR_CYRL = "sr", _("Serbian (Cyrillic)")
    SR_LATN = "sr-latn", _("Serbian (Latin)")
    EN = "en", _("English")


class Referral(TimeStampedModel, VersionedModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("case")
    )
    institution = models.ForeignKey(
        "directory.Institution",
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("institution"),
    )
    kind = models.CharField(
        _("kind"), max_length=16, choices=ReferralKind.choices, default=ReferralKind.REPORT
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ReferralState.choices, default=ReferralState.DRAFT, db_index=True
    )
    urgent = models.BooleanField(_("urgent"), default=False, db_index=True)
    reason = models.TextField(_("why this institution"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    # What the institution receives.
    packet_language = models.CharField(
        _("packet language"), max_length=8, choices=PacketLanguage.choices, default="sr"
    )
    packet = models.JSONField(
        _("packet"), default=dict, blank=True, help_text=_("Frozen when the referral is sent.")
    )
    packet_sha256 = models.CharField(_("packet SHA-256"), max_length=64, blank=True)
    shared_evidence = models.JSONField(
        _("evidence files shared"),
        default=list,
        blank=True,
        help_text=_("Ids of evidence files the counsellor deliberately attached; none by default."),
    )

    delivery_method = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryMethod.choices, default=DeliveryMethod.EMAIL
    )
    delivery_status = models.CharField(
        _("delivery status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_SENT
    )
    delivery_error = models.TextField(_("delivery error"), blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    # The institution's answer.
    institution_reference = models.CharField(_("institution's reference"), max_length=100, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    feedback = models.TextField(_("feedback"), blank=True)
    revoke_reason = models.TextField(_("reason for revoking"), blank=True)

    # One timestamp per stage (latest entry).
    submitted_at = models.DateTimeField(_("submitted for approval"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    # Deadlines, set when sent (``referrals/deadlines.py``); reminders and escalation stamp these.
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True, db_index=True)
    respond_due_at = models.DateTimeField(_("respond by"), null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-urgent", "-created_at"]
        constraints = [
            # One live referral per case and institution; a revoked one may be followed by a new one.
            models.UniqueConstraint(
                fields=["case", "institution"],
                condition=~Q(state="revoked"),
                name="referral_one_live_per_institution",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case.reference} → {self.institution.code}"

    @property
    def is_overdue(self) -> bool:
        now = timezone.now()
        if self.state == ReferralState.SENT and self.acknowledge_due_at:
            return now > self.acknowledge_due_at
        if self.state in (ReferralState.ACKNOWLEDGED, ReferralState.ACCEPTED) and self.respond_due_at:
            return now > self.respond_due_at
        return False


class ReferralEvent(models.Model):
    """Every transition of a referral: who, when, from which state to which, and what they said."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    # Recorded by a counsellor on the institution's behalf (phone, paper) rather than in the portal.
    on_behalf = models.BooleanField(default=False)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.action}"


class ReferralMessage(models.Model):
    """A question or answer between the centre and the institution about one referral."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="messages")
    at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_institution = models.BooleanField(default=False)
    body = models.TextField(_("message"))

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.referral_id}: message {self.pk}"


class RoutingRule(models.Model):
    """Data an admin edits: which institutions a case of a category should go to.

    ``institution`` names one institution (national ones); otherwise ``institution_kind`` is
    resolved against the case's municipality (the local centre for social work, school
    administration…). ``urgent_only`` rules apply only to urgent cases; ``severe_only`` ones are
    suggested but unticked unless the case is urgent.
    """

    category = models.ForeignKey(
        "taxonomy.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        help_text=_("Empty: applies to every category."),
    )
    institution = models.ForeignKey(
        "directory.Institution", on_delete=models.CASCADE, null=True, blank=True, related_name="routing_rules"
    )
    institution_kind = models.CharField(max_length=20, blank=True)
    kind = models.CharField(max_length=16, choices=ReferralKind.choices, default=ReferralKind.REPORT)
    urgent_only = models.BooleanField(default=False)
    severe_only = models.BooleanField(default=False)
    priority = models.PositiveSmallIntegerField(default=100)
    active = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return f"{self.category_id or '*'} → {self.institution_id or self.institution_kind}"


class DeadlinePolicy(models.Model):
    """How fast an institution type must acknowledge and respond; shorter for urgent cases."""

    institution_kind = models.CharField(
        max_length=20, blank=True, help_text=_("Empty: the default for every type.")
    )
    urgent = models.BooleanField(default=False)
    acknowledge_within = models.DurationField(default=dt.timedelta(days=1))
    acknowledge_in_working_days = models.BooleanField(default=True)
    respond_within = models.DurationField(default=dt.timedelta(days=10))
    respond_in_working_days = models.BooleanField(default=True)
    # After a reminder, escalate to the supervisor when this much more time has passed.
    escalate_after = models.DurationField(default=dt.timedelta(days=2))

    class Meta:
        verbose_name = _("deadline policy")
        verbose_name_plural = _("deadline policies")
        constraints = [
            models.UniqueConstraint(fields=["institution_kind", "urgent"], name="deadline_policy_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.institution_kind or '*'}{' (urgent)' if self.urgent else ''}"
