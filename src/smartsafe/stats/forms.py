"""The dashboard's GET filters. Invalid input never reaches a query: the form reports it instead."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartsafe.taxonomy.models import Category, Channel, Municipality, ReporterType

from .queries import Filters
from .tables import Query


class _Term(forms.ModelChoiceField):
    def __init__(self, model, label, **kwargs):
        super().__init__(model.objects.active(), required=False, to_field_name="code", label=label, **kwargs)


class StatsFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = _Term(Channel, _("Channel"), empty_label=_("All channels"))
    category = _Term(Category, _("Category"), empty_label=_("All categories"))
    municipality = _Term(Municipality, _("Municipality"), empty_label=_("All municipalities"))
    reporter_type = _Term(ReporterType, _("Reporter type"), empty_label=_("All reporters"))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_from", _("The start must not be after the end."))
        return data

    def query(self):
        """A tables.Query from valid data (all time, no filters when invalid)."""
        if not self.is_valid():
            return Query()
        d = self.cleaned_data
        return Query(
            d.get("date_from"),
            d.get("date_to"),
            Filters(
                channel=d.get("channel"),
                category=d.get("category"),
                municipality=d.get("municipality"),
                reporter_type=d.get("reporter_type"),
            ),
        )


class PublicYearForm(forms.Form):
    """The public page's only choice: a year (aggregates per year, never finer)."""

    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
