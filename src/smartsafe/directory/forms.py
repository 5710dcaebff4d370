"""The directory search form: every field optional; an unknown choice is simply ignored."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import InspireApproach, InspireStrategy, Institution, Service


class DirectorySearchForm(forms.Form):
    WHAT = (
        ("", _("Institutions and organisations")),
        ("institutions", _("Institutions")),
        ("organisations", _("Organisations")),
    )

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    place = forms.CharField(
        label=_("Place"), required=False, max_length=100, help_text=_("Town or municipality, any script.")
    )
    what = forms.ChoiceField(label=_("Show"), choices=WHAT, required=False)
    kind = forms.ChoiceField(label=_("Institution type"), required=False)
    strategy = forms.ModelChoiceField(
        label=_("INSPIRE strategy"),
        queryset=InspireStrategy.objects.all(),
        to_field_name="number",
        required=False,
    )
    approach = forms.ModelChoiceField(
        label=_("Approach"),
        queryset=InspireApproach.objects.select_related("strategy"),
        to_field_name="code",
        required=False,
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.filter(active=True), to_field_name="code", required=False
    )
    referrable = forms.BooleanField(label=_("Takes referrals"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any type")), *Institution.Kind.choices]

    def filters(self) -> dict:
        """The valid filters; an invalid field counts as not given (no error page for a stale link)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "text": data.get("q") or "",
            "place": data.get("place") or "",
            "what": data.get("what") or "",
            "kind": data.get("kind") or "",
            "strategy": data["strategy"].number if data.get("strategy") else None,
            "approach": data["approach"].code if data.get("approach") else None,
            "service": data["service"].code if data.get("service") else None,
            "referrable_only": bool(data.get("referrable")),
        }

    def active(self) -> bool:
        return any(v for v in self.filters().values())
