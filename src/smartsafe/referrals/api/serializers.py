"""Referrals in the API: cases by reference, institutions by code, people by user name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from smartsafe.api.fields import CodeField, UsernameField
from smartsafe.cases.queries import cases_visible_to
from smartsafe.directory.models import Institution

from ..actions import MANUAL_METHODS, REFERENCE_MAX, TEXT_MAX
from ..models import (
    DeliveryMethod,
    PacketLanguage,
    Referral,
    ReferralEvent,
    ReferralKind,
    ReferralMessage,
)
from ..permissions import actions_for, can_read_all_referrals
from ..states import TRANSITIONS, allowed_actions

LIST_FIELDS = [
    "id",
    "case",
    "institution",
    "institution_name",
    "kind",
    "state",
    "urgent",
    "delivery_method",
    "delivery_status",
    "packet_language",
    "sent_at",
    "acknowledge_due_at",
    "respond_due_at",
    "is_overdue",
    "institution_reference",
    "created_at",
    "version",
]
DETAIL_FIELDS = LIST_FIELDS + [
    "reason",
    "created_by",
    "approved_by",
    "submitted_at",
    "acknowledged_at",
    "accepted_at",
    "rejected_at",
    "completed_at",
    "revoked_at",
    "rejection_reason",
    "feedback",
    "revoke_reason",
    "delivery_error",
    "delivery_attempts",
    "delivered_at",
    "reminded_at",
    "escalated_at",
    "packet",
    "packet_sha256",
    "events",
    "allowed_actions",
    "your_actions",
    "updated_at",
]

# What a liaison sees of the centre's internal workflow: nothing before the referral was sent.
_INTERNAL_EVENTS = frozenset({"create", "update", "submit", "return", "remind", "escalate"})


@extend_schema_field(OpenApiTypes.STR)
class CaseReferenceField(serializers.Field):
    """A case by its reference, among the cases the caller may see (others look missing)."""

    default_error_messages = {
        "does_not_exist": _("Unknown case “{value}”."),
        "invalid": _("Give a case reference as text."),
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        key = data.strip().upper()
        if not key or len(key) > 40 or "\x00" in key:
            self.fail("does_not_exist", value=key[:40].replace("\x00", ""))
        case = cases_visible_to(self.context["request"].user).filter(reference=key).first()
        if case is None:
            self.fail("does_not_exist", value=key)
        return case

    def to_representation(self, value):
        return value.reference


class ReferralEventSerializer(serializers.ModelSerializer):
    actor = UsernameField(read_only=True)

    class Meta:
        model = ReferralEvent
        fields = ["at", "action", "from_state", "to_state", "actor", "on_behalf", "note"]
        read_only_fields = fields


class ReferralListSerializer(serializers.ModelSerializer):
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    institution = serializers.SlugRelatedField(slug_field="code", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Referral
        fields = LIST_FIELDS
        read_only_fields = LIST_FIELDS


class ReferralSerializer(ReferralListSerializer):
    created_by = UsernameField(read_only=True)
    approved_by = UsernameField(read_only=True)
    packet = serializers.JSONField(read_only=True, help_text="The packet as sent (frozen when sent).")
    events = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(help_text="Transitions the state allows now.")
    your_actions = serializers.SerializerMethodField(
        help_text="Transitions the caller may perform now "
        "(for staff, institution actions are recorded on the institution's behalf)."
    )

    class Meta(ReferralListSerializer.Meta):
        fields = DETAIL_FIELDS
        read_only_fields = DETAIL_FIELDS

    def _user(self):
        request = self.context.get("request")
        return request.user if request else None

    @extend_schema_field(ReferralEventSerializer(many=True))
    def get_events(self, referral):
        events = list(referral.events.select_related("actor"))
        if not can_read_all_referrals(self._user()):
            events = [e for e in events if e.action not in _INTERNAL_EVENTS]
        return ReferralEventSerializer(events, many=True).data

    def get_allowed_actions(self, referral) -> list[str]:
        return allowed_actions(referral.state)

    def get_your_actions(self, referral) -> list[str]:
        return actions_for(self._user(), referral)


class _DraftFields(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReferralKind.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    delivery_method = serializers.ChoiceField(
        choices=DeliveryMethod.choices,
        required=False,
        help_text="Default: the portal if the institution uses it, "
        "else e-mail if the directory has an address, else paper.",
    )
    packet_language = serializers.ChoiceField(
        choices=PacketLanguage.choices, required=False, help_text="Default: the institution's."
    )
    urgent = serializers.BooleanField(required=False, help_text="Default: the case's urgency.")


class ReferralCreateSerializer(_DraftFields):
    case = CaseReferenceField(help_text="The case's reference, e.g. SS-2026-000042.")
    institution = CodeField(
        queryset=Institution.objects.filter(active=True), help_text="The institution's code."
    )


class ReferralUpdateSerializer(_DraftFields):
    version = serializers.IntegerField(min_value=1, max_value=2**31, help_text="The version you read.")


class ReferralTransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=list(TRANSITIONS))
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX, help_text="Required to reject or revoke."
    )
    feedback = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_MAX, help_text="Required to complete."
    )
    institution_reference = serializers.CharField(required=False, allow_blank=True, max_length=REFERENCE_MAX)
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False)
    on_behalf = serializers.BooleanField(
        required=False, default=False, help_text="Staff recording the institution's answer (phone, paper)."
    )


class ReferralMessageSerializer(serializers.ModelSerializer):
    body = serializers.CharField(max_length=TEXT_MAX)
    author = UsernameField(read_only=True)
    on_behalf = serializers.BooleanField(
        required=False,
        default=False,
        write_only=True,
        help_text="Staff recording what the institution said (phone, paper).",
    )

    class Meta:
        model = ReferralMessage
        fields = ["id", "at", "author", "from_institution", "body", "on_behalf"]
        read_only_fields = ["id", "at", "author", "from_institution"]


class ReferralDeliverySerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=[(m.value, m.label) for m in MANUAL_METHODS])
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False)


class ReferralSuggestionSerializer(serializers.Serializer):
    institution = serializers.CharField(source="institution.code")
    institution_name = serializers.CharField(source="institution.name")
    institution_kind = serializers.CharField(source="institution.kind")
    kind = serializers.CharField(help_text="report, support or information.")
    reason = serializers.CharField()
    preselected = serializers.BooleanField()
