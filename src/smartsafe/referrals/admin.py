"""Django admin for referrals: administrators edit the routing rules and deadline policies.

Referrals themselves are shown read-only and without their content: every change to a referral goes
through ``actions.py`` (permission, event, timeline, audit), never through a form that writes rows
directly, and every read here is audited.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from smartsafe.accounts.admin_access import REFERENCE, ContentAdminMixin
from smartsafe.directory.models import Institution

from .models import DeadlinePolicy, Referral, RoutingRule


def _kind_choices(blank_label):
    return [("", blank_label), *Institution.Kind.choices]


class RoutingRuleForm(forms.ModelForm):
    institution_kind = forms.ChoiceField(
        label=_("institution type"),
        required=False,
        choices=_kind_choices(_("— (the institution named above)")),
        help_text=_(
            "Resolved against the case's municipality when no institution is named; "
            "“platform” means the platforms recorded on the case."
        ),
    )

    class Meta:
        model = RoutingRule
        fields = [
            "category",
            "institution",
            "institution_kind",
            "kind",
            "urgent_only",
            "severe_only",
            "priority",
            "active",
            "note",
        ]

    def clean(self):
        data = super().clean()
        if not data.get("institution") and not data.get("institution_kind"):
            raise forms.ValidationError(_("Name an institution or an institution type."))
        return data


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    form = RoutingRuleForm
    list_display = (
        "priority",
        "category",
        "institution",
        "institution_kind",
        "kind",
        "urgent_only",
        "severe_only",
        "active",
    )
    list_display_links = ("category",)
    list_editable = ("priority", "active")
    list_filter = ("active", "category", "institution_kind", "urgent_only", "severe_only")
    autocomplete_fields = ("institution",)
    ordering = ("priority", "pk")


class DeadlinePolicyForm(forms.ModelForm):
    institution_kind = forms.ChoiceField(
        label=_("institution type"), required=False, choices=_kind_choices(_("— every type (default)"))
    )

    class Meta:
        model = DeadlinePolicy
        fields = [
            "institution_kind",
            "urgent",
            "acknowledge_within",
            "acknowledge_in_working_days",
            "respond_within",
            "respond_in_working_days",
            "escalate_after",
        ]


@admin.register(DeadlinePolicy)
class DeadlinePolicyAdmin(admin.ModelAdmin):
    exposure = REFERENCE
    form = DeadlinePolicyForm
    list_display = (
        "institution_kind",
        "urgent",
        "acknowledge_within",
        "acknowledge_in_working_days",
        "respond_within",
        "respond_in_working_days",
        "escalate_after",
    )
    list_filter = ("urgent", "institution_kind")


@admin.register(Referral)
class ReferralAdmin(ContentAdminMixin, admin.ModelAdmin):
    """Where a referral went and how far it got; never what it says about the child (the reason,
    the packet, the institution's feedback), which administrators may not read in the app either."""

    list_display = ("__str__", "state", "urgent", "institution", "sent_at", "delivery_status")
    list_filter = ("state", "urgent", "delivery_status", "institution__kind")
    search_fields = ("case__reference", "institution__code", "institution_reference")
    list_select_related = ("case", "institution")
    shown_fields = (
        "case",
        "institution",
        "kind",
        "state",
        "urgent",
        "delivery_method",
        "delivery_status",
        "delivery_attempts",
        "created_at",
        "submitted_at",
        "sent_at",
        "delivered_at",
        "acknowledged_at",
        "accepted_at",
        "rejected_at",
        "completed_at",
        "revoked_at",
        "acknowledge_due_at",
        "respond_due_at",
    )
