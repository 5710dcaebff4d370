"""Contacts in the API: related records by code, people by user name, datetimes with offset.

Lists show a summary without the reporter's personal details and text; those come only with the
audited read of one contact (``GET /api/v1/contacts/{id}/``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from smartsafe.accounts.roles import CASEWORK_ROLES
from smartsafe.api.fields import CodeField, UsernameField
from smartsafe.taxonomy.models import Category, Channel, ReporterType

from ..models import Contact, ContactLanguage, NonDataKind
from ..states import TRANSITIONS

TEXT_MAX = 20_000
MAX_DURATION = 7 * 24 * 3600

LIST_FIELDS = [
    "id",
    "reference",
    "state",
    "channel",
    "received_at",
    "urgent",
    "non_data_kind",
    "reporter_type",
    "language",
    "subject",
    "topics",
    "case",
    "assigned_to",
    "created_at",
    "version",
]
DETAIL_FIELDS = LIST_FIELDS + [
    "ended_at",
    "duration_seconds",
    "summary",
    "advice_given",
    "reporter_name",
    "reporter_contact",
    "sender_hint",
    "created_by",
    "updated_at",
    "triaged_at",
    "linked_at",
    "closed_at",
    "allowed_actions",
]


class ContactListSerializer(serializers.ModelSerializer):
    channel = CodeField(read_only=True)
    reporter_type = CodeField(read_only=True)
    topics = CodeField(many=True, read_only=True)
    case = serializers.SlugRelatedField(slug_field="reference", read_only=True)
    assigned_to = UsernameField(read_only=True)

    class Meta:
        model = Contact
        fields = LIST_FIELDS
        read_only_fields = LIST_FIELDS


class ContactSerializer(ContactListSerializer):
    created_by = UsernameField(read_only=True)
    allowed_actions = serializers.SerializerMethodField(help_text="State transitions possible now.")

    class Meta(ContactListSerializer.Meta):
        fields = DETAIL_FIELDS
        read_only_fields = DETAIL_FIELDS

    def get_allowed_actions(self, contact) -> list[str]:
        return [
            name
            for name, (sources, _target) in TRANSITIONS.items()
            if contact.state in sources and name != "link"
        ]


class ContactFieldsSerializer(serializers.Serializer):
    """The fields a counsellor sets on a contact (``intake.actions.EDITABLE_FIELDS`` + topics)."""

    channel = CodeField(queryset=Channel.objects.all())
    received_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    duration_seconds = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_DURATION
    )
    reporter_type = CodeField(queryset=ReporterType.objects.all(), required=False, allow_null=True)
    language = serializers.ChoiceField(choices=ContactLanguage.choices, required=False)
    subject = serializers.CharField(required=False, allow_blank=True, max_length=250)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    advice_given = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    urgent = serializers.BooleanField(required=False)
    reporter_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    reporter_contact = serializers.CharField(required=False, allow_blank=True, max_length=200)
    topics = CodeField(queryset=Category.objects.all(), many=True, required=False)

    def validate_topics(self, value):
        return list(dict.fromkeys(value))  # duplicates are harmless; drop them


class ContactCreateSerializer(ContactFieldsSerializer):
    non_data_kind = serializers.ChoiceField(
        choices=NonDataKind.choices,
        required=False,
        help_text="A silent call, hang-up, prank or wrong number: only channel and received_at go with it.",
    )
    close = serializers.BooleanField(
        required=False, default=False, help_text="The contact needed one answer: born closed."
    )

    NON_DATA_ALLOWED = {"channel", "received_at", "non_data_kind", "close"}

    def validate(self, attrs):
        if attrs.get("non_data_kind"):
            extra = sorted((set(self.initial_data) & set(self.fields)) - self.NON_DATA_ALLOWED)
            if extra:
                raise serializers.ValidationError(
                    {name: [_("A non-data contact has no other details.")] for name in extra}
                )
        return attrs


class ContactUpdateSerializer(ContactFieldsSerializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31, help_text="The version you read.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].required = False


class ContactTriageSerializer(ContactFieldsSerializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].required = False


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, max_value=2**31, required=False, help_text="The version you read; refused if stale."
    )


class AssignSerializer(serializers.Serializer):
    assignee = UsernameField(
        allow_null=True, help_text="A counsellor's or supervisor's user name; null unassigns."
    )

    def validate_assignee(self, user):
        if user is not None and user.role not in CASEWORK_ROLES:
            raise serializers.ValidationError(
                _("Contacts can only be assigned to counsellors and supervisors.")
            )
        return user
