"""The inbox filters, shared by the staff pages and ``/api/v1/contacts/``."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from smartsafe.accounts.roles import CASEWORK_ROLES
from smartsafe.core.text import fold
from smartsafe.taxonomy.models import Category, Channel

from .models import Contact, ContactState


class ContactFilter(filters.FilterSet):
    # field_name ends in __code: with to_field_name the filter compares the code, not the id.
    channel = filters.ModelMultipleChoiceFilter(
        field_name="channel__code", queryset=Channel.objects.all(), to_field_name="code", label=_("Channel")
    )
    state = filters.MultipleChoiceFilter(choices=ContactState.choices, label=_("State"))
    urgent = filters.BooleanFilter(label=_("Child in immediate danger"))
    topic = filters.ModelMultipleChoiceFilter(
        field_name="topics__code", queryset=Category.objects.all(), to_field_name="code", label=_("Topic")
    )
    assignee = filters.CharFilter(method="filter_assignee", label=_("Assigned to"))
    received_from = filters.DateFilter(field_name="received_at", lookup_expr="date__gte", label=_("From"))
    received_to = filters.DateFilter(field_name="received_at", lookup_expr="date__lte", label=_("To"))
    search = filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta:
        model = Contact
        fields = ["channel", "state", "urgent", "topic", "assignee", "received_from", "received_to", "search"]

    def filter_assignee(self, queryset, name, value):
        """``me``, ``none``, or a username."""
        value = value.strip()
        if value == "me":
            return queryset.filter(assigned_to=self.request.user) if self.request else queryset.none()
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to__username=value, assigned_to__role__in=CASEWORK_ROLES)

    def filter_search(self, queryset, name, value):
        term = fold(value)[:200]
        if not term:
            return queryset
        if term.startswith("k-") and term[2:].isdigit():
            return queryset.filter(pk=int(term[2:]))
        return queryset.filter(search_text__contains=term)
