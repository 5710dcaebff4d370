"""Forms of the evidence pages: a reason before opening or deleting, files for a staff upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to open this file?"),
        help_text=_("Kept in the file's chain of custody and the audit log."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    mode = forms.ChoiceField(
        choices=[("download", _("Download")), ("view", _("Show the picture"))],
        initial="download",
        widget=forms.HiddenInput,
        required=False,
    )


class DeleteForm(forms.Form):
    reason = forms.CharField(
        label=_("Why must this file's content be deleted?"),
        help_text=_("The record, its hashes and its custody log are kept."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadForm(forms.Form):
    files = forms.FileField(
        label=_("Add files"), widget=MultipleFileInput(attrs={"multiple": True}), required=False
    )
