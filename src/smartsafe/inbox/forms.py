from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CannedReply


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=50_000,
        help_text=_("Sent by e-mail from the centre's mailbox, in the same conversation."),
    )


class CannedChoiceForm(forms.Form):
    """GET ``?canned=<id>`` fills the reply with a canned text (works without JavaScript)."""

    canned = forms.ModelChoiceField(
        label=_("Canned reply"), queryset=CannedReply.objects.filter(active=True), required=False
    )
