"""Forms of the staff case pages. They parse and validate input; writes go through ``actions``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from smartsafe.accounts.roles import CASEWORK_ROLES
from smartsafe.core.text import fold
from smartsafe.taxonomy.models import AgeBand, Category, Municipality, Platform, Sex

from .models import ArtefactKind, CaseKind, Resolution
from .permissions import is_supervisor


class MunicipalityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # The district tells apart places of the same name (and city municipalities from their city).
        district = getattr(obj, "district_name", obj.district_name)
        return f"{obj.name} ({district})" if district else obj.name


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def casework_staff():
    return get_user_model().objects.filter(is_active=True, role__in=CASEWORK_ROLES).order_by("username")


class CaseForm(forms.Form):
    """The case's own details, shared by "open a case" and "edit a case"."""

    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CaseKind.choices, initial=CaseKind.ADVISORY)
    categories = CategoryChoiceField(
        label=_("Categories"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Referral categories first, then advisory topics. Choose all that apply."),
    )
    urgent = forms.BooleanField(label=_("Child in immediate danger"), required=False)
    urgent_reason = forms.CharField(
        label=_("Why urgent"),
        max_length=300,
        required=False,
        help_text=_("Required when the child is in immediate danger."),
    )
    child_age_band = forms.ModelChoiceField(
        label=_("Child's age band"), queryset=AgeBand.objects.none(), required=False
    )
    child_sex = forms.ModelChoiceField(label=_("Child's sex"), queryset=Sex.objects.none(), required=False)
    municipality = MunicipalityChoiceField(
        label=_("Municipality"), queryset=Municipality.objects.none(), required=False
    )
    platforms = forms.ModelMultipleChoiceField(
        label=_("Platforms"),
        queryset=Platform.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Inactive terms stay selectable on a case that already has them, never offered otherwise.
        keep = {
            "categories": [],
            "platforms": [],
            "child_age_band": None,
            "child_sex": None,
            "municipality": None,
        }
        if case is not None:
            keep["categories"] = [c.pk for c in case.categories.all()]
            keep["platforms"] = [p.pk for p in case.platforms.all()]
            keep.update(
                child_age_band=case.child_age_band_id,
                child_sex=case.child_sex_id,
                municipality=case.municipality_id,
            )

        def offered(model, kept):
            kept = kept if isinstance(kept, list) else [kept] if kept else []
            return model.objects.filter(active=True) | model.objects.filter(pk__in=kept)

        self.fields["categories"].queryset = offered(Category, keep["categories"]).order_by(
            "-kind", "sort_order", "code"
        )  # "referral" sorts after "advisory"; descending puts the seven referral categories first
        self.fields["platforms"].queryset = offered(Platform, keep["platforms"]).order_by(
            "sort_order", "code"
        )
        self.fields["child_age_band"].queryset = offered(AgeBand, keep["child_age_band"]).order_by(
            "sort_order"
        )
        self.fields["child_sex"].queryset = offered(Sex, keep["child_sex"]).order_by("sort_order")
        municipalities = offered(Municipality, keep["municipality"])
        # Alphabetical by the name shown in the current language, folded so that typing the first
        # letters in the open select finds the place in either script.
        field = self.fields["municipality"]
        field.queryset = municipalities
        field.choices = [("", "---------")] + [
            (m.pk, field.label_from_instance(m)) for m in sorted(municipalities, key=lambda m: fold(m.name))
        ]

    def clean(self):
        data = super().clean()
        if data.get("urgent") and not (data.get("urgent_reason") or "").strip():
            self.add_error("urgent_reason", _("Say why the child is in immediate danger."))
        return data

    def case_fields(self) -> dict:
        """The cleaned values as keyword arguments for ``open_case`` / ``update_case``."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "summary": data["summary"],
            "kind": data["kind"],
            "urgent": data["urgent"],
            "urgent_reason": data["urgent_reason"].strip() if data["urgent"] else "",
            "child_age_band": data["child_age_band"],
            "child_sex": data["child_sex"],
            "municipality": data["municipality"],
            "categories": list(data["categories"]),
            "platforms": list(data["platforms"]),
        }


class OpenCaseForm(CaseForm):
    assignee = forms.ModelChoiceField(label=_("Assigned to"), queryset=None, required=False)

    field_order = ["title", "summary", "kind", "categories", "urgent", "urgent_reason"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        staff = casework_staff()
        # Supervisors hand a new case to anyone; a counsellor keeps it or leaves it unassigned.
        field = self.fields["assignee"]
        field.queryset = staff if is_supervisor(user) else staff.filter(pk=user.pk)
        field.initial = user.pk
        field.empty_label = _("Nobody yet")
        field.label_from_instance = str  # the name colleagues know each other by


class EditCaseForm(CaseForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(forms.Form):
    action = forms.CharField(max_length=40)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    resolution = forms.ChoiceField(
        label=_("Resolution"), choices=[("", _("Choose…"))] + list(Resolution.choices), required=False
    )
    note = forms.CharField(
        label=_("Closure note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoteForm(forms.Form):
    body = forms.CharField(label=_("New note"), max_length=20000, widget=forms.Textarea(attrs={"rows": 3}))


class ArtefactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ArtefactKind.choices, initial=ArtefactKind.PROFILE_URL)
    value = forms.CharField(label=_("Value"), max_length=500)
    platform = forms.ModelChoiceField(
        label=_("Platform"),
        queryset=Platform.objects.none(),
        required=False,
        empty_label=_("Recognise from the address"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["platform"].queryset = Platform.objects.filter(active=True).order_by("sort_order", "code")


class AssignForm(forms.Form):
    """``assignee`` is "me", "none" or a colleague's user name."""

    assignee = forms.CharField(label=_("Assign to"), max_length=150)


class LinkForm(forms.Form):
    other = forms.CharField(label=_("Case reference"), max_length=32)


def dress_filter_form(form) -> None:
    """Widgets for ``CaseFilter``'s form on the list page (the API uses the same filter bare)."""
    form.fields["state"].widget = forms.CheckboxSelectMultiple(choices=form.fields["state"].choices)
    yes_no_any = [("", _("Any")), ("true", _("Yes")), ("false", _("No"))]
    form.fields["urgent"].widget = forms.Select(choices=yes_no_any)
    form.fields["open"].widget = forms.Select(
        choices=[("", _("Any")), ("true", _("Open")), ("false", _("Closed"))]
    )
    form.fields["kind"].widget.choices = [("", _("Any"))] + list(CaseKind.choices)
    for name in ("category", "platform"):
        field = form.fields[name]
        field.label_from_instance = lambda obj: obj.name
        field.widget = forms.SelectMultiple(attrs={"size": 4})
        field.widget.choices = field.choices
    form.fields["municipality"].label_from_instance = MunicipalityChoiceField.label_from_instance.__get__(
        form.fields["municipality"]
    )
    people = [("", _("Anyone")), ("me", _("Me")), ("none", _("Nobody"))]
    people += [(u.username, str(u)) for u in casework_staff()]
    form.fields["assignee"].widget = forms.Select(choices=people)
    for name in ("opened_from", "opened_to"):
        form.fields[name].widget = forms.DateInput(attrs={"type": "date"})
    form.fields["search"].widget = forms.TextInput(
        attrs={"type": "search", "placeholder": _("Reference, words, profile link, phone…")}
    )
