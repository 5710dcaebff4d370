"""Forms parse input only; the actions validate the rules and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartsafe.taxonomy.models import Category

from .models import Audience, Status


class TopicChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ArticleForm(forms.Form):
    slug = forms.CharField(
        label=_("Address"),
        max_length=80,
        help_text=_("Lower-case Latin letters, digits and hyphens, e.g. “screenshots-as-evidence”."),
    )
    audience = forms.ChoiceField(label=_("Written for"), choices=Audience.choices, initial=Audience.EVERYONE)
    topics = TopicChoiceField(
        label=_("Helps with"),
        queryset=Category.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The categories of contacts this article helps with; the public list filters by them."),
    )
    title_sr = forms.CharField(label=_("Title (Serbian, Cyrillic)"), max_length=200, required=False)
    summary_sr = forms.CharField(
        label=_("Summary (Serbian, Cyrillic)"),
        max_length=400,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    body_sr = forms.CharField(
        label=_("Text (Serbian, Cyrillic)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown. Serbian Latin is generated from this text; do not write it twice."),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    summary_en = forms.CharField(
        label=_("Summary (English)"), max_length=400, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    body_en = forms.CharField(
        label=_("Text (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)

    ARTICLE_FIELDS = (
        "slug",
        "audience",
        "title_sr",
        "title_en",
        "summary_sr",
        "summary_en",
        "body_sr",
        "body_en",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Category.objects.active().order_by("kind", "sort_order", "code")

    @classmethod
    def initial_for(cls, article) -> dict:
        initial = {name: getattr(article, name) for name in cls.ARTICLE_FIELDS}
        initial["topics"] = list(article.topics.all())
        initial["version"] = article.version
        return initial

    def article_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.ARTICLE_FIELDS}


class PublicFilterForm(forms.Form):
    """The public list's filters. Bad values are dropped, never an error page."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    topic = forms.SlugField(label=_("Topic"), max_length=50, required=False)
    audience = forms.ChoiceField(
        label=_("For"), choices=[("", _("Everyone"))] + list(Audience.choices[:3]), required=False
    )

    def filters(self) -> dict:
        self.is_valid()  # keeps the fields that are valid in cleaned_data
        return {name: self.cleaned_data.get(name) or "" for name in ("q", "topic", "audience")}


class StaffFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any"))] + list(Status.choices), required=False
    )

    def filters(self) -> dict:
        self.is_valid()
        return {"q": self.cleaned_data.get("q") or "", "status": self.cleaned_data.get("status") or ""}
