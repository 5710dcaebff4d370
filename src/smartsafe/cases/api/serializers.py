"""Cases in the API: related records by code, people by user name, datetimes with offset."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from smartsafe.api.fields import CodeField, ScopedIdField, UsernameField
from smartsafe.intake.queries import contacts_visible_to
from smartsafe.taxonomy.models import AgeBand, Category, Municipality, Platform, Sex

from ..models import Artefact, ArtefactKind, Case, CaseKind, CaseNote, Resolution, TimelineEntry
from ..states import TRANSITIONS, allowed_actions

TEXT_MAX = 20_000
MAX_CONTACTS = 100

LIST_FIELDS = [
    "id",
    "reference",
    "kind",
    "state",
    "title",
    "urgent",
    "categories",
    "municipality",
    "child_age_band",
    "owner",
    "assigned_to",
    "opened_at",
    "closed_at",
    "version",
]
DETAIL_FIELDS = LIST_FIELDS + [
    "summary",
    "urgent_reason",
    "platforms",
    "child_sex",
    "resolution",
    "resolution_note",
    "closure_requested_by",
    "closed_by",
    "in_progress_at",
    "awaiting_institution_at",
    "pending_closure_at",
    "reopened_at",
    "reopen_count",
    "created_at",
    "updated_at",
    "contacts",
    "allowed_actions",
]


class CaseListSerializer(serializers.ModelSerializer):
    categories = CodeField(many=True, read_only=True)
    municipality = CodeField(read_only=True)
    child_age_band = CodeField(read_only=True)
    owner = UsernameField(read_only=True)
    assigned_to = UsernameField(read_only=True)

    class Meta:
        model = Case
        fields = LIST_FIELDS
        read_only_fields = LIST_FIELDS


class CaseSerializer(CaseListSerializer):
    platforms = CodeField(many=True, read_only=True)
    child_sex = CodeField(read_only=True)
    closure_requested_by = UsernameField(read_only=True)
    closed_by = UsernameField(read_only=True)
    contacts = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the linked contacts."
    )
    allowed_actions = serializers.SerializerMethodField(
        help_text="Transitions possible from the current state."
    )

    class Meta(CaseListSerializer.Meta):
        fields = DETAIL_FIELDS
        read_only_fields = DETAIL_FIELDS

    def get_allowed_actions(self, case) -> list[str]:
        return allowed_actions(case.state)


class CaseFieldsSerializer(serializers.Serializer):
    """What a counsellor sets on a case (``cases.actions.EDITABLE_FIELDS`` + categories, platforms)."""

    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=CaseKind.choices, required=False)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    urgent = serializers.BooleanField(required=False)
    urgent_reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    child_age_band = CodeField(queryset=AgeBand.objects.all(), required=False, allow_null=True)
    child_sex = CodeField(queryset=Sex.objects.all(), required=False, allow_null=True)
    municipality = CodeField(queryset=Municipality.objects.all(), required=False, allow_null=True)
    categories = CodeField(queryset=Category.objects.all(), many=True, required=False)
    platforms = CodeField(queryset=Platform.objects.all(), many=True, required=False)

    def validate_categories(self, value):
        return list(dict.fromkeys(value))

    def validate_platforms(self, value):
        return list(dict.fromkeys(value))


class CaseCreateSerializer(CaseFieldsSerializer):
    contacts = serializers.ListField(
        child=ScopedIdField(scope=contacts_visible_to, name=gettext_lazy("contact")),
        required=False,
        max_length=MAX_CONTACTS,
        help_text="Ids of contacts to link; each becomes `linked`.",
    )

    def validate_contacts(self, contacts):
        contacts = list({c.pk: c for c in contacts}.values())
        taken = [c for c in contacts if c.case_id]
        if taken:
            raise serializers.ValidationError(
                [_("Contact %(ref)s already belongs to a case.") % {"ref": c.reference} for c in taken]
            )
        return contacts


class CaseUpdateSerializer(CaseFieldsSerializer):
    version = serializers.IntegerField(min_value=1, max_value=2**31, help_text="The version you read.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False


class TransitionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=[(name, t.label) for name, t in TRANSITIONS.items()])
    resolution = serializers.ChoiceField(
        choices=Resolution.choices, required=False, allow_blank=True, help_text="Required to close."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_MAX)
    version = serializers.IntegerField(min_value=1, max_value=2**31, required=False)


class NoteSerializer(serializers.ModelSerializer):
    body = serializers.CharField(max_length=TEXT_MAX)
    author = UsernameField(read_only=True)

    class Meta:
        model = CaseNote
        fields = ["id", "body", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]


class ArtefactSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ArtefactKind.choices)
    value = serializers.CharField(max_length=500)
    platform = CodeField(queryset=Platform.objects.all(), required=False, allow_null=True)
    added_by = UsernameField(read_only=True)

    class Meta:
        model = Artefact
        fields = ["id", "kind", "value", "platform", "normalized", "added_by", "created_at"]
        read_only_fields = ["id", "normalized", "added_by", "created_at"]


class ArtefactAddedSerializer(serializers.Serializer):
    artefact = ArtefactSerializer()
    linked_cases = serializers.ListField(
        child=serializers.CharField(),
        help_text="References of cases newly linked because they share this artefact.",
    )


class TimelineEntrySerializer(serializers.ModelSerializer):
    actor = UsernameField(read_only=True)
    data = serializers.JSONField(read_only=True)

    class Meta:
        model = TimelineEntry
        fields = ["at", "actor", "kind", "data"]
        read_only_fields = fields


class CaseAssignSerializer(serializers.Serializer):
    assignee = UsernameField(
        allow_null=True, help_text="A counsellor's or supervisor's user name; null unassigns."
    )
