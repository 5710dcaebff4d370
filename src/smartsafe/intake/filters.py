"""The inbox filters, shared by the staff pages and ``/api/v1/contacts/``."""

from __future__ import annotations

import re

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartsafe.accounts.roles import CASEWORK_ROLES
from smartsafe.cases.models import Case
from smartsafe.core.text import fold
from smartsafe.taxonomy.models import Category, Channel

from .models import Contact, ContactState

# A case reference as folded: ``ss-2026-000123`` (cases/references.py).
CASE_REFERENCE = re.compile(r"^[a-z]{1,8}-\d{4}-\d{1,10}$")


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
        """Words in any script (folded, ``core/text.py``), a contact reference ``K-12``, or a case
        reference ``SS-2026-000123``, which finds the case's contacts as well as any text naming it.

        On PostgreSQL ``search_text LIKE '%term%'`` is answered by a trigram index (migration
        0002); the case is looked up first by its unique reference, so both halves of the OR
        stay on an index. The queryset given is already scoped to what the user may see."""
        term = fold(value)[:200]
        if not term:
            return queryset
        if term.startswith("k-") and term[2:].isdigit():
            return queryset.filter(pk=int(term[2:]) if len(term) < 20 else 0)
        matches = Q(search_text__contains=term)
        if CASE_REFERENCE.match(term):
            raw = value.strip()
            case_ids = list(
                Case.objects.filter(reference__in={raw, raw.upper()}).values_list("pk", flat=True)
            )
            if case_ids:
                matches |= Q(case_id__in=case_ids)
        return queryset.filter(matches)
