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


class ConfirmForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this file confirmed as abuse material?"),
        help_text=_("Its hashes (never the file) are then shared with partners in the centre's list."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HashListImportForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    source = forms.CharField(label=_("Source"), max_length=200, help_text=_("Who gave the list."))
    list_date = forms.DateField(label=_("Date of the list"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(
        label=_("Hashes"),
        choices=[
            ("auto", _("Recognise from the file")),
            ("pdq", "PDQ"),
            ("md5", "MD5"),
            ("sha1", "SHA-1"),
            ("sha256", "SHA-256"),
        ],
        initial="auto",
    )
    file = forms.FileField(
        label=_("List file"),
        help_text=_("A CSV with hash,quality (ThreatExchange, HMA) or one hash a line."),
    )
    replace = forms.BooleanField(label=_("Replace the list with this name"), required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the list withdrawn?"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
