"""Forms of the referral pages. They parse and validate input; writes go through ``actions``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MANUAL_METHODS, REFERENCE_MAX, TEXT_MAX
from .models import DeliveryMethod, PacketLanguage, ReferralKind, ReferralState
from .permissions import UNSENT_STATES
from .presenters import institution_choices
from .states import LABELS, TRANSITIONS

VERSION_MAX = 2**31 - 1


def _text_area(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, **attrs})


class ReferForm(forms.Form):
    """Refer a case: the ticked suggestions and/or one more institution from the directory.

    ``suggestions`` are ``routing.Suggestion`` objects; the page lists them with their reasons.
    Pressing "Search" (``search`` in the POST) narrows the directory list by ``q`` and shows the
    form again with everything typed kept: a searchable select that needs no script.
    """

    institutions = forms.MultipleChoiceField(
        label=_("Suggested institutions"), required=False, widget=forms.CheckboxSelectMultiple
    )
    q = forms.CharField(label=_("Search the directory"), required=False, max_length=100)
    other = forms.ChoiceField(
        label=_("Another institution"),
        required=False,
        help_text=_("Any institution or organisation from the directory."),
    )
    kind = forms.ChoiceField(
        label=_("What the referral is for"),
        required=False,
        choices=[("", _("As suggested (report for action otherwise)")), *ReferralKind.choices],
    )
    reason = forms.CharField(
        label=_("Why these institutions"),
        required=False,
        max_length=TEXT_MAX,
        widget=_text_area(4),
        help_text=_("In your words; the institution reads it. Empty: the reason of the suggestion."),
    )
    delivery_method = forms.ChoiceField(
        label=_("Delivery"),
        required=False,
        choices=[("", _("The institution's usual way")), *DeliveryMethod.choices],
        help_text=_("Usual way: the portal if the institution uses it, else e-mail, else paper."),
    )
    packet_language = forms.ChoiceField(
        label=_("Packet language"),
        required=False,
        choices=[("", _("The institution's language")), *PacketLanguage.choices],
    )

    def __init__(self, *args, suggestions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestions = list(suggestions)
        self.fields["institutions"].choices = [
            (s.institution.code, s.institution.name) for s in self.suggestions
        ]
        data = self.data if self.is_bound else {}
        text = (data.get("q") or "").strip()[:100]
        keep = (data.get("other") or "").strip()[:60]
        self.fields["other"].choices = [("", _("— none —")), *institution_choices(text, keep=keep)]
        if not self.is_bound:
            self.initial.setdefault(
                "institutions", [s.institution.code for s in self.suggestions if s.preselected]
            )

    @property
    def searching(self) -> bool:
        return self.is_bound and "search" in self.data

    def clean(self):
        data = super().clean()
        if not self.searching and not data.get("institutions") and not data.get("other"):
            raise forms.ValidationError(_("Tick a suggested institution or choose another one."))
        return data

    def chosen(self) -> list[tuple[str, str, str]]:
        """``(code, kind, reason)`` for each institution to refer to, suggestions first."""
        data = self.cleaned_data
        by_code = {s.institution.code: s for s in self.suggestions}
        codes = list(data.get("institutions") or [])
        if data.get("other") and data["other"] not in codes:
            codes.append(data["other"])
        chosen = []
        for code in codes:
            suggestion = by_code.get(code)
            kind = data.get("kind") or (suggestion.kind if suggestion else ReferralKind.REPORT)
            reason = data.get("reason") or (suggestion.reason if suggestion else "")
            chosen.append((code, kind, reason))
        return chosen


class DraftForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the referral is for"), choices=ReferralKind.choices)
    reason = forms.CharField(
        label=_("Why this institution"), required=False, max_length=TEXT_MAX, widget=_text_area(4)
    )
    delivery_method = forms.ChoiceField(label=_("Delivery"), choices=DeliveryMethod.choices)
    packet_language = forms.ChoiceField(label=_("Packet language"), choices=PacketLanguage.choices)
    urgent = forms.BooleanField(label=_("Child in immediate danger"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)

    FIELDS = ("kind", "reason", "delivery_method", "packet_language", "urgent")

    @classmethod
    def for_referral(cls, referral):
        return cls(
            initial={name: getattr(referral, name) for name in cls.FIELDS} | {"version": referral.version}
        )

    def draft_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class TransitionForm(forms.Form):
    """One step of the workflow. Which fields count depends on the action (the action checks)."""

    action = forms.ChoiceField(choices=[(a, a) for a in TRANSITIONS], widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)
    note = forms.CharField(label=_("Note"), required=False, max_length=TEXT_MAX, widget=_text_area(2))
    reason = forms.CharField(label=_("Reason"), required=False, max_length=TEXT_MAX, widget=_text_area(3))
    feedback = forms.CharField(
        label=_("Feedback: what was done"), required=False, max_length=TEXT_MAX, widget=_text_area(4)
    )
    institution_reference = forms.CharField(
        label=_("The institution's reference number"), required=False, max_length=REFERENCE_MAX
    )
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)


class AnswerForm(TransitionForm):
    """Staff recording the institution's answer given by phone or on paper: the action is chosen."""

    action = forms.ChoiceField(label=_("The institution's answer"), choices=())

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [(a, LABELS[a]) for a in actions] or [
            (a, LABELS[a]) for a in ("acknowledge", "accept", "reject", "complete")
        ]


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=TEXT_MAX, widget=_text_area(3))
    on_behalf = forms.BooleanField(
        label=_("The institution said this (by phone or in writing)"),
        required=False,
        help_text=_("Tick to record the institution's words rather than write to it."),
    )


class DeliveryForm(forms.Form):
    method = forms.ChoiceField(label=_("Delivered by"), choices=[(m.value, m.label) for m in MANUAL_METHODS])
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=TEXT_MAX,
        widget=_text_area(2),
        help_text=_("E.g. whom you spoke to, or the post receipt number."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=VERSION_MAX)


class PortalFilterForm(forms.Form):
    """The portal's filters: a referral's state (never an unsent one) and overdue only."""

    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("Any"))] + [(v, lbl) for v, lbl in ReferralState.choices if v not in UNSENT_STATES],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)


class StaffFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("Any")), *ReferralState.choices]
    )
    institution = forms.CharField(label=_("Institution (code)"), required=False, max_length=60)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    failed = forms.BooleanField(label=_("Delivery failed"), required=False)
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)
