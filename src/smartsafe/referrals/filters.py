"""Referral list filters, shared by ``/api/v1/referrals/`` and the staff pages."""

from __future__ import annotations

import django_filters as filters
from django.utils.translation import gettext_lazy as _

from .models import DeliveryStatus, Referral, ReferralKind, ReferralState
from .queries import overdue_q


class ReferralFilter(filters.FilterSet):
    state = filters.MultipleChoiceFilter(choices=ReferralState.choices, label=_("State"))
    institution = filters.CharFilter(field_name="institution__code", label=_("Institution (code)"))
    institution_kind = filters.CharFilter(field_name="institution__kind", label=_("Institution type"))
    case = filters.CharFilter(method="filter_case", label=_("Case (reference)"))
    kind = filters.ChoiceFilter(choices=ReferralKind.choices, label=_("Kind"))
    urgent = filters.BooleanFilter(label=_("Child in immediate danger"))
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("Overdue"))
    delivery_status = filters.ChoiceFilter(choices=DeliveryStatus.choices, label=_("Delivery"))

    class Meta:
        model = Referral
        fields = [
            "state",
            "institution",
            "institution_kind",
            "case",
            "kind",
            "urgent",
            "overdue",
            "delivery_status",
        ]

    def filter_case(self, queryset, name, value):
        return queryset.filter(case__reference=value.strip().upper()[:40])

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
