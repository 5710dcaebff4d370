"""Forms of the prevention pages. They parse and validate input; writes go through ``actions``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from smartsafe.accounts.roles import Role
from smartsafe.directory.models import Organisation
from smartsafe.taxonomy.models import Category, Municipality

from .models import (
    AUDIENCE_FIELDS,
    Event,
    EventKind,
    EventLanguage,
    EventStatus,
    Venue,
    VenueKind,
    home_country,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        district = obj.district_name
        return f"{obj.name} ({district})" if district else obj.name


class NamedMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class VenueChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} — {obj.place or obj.country} ({obj.get_kind_display()})"


class CountryField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("min_length", 2)
        kwargs.setdefault(
            "help_text", _("Two-letter code: RS Serbia, ME Montenegro, BA Bosnia and Herzegovina…")
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return value.upper() if value else value


def municipalities():
    return Municipality.objects.filter(active=True).order_by("country", "name_sr")


def presenter_choices():
    """Active staff who present: coordinators, supervisors and counsellors."""
    roles = [Role.PREVENTION, Role.SUPERVISOR, Role.COUNSELLOR]
    return get_user_model().objects.filter(is_active=True, role__in=roles).order_by("username")


def _number(label):
    return forms.IntegerField(label=label, min_value=0, max_value=1_000_000, initial=0, required=False)


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices, initial=EventKind.PRESENTATION)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (EventStatus.PLANNED, EventStatus.PLANNED.label),
            (EventStatus.HELD, EventStatus.HELD.label),
        ],
        initial=EventStatus.PLANNED,
    )
    title = forms.CharField(label=_("Title"), max_length=250, required=False)
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("Start time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=1440, required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=EventLanguage.choices, initial=EventLanguage.SR)
    venue = VenueChoiceField(
        label=_("Venue"),
        queryset=Venue.objects.none(),
        required=False,
        help_text=_("From the register; add a new place there first. Leave empty for online or abroad."),
    )
    country = CountryField(label=_("Country"), required=False)
    municipality = MunicipalityChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    town = forms.CharField(label=_("Town"), max_length=120, required=False)
    topics = NamedMultipleChoiceField(
        label=_("Topics"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner organisations"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    presenters = forms.ModelMultipleChoiceField(
        label=_("Presenters"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    pupils_grades_1_4 = _number(_("Pupils, grades 1–4"))
    pupils_grades_5_8 = _number(_("Pupils, grades 5–8"))
    pupils_secondary = _number(_("Pupils, secondary school"))
    parents = _number(_("Parents"))
    teachers = _number(_("Teachers"))
    professionals = _number(_("Other professionals"))
    other_attendees = _number(_("Others"))
    materials = forms.CharField(
        label=_("Materials"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    feedback_responses = _number(_("Feedback responses"))
    feedback_average = forms.DecimalField(
        label=_("Average rating (1–5)"),
        min_value=1,
        max_value=5,
        decimal_places=2,
        max_digits=3,
        required=False,
    )
    feedback_comments = forms.CharField(
        label=_("Feedback comments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, event: Event | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = Venue.objects.select_related("municipality").filter(active=True)
        self.fields["municipality"].queryset = municipalities()
        self.fields["topics"].queryset = Category.objects.filter(active=True).order_by(
            "kind", "sort_order", "code"
        )
        self.fields["partners"].queryset = Organisation.objects.filter(active=True).order_by("name")
        self.fields["presenters"].queryset = presenter_choices()
        self.fields["country"].initial = home_country()
        if event is not None:
            # A record keeps what it has even if it is no longer offered (inactive venue or term).
            self.fields["venue"].queryset = (
                Venue.objects.select_related("municipality").filter(
                    pk__in=[event.venue_id] if event.venue_id else []
                )
                | self.fields["venue"].queryset
            )
            if event.status == EventStatus.CANCELLED:
                # A cancelled event stays cancelled unless the editor picks planned or held again.
                self.fields["status"].choices = [
                    *self.fields["status"].choices,
                    (EventStatus.CANCELLED.value, EventStatus.CANCELLED.label),
                ]

    @staticmethod
    def initial_from(event: Event) -> dict:
        initial = {name: getattr(event, name) for name in EventForm.base_fields if hasattr(event, name)}
        initial.update(
            venue=event.venue_id,
            municipality=None if event.venue_id else event.municipality_id,
            topics=[t.pk for t in event.topics.all()],
            partners=[p.pk for p in event.partners.all()],
            presenters=[p.pk for p in event.presenters.all()],
        )
        return initial

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        for name in (*AUDIENCE_FIELDS, "feedback_responses"):
            data[name] = data.get(name) or 0
        if data.get("venue"):
            data.pop("country", None)
            data.pop("municipality", None)
            data.pop("town", None)
        elif not data.get("country"):
            data["country"] = data["municipality"].country if data.get("municipality") else home_country()
        return data


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class VenueForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=250)
    kind = forms.ChoiceField(label=_("Kind"), choices=VenueKind.choices)
    country = CountryField(label=_("Country"))
    municipality = MunicipalityChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    town = forms.CharField(
        label=_("Town"),
        max_length=120,
        required=False,
        help_text=_("Where the municipality is not in the list."),
    )
    address = forms.CharField(label=_("Address"), max_length=250, required=False)
    external_id = forms.CharField(
        label=_("Registry number"),
        max_length=60,
        required=False,
        help_text=_("E.g. the school's number in the ministry's register."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities()
        self.fields["country"].initial = home_country()

    @staticmethod
    def initial_from(venue: Venue) -> dict:
        return {name: getattr(venue, name) for name in VenueForm.base_fields} | {
            "municipality": venue.municipality_id
        }


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(
        label=_("Duplicate to merge into this venue"), queryset=Venue.objects.none()
    )

    def __init__(self, *args, venue: Venue, **kwargs):
        super().__init__(*args, **kwargs)
        # Duplicates sit in the same place: same municipality (or the same town abroad).
        candidates = Venue.objects.exclude(pk=venue.pk).filter(country=venue.country)
        if venue.municipality_id:
            candidates = candidates.filter(municipality=venue.municipality_id)
        else:
            candidates = candidates.filter(municipality__isnull=True, town__iexact=venue.town)
        self.fields["duplicate"].queryset = candidates.order_by("name", "pk")
        self.fields["duplicate"].label_from_instance = lambda v: f"{v.name} ({v.get_kind_display()}, #{v.pk})"


class EventFilterForm(forms.Form):
    """The list page's filters. An invalid value is reported and that filter ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *EventKind.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *EventStatus.choices]
    )
    venue_kind = forms.ChoiceField(
        label=_("Venue kind"), required=False, choices=[("", _("Any")), *VenueKind.choices]
    )
    country = forms.CharField(label=_("Country"), required=False, max_length=2)
    municipality = MunicipalityChoiceField(
        label=_("Municipality"), required=False, queryset=Municipality.objects.none(), empty_label=_("Any")
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), required=False, queryset=Category.objects.none(), empty_label=_("Any")
    )
    partner = forms.ModelChoiceField(
        label=_("Partner"), required=False, queryset=Organisation.objects.none(), empty_label=_("Any")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities()
        self.fields["topic"].queryset = Category.objects.order_by("kind", "sort_order", "code")
        self.fields["topic"].label_from_instance = lambda obj: obj.name
        self.fields["partner"].queryset = Organisation.objects.order_by("name")
        self.fields["q"].widget.attrs.update(type="search", placeholder=_("Venue, place, title, partner…"))

    def filters(self) -> dict:
        """The valid filters, named as ``queries.filter_events`` wants them."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            name: value for name, value in data.items() if name not in self.errors and value not in (None, "")
        }


class CoverageForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    country = forms.CharField(label=_("Country"), required=False, max_length=2)

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        values = {n: v for n, v in data.items() if n not in self.errors and v not in (None, "")}
        if "country" in values:
            values["country"] = values["country"].upper()
        return values


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8) or Excel .xlsx, with the template's header row; up to 5 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB; split it."))
        return upload
