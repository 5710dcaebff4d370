"""The auditor's filters over the log; the list page and the CSV export share them."""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .codes import OUTCOMES
from .models import AuditEvent


def _start_of(day: dt.date) -> dt.datetime:
    # A day in the site's time zone, as the auditor reads it; bounds (not a date() cast) keep the index.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class AuditEventFilter(filters.FilterSet):
    actor = filters.CharFilter(field_name="actor_label", label=_("Actor (user name)"))
    action = filters.CharFilter(
        widget=forms.TextInput(attrs={"list": "audit-codes", "autocomplete": "off"}),
        field_name="action",
        lookup_expr="startswith",
        label=_("Action"),
        help_text=_('A code or its start, e.g. "case."'),
    )
    object_type = filters.CharFilter(field_name="object_type", label=_("Object type"))
    object_id = filters.CharFilter(field_name="object_id", label=_("Object id"))
    date_from = filters.DateFilter(
        method="filter_date_from", label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = filters.DateFilter(
        method="filter_date_to", label=_("To"), widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = filters.ChoiceFilter(choices=list(OUTCOMES.items()), label=_("Outcome"))

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_start_of(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(occurred_at__lt=_start_of(value + dt.timedelta(days=1)))

    def applied(self) -> dict:
        """The filters in effect, as plain JSON values, for the ``audit.browse`` / ``audit.export`` event."""
        if not self.is_bound:
            return {}
        self.errors  # noqa: B018 — validates the form so cleaned_data exists
        cleaned = getattr(self.form, "cleaned_data", {})
        return {name: str(value) for name, value in cleaned.items() if value not in (None, "")}
