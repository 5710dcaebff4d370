"""Shapes of the public report API, for the OpenAPI schema. Validation itself is the report form's
(``portal/forms.py``), so the web and the API accept exactly the same answers."""

from __future__ import annotations

from rest_framework import serializers

from ..forms import IN_DANGER, REPLY, REPORTED_TO, REPORTERS, TIME_ZONES, WHAT_HAPPENED


class ReportCreateSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=[code for code, _l, _h in WHAT_HAPPENED])
    description = serializers.CharField(max_length=5000)
    when_date = serializers.DateField(required=False, help_text="YYYY-MM-DD")
    when_time = serializers.TimeField(required=False, help_text="HH:MM")
    when_timezone = serializers.ChoiceField(choices=TIME_ZONES, required=False, default="Europe/Belgrade")
    when_unsure = serializers.BooleanField(required=False)
    platforms = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Platform codes."
    )
    urls = serializers.ListField(child=serializers.CharField(), required=False)
    people = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="User names, profile links, phone numbers."
    )
    age_band = serializers.CharField(required=False, help_text="Age band code.")
    municipality = serializers.CharField(required=False, help_text="Municipality code.")
    in_danger = serializers.ChoiceField(choices=[code for code, _l in IN_DANGER])
    reported_to = serializers.ListField(
        child=serializers.ChoiceField(choices=[code for code, _l in REPORTED_TO]), required=False
    )
    report_tickets = serializers.CharField(required=False)
    reporter = serializers.ChoiceField(choices=[code for code, _l, _t in REPORTERS])
    reply = serializers.ChoiceField(
        choices=[code for code, _l in REPLY],
        required=False,
        help_text="Default: contact when e-mail or phone is given.",
    )
    name = serializers.CharField(required=False)
    email = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    consent = serializers.BooleanField()
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="Multipart only. Never for category csam."
    )


class ReportReceiptSerializer(serializers.Serializer):
    reference = serializers.CharField()
    follow_up_secret = serializers.CharField(help_text="Shown once; never stored.")
    status_url = serializers.URLField()


class ReportStatusSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=["received", "being_handled", "forwarded", "closed"])
    updated_at = serializers.DateTimeField()


class ReportAdditionSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, max_length=5000)
    in_danger = serializers.BooleanField(required=False)
    files = serializers.ListField(child=serializers.FileField(), required=False, help_text="Multipart only.")


class ReportAdditionReceiptSerializer(serializers.Serializer):
    reference = serializers.CharField()
    files = serializers.IntegerField()
