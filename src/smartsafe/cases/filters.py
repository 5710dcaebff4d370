"""Case list filters, shared by the staff pages and ``/api/v1/cases/``."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartsafe.core.text import fold
from smartsafe.taxonomy.models import Category, Municipality, Platform

from . import artefacts
from .models import Case, CaseKind, CaseState


def _artefact_identities(value: str) -> set[str]:
    """What a pasted profile link, phone number or e-mail address is stored as on an artefact."""
    value = value.strip()
    if not value or " " in value:
        return set()
    kinds = ["url"] if ("/" in value or "." in value) and "@" not in value.lstrip("@") else []
    kinds += ["email"] if "@" in value.lstrip("@") else []
    kinds += ["phone"] if sum(ch.isdigit() for ch in value) >= 6 else []
    found = set()
    for kind in kinds:
        try:
            found.add(artefacts.identity(kind, value))
        except artefacts.ArtefactError:
            pass
    return found


class CaseFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=CaseState.choices, label=_("State"))
    open = filters.BooleanFilter(method="filter_open", label=_("Open"))
    kind = filters.ChoiceFilter(choices=CaseKind.choices, label=_("Kind"))
    urgent = filters.BooleanFilter(label=_("Child in immediate danger"))
    category = filters.ModelMultipleChoiceFilter(
        field_name="categories__code",
        queryset=Category.objects.all(),
        to_field_name="code",
        label=_("Category"),
    )
    platform = filters.ModelMultipleChoiceFilter(
        field_name="platforms__code",
        queryset=Platform.objects.all(),
        to_field_name="code",
        label=_("Platform"),
    )
    municipality = filters.ModelChoiceFilter(
        queryset=Municipality.objects.all(), to_field_name="code", label=_("Municipality")
    )
    assignee = filters.CharFilter(method="filter_assignee", label=_("Assigned to"))
    opened_from = filters.DateFilter(field_name="opened_at", lookup_expr="date__gte", label=_("Opened from"))
    opened_to = filters.DateFilter(field_name="opened_at", lookup_expr="date__lte", label=_("Opened to"))
    search = filters.CharFilter(method="filter_search", label=_("Search"))

    class Meta:
        model = Case
        fields = [
            "state",
            "open",
            "kind",
            "urgent",
            "category",
            "platform",
            "municipality",
            "assignee",
            "search",
        ]

    def filter_open(self, queryset, name, value):
        return queryset.exclude(state=CaseState.CLOSED) if value else queryset.filter(state=CaseState.CLOSED)

    def filter_assignee(self, queryset, name, value):
        value = value.strip()
        if value == "me":
            return queryset.filter(assigned_to=self.request.user) if self.request else queryset.none()
        if value == "none":
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to__username=value)

    def filter_search(self, queryset, name, value):
        term = fold(value)[:200]
        if not term:
            return queryset
        matches = Q(search_text__contains=term) | Q(artefacts__normalized__contains=term.lstrip("@"))
        for identity in _artefact_identities(value):
            matches |= Q(artefacts__normalized=identity)
        return queryset.filter(pk__in=Case.objects.filter(matches).values("pk"))
