"""Forms of the contact pages. They only parse and validate; writes go through ``actions``."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartsafe.taxonomy.models import Category, Channel, ReporterType

from .models import ContactLanguage, NonDataKind

# How far a client-sent start time may lie from the server's clock before it is ignored.
_CLOCK_SKEW = dt.timedelta(minutes=5)
_OLDEST_START = dt.timedelta(hours=24)
CALL_FORM_ID = "call-form"
_DURATION = re.compile(r"^\s*(?:(\d{1,3})\s*[:.]\s*([0-5]?\d)|(\d{1,3}))\s*$")


class TopicCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes that say which topics usually mean a child in immediate danger (app.js hints)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and instance.suggests_urgent:
            option["attrs"]["data-suggests-urgent"] = "true"
        return option


def parse_duration(text: str) -> int | None:
    """Seconds from ``"12"`` (minutes) or ``"12:30"`` (minutes and seconds); ``None`` if empty."""
    if not text or not text.strip():
        return None
    match = _DURATION.match(text)
    if not match:
        raise forms.ValidationError(_("Write the duration in minutes (12) or minutes and seconds (12:30)."))
    if match.group(3) is not None:
        return int(match.group(3)) * 60
    return int(match.group(1)) * 60 + int(match.group(2))


class ContactFieldsForm(forms.Form):
    """The fields a counsellor writes about a contact, shared by logging and editing."""

    channel = forms.ModelChoiceField(
        label=_("Channel"), queryset=Channel.objects.active(), to_field_name="code", empty_label=None
    )
    reporter_type = forms.ModelChoiceField(
        label=_("Caller"), queryset=ReporterType.objects.active(), required=False, empty_label=_("Not known")
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=ContactLanguage.choices, initial=ContactLanguage.SERBIAN
    )
    summary = forms.CharField(
        label=_("What happened"),
        help_text=_("What the caller told you, in their words where it matters."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
    )
    advice_given = forms.CharField(
        label=_("Advice given"), required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )
    urgent = forms.BooleanField(
        label=_("Child in immediate danger"),
        required=False,
        help_text=_(
            "Tick this if a child is in danger now: a meeting with an adult has been arranged, "
            "sextortion is going on, or self-harm is threatened. The contact then jumps every queue "
            "and must be passed to the police at once."
        ),
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=Category.objects.active(), required=False, widget=TopicCheckboxes
    )
    reporter_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    reporter_contact = forms.CharField(
        label=_("Phone or e-mail"),
        required=False,
        max_length=200,
        help_text=_("Only if the caller wants to be called back."),
    )
    duration = forms.CharField(
        label=_("Duration"),
        required=False,
        max_length=10,
        help_text=_("Minutes (12) or minutes:seconds (12:30). Leave empty to use the call timer."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6}),
    )

    def clean_duration(self):
        return parse_duration(self.cleaned_data.get("duration", ""))

    def topic_groups(self) -> list[tuple[str, list]]:
        """The topic checkboxes grouped as the counsellor thinks of them: referral, then advisory."""
        groups: dict[str, list] = {Category.Kind.REFERRAL: [], Category.Kind.ADVISORY: []}
        for box in self["topics"]:
            instance = getattr(box.data["value"], "instance", None)
            groups.setdefault(getattr(instance, "kind", Category.Kind.ADVISORY), []).append(box)
        labels = {
            Category.Kind.REFERRAL: _("Referral categories"),
            Category.Kind.ADVISORY: _("Advisory topics"),
        }
        return [(labels.get(kind, kind), boxes) for kind, boxes in groups.items() if boxes]

    def action_fields(self) -> dict:
        """Cleaned values in the shape ``intake.actions`` expects (without channel and topics)."""
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "reporter_type",
                "language",
                "summary",
                "advice_given",
                "urgent",
                "reporter_name",
                "reporter_contact",
            )
        }
        if data.get("duration") is not None:
            fields["duration_seconds"] = data["duration"]
        return fields


class LogContactForm(ContactFieldsForm):
    """Logging a call while it happens.

    The start is the moment the page was served (a hidden field written by the server, so no
    client clock is involved); the length is what the counsellor typed or the timer wrote into
    ``duration`` when they pressed "End call", else the time until saving.
    """

    started_at = forms.DateTimeField(required=False, widget=forms.HiddenInput)
    # The exchange's call id when a screen pop opened the form (inbox.actions.telephony.log_call).
    call = forms.CharField(required=False, widget=forms.HiddenInput, max_length=128)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The counsellor starts typing at once; access keys documented on the page.
        self.fields["summary"].widget.attrs.update({"autofocus": True, "accesskey": "w"})
        self.fields["urgent"].widget.attrs.update({"accesskey": "u"})
        # The duration sits beside the form, in the timer card: tie it to the form by id.
        self.fields["duration"].widget.attrs.update({"form": CALL_FORM_ID})

    def timing(self, now: dt.datetime | None = None) -> dict:
        """``received_at``, ``ended_at`` and ``duration_seconds`` from the start and the duration.

        A start time that is missing, in the future or implausibly old is replaced by now: the
        hidden field came from our own page, but a page left open overnight must not distort data.
        """
        now = now or timezone.now()
        started = self.cleaned_data.get("started_at")
        if started is None or started > now + _CLOCK_SKEW or started < now - _OLDEST_START:
            started = now
        started = min(started, now)
        seconds = self.cleaned_data.get("duration")
        if seconds is None:
            seconds = int((now - started).total_seconds())
        return {
            "received_at": started,
            "ended_at": started + dt.timedelta(seconds=seconds),
            "duration_seconds": seconds,
        }


class EditContactForm(ContactFieldsForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration"].help_text = _("Minutes (12) or minutes:seconds (12:30).")


class NonDataForm(forms.Form):
    kind = forms.ChoiceField(choices=NonDataKind.choices)
    channel = forms.ModelChoiceField(queryset=Channel.objects.active(), to_field_name="code", required=False)
