from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import subject_access
from .actions import MAX_KEEP_DAYS
from .models import RequestKind


class PolicyForm(forms.Form):
    keep_days = forms.IntegerField(label=_("kept for (days)"), min_value=0, max_value=MAX_KEEP_DAYS)
    note = forms.CharField(label=_("why this long"), max_length=300, required=False)


class HoldForm(forms.Form):
    case = forms.CharField(label=_("case reference"), max_length=32)
    reason = forms.CharField(label=_("reason"), max_length=300)


class SubjectRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("request"), choices=RequestKind.choices, initial=RequestKind.ACCESS)
    identity_kind = forms.ChoiceField(label=_("find the person by"), choices=subject_access.IDENTITY_KINDS)
    messenger = forms.ChoiceField(
        label=_("messenger"), choices=[("", "—"), *subject_access.MESSENGERS], required=False
    )
    value = forms.CharField(
        label=_("address, number, identity or reference"),
        max_length=320,
        help_text=_("Used for this search only: the platform keeps a hint of its last three characters."),
    )
    note = forms.CharField(label=_("how the request arrived"), max_length=300, required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["identity"] = subject_access.parse_identity(
                data["identity_kind"], data["value"], data.get("messenger", "")
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        return data


class ErasureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[("erase", _("Erase")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("reason (required for a refusal; the person is told)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
