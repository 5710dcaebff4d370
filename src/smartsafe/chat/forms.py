from django import forms
from django.utils.translation import gettext_lazy as _

from smartsafe.taxonomy.models import Category

from .models import ChatLanguage


class StartForm(forms.Form):
    language = forms.ChoiceField(choices=ChatLanguage.choices, required=False)
    urgent = forms.BooleanField(label=_("I am in danger right now"), required=False)
    via = forms.CharField(required=False, max_length=8)


class LeaveMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Tell us what happened or what you want to ask. You do not have to give your name."),
    )
    urgent = forms.BooleanField(label=_("A child is in danger right now"), required=False)
    reply_to = forms.CharField(
        label=_("How can we answer you? (optional)"),
        max_length=200,
        required=False,
        help_text=_("An e-mail address or a phone number. Leave it empty to stay anonymous."),
    )


class ChatSummaryForm(forms.Form):
    """The counsellor's notes of the chat: the fields of its contact."""

    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 5}), required=False)
    advice_given = forms.CharField(
        label=_("Advice given"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Category.objects.filter(active=True), required=False
    )
    urgent = forms.BooleanField(label=_("Child in immediate danger"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class EndForm(forms.Form):
    block = forms.BooleanField(label=_("Also block this client"), required=False)


class TransferForm(forms.Form):
    to = forms.IntegerField(label=_("Colleague"))
