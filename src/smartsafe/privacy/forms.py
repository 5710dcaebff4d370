from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MAX_KEEP_DAYS


class PolicyForm(forms.Form):
    keep_days = forms.IntegerField(label=_("kept for (days)"), min_value=0, max_value=MAX_KEEP_DAYS)
    note = forms.CharField(label=_("why this long"), max_length=300, required=False)


class HoldForm(forms.Form):
    case = forms.CharField(label=_("case reference"), max_length=32)
    reason = forms.CharField(label=_("reason"), max_length=300)
