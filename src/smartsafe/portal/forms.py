"""The questions of the public report, step by step. Forms parse and validate only.

The same forms validate the JSON API (``api/views.py``), so the web and the API accept exactly the
same answers. ``capture()`` keeps what someone typed (valid or not) for the server-side draft.
"""

from __future__ import annotations

import datetime as dt
import functools

from django import forms
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from smartsafe.cases.artefacts import ArtefactError, identity, normalize_email, normalize_phone
from smartsafe.taxonomy import cache as taxonomy_cache
from smartsafe.taxonomy.models import AgeBand, Category, Municipality, Platform

from . import completeness

MAX_LINES = 20
MAX_TEXT = 5000

# Step 1: what happened, in words a child uses. Category codes are the referral categories
# (plus "other"); the hint under each option says it again for a parent or teacher.
WHAT_HAPPENED = [
    (
        "predators",
        _("Someone is asking me for photos or videos"),
        _("Or an adult wants to meet, gives gifts, or asks to keep your chats secret."),
    ),
    (
        "threats_blackmail",
        _("Someone threatens to share my pictures unless I do what they want"),
        _("Or they ask for money, more pictures or something else."),
    ),
    (
        "profile_abuse",
        _("Someone made a fake profile of me"),
        _("Or someone took over my account and uses it."),
    ),
    (
        "csam",
        _("I saw sexual pictures or videos of a child"),
        _("Tell us where you saw them. Never send the pictures."),
    ),
    (
        "cyberbullying",
        _("Others are bullying me online"),
        _("Mean messages, insults, spreading lies or photos, leaving me out on purpose."),
    ),
    (
        "dangerous_challenges",
        _("A dangerous challenge or game"),
        _("A challenge or game online that could hurt someone."),
    ),
    (
        "internet_addiction",
        _("Too much time online"),
        _("Games, videos or social media take over the day and it is hard to stop."),
    ),
    ("other", _("Something else"), _("Tell us in your own words.")),
]
WHAT_HAPPENED_LABELS = {code: label for code, label, _hint in WHAT_HAPPENED}

IN_DANGER = [
    ("yes", _("Yes, a child is in danger right now")),
    ("no", _("No")),
    ("unsure", _("I am not sure")),
]
REPORTED_TO = [
    ("platform", _("To the app or web site")),
    ("police", _("To the police")),
    ("school", _("To the school")),
    ("other", pgettext_lazy("reported to", "Somewhere else")),
    ("none", _("Not yet")),
]
# Who is reporting → the reporter type code in the taxonomy.
REPORTERS = [
    ("child", _("I am a child or a young person"), "child"),
    ("parent", _("I am a parent or carer"), "parent"),
    ("teacher", _("I am a teacher or work at a school"), "teacher"),
    ("professional", _("I work with children (social worker, psychologist, doctor…)"), "professional"),
    ("other", pgettext_lazy("reporter", "Someone else"), "citizen"),
]
REPORTER_TYPE_CODES = {code: taxonomy_code for code, _label, taxonomy_code in REPORTERS}
REPLY = [
    ("anonymous", _("I want to stay anonymous")),
    ("contact", _("You may contact me")),
]
# The zones a reporter may pick, each named in the page's language (the IANA name is the stored
# value, never shown): where the child or the reporter is, not a list of every zone on Earth.
TIME_ZONE_NAMES = {
    "Europe/Belgrade": _("Serbia (Belgrade)"),
    "Europe/Podgorica": _("Montenegro (Podgorica)"),
    "Europe/Sarajevo": _("Bosnia and Herzegovina (Sarajevo)"),
    "Europe/Zagreb": _("Croatia (Zagreb)"),
    "Europe/Skopje": _("North Macedonia (Skopje)"),
    "Europe/Ljubljana": _("Slovenia (Ljubljana)"),
    "Europe/Budapest": _("Hungary (Budapest)"),
    "Europe/Bucharest": _("Romania (Bucharest)"),
    "Europe/Sofia": _("Bulgaria (Sofia)"),
    "Europe/Athens": _("Greece (Athens)"),
    "Europe/Vienna": _("Austria (Vienna)"),
    "Europe/Berlin": _("Germany (Berlin)"),
    "Europe/Zurich": _("Switzerland (Zurich)"),
    "Europe/Paris": _("France (Paris)"),
    "Europe/London": _("United Kingdom (London)"),
    "America/New_York": _("USA, east (New York)"),
    "America/Chicago": _("USA, central (Chicago)"),
    "America/Los_Angeles": _("USA, west (Los Angeles)"),
    "Australia/Sydney": _("Australia (Sydney)"),
    "UTC": _("Universal time (UTC)"),
}
TIME_ZONES = list(TIME_ZONE_NAMES)
DEFAULT_TIME_ZONE = "Europe/Belgrade"

# Category-specific wording of the "where" and "who" questions.
URL_LABELS = {
    "csam": _("Where did you see it? Copy the exact web address (URL)"),
    "profile_abuse": _("Links to the fake profile or the posts"),
}
PEOPLE_LABELS = {
    "profile_abuse": _("The fake profile: its user name or link"),
    "predators": _("The person's user names or profile links"),
    "threats_blackmail": _("The person's user names, profile links or phone number"),
    "cyberbullying": _("User names or profile links of those bullying"),
}


def _choices_from(model, blank_label=None):
    rows = taxonomy_cache.choices(model)
    return ([("", blank_label)] if blank_label is not None else []) + rows


def capture(form: forms.Form, data) -> dict:
    """What the person typed into ``form``'s fields, as JSON-safe values (kept in the draft)."""
    kept = {}
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue
        value = field.widget.value_from_datadict(data, {}, form.add_prefix(name))
        if isinstance(value, (list, tuple)):
            value = [str(item).replace("\x00", "")[:MAX_TEXT] for item in value][:200]
        elif isinstance(value, bool) or value is None:
            pass
        else:
            value = str(value).replace("\x00", "")[:MAX_TEXT]
        kept[name] = value
    return kept


class PlainForm(forms.Form):
    """A form that takes any plain dict as data (a draft, decoded JSON) without crashing: a list
    where one value belongs counts as its last item (as a query string would), anything that is
    not text becomes text, and the field then refuses what is wrong."""

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        if data is not None and not hasattr(data, "getlist"):
            self.data = {key: self._coerce(key, value) for key, value in dict(data).items()}

    def _coerce(self, key, value):
        field = self.fields.get(key)
        if isinstance(field, forms.MultipleChoiceField):
            items = value if isinstance(value, (list, tuple)) else [value]
            return [item if isinstance(item, str) else str(item) for item in items]
        if isinstance(value, (list, tuple)):
            value = value[-1] if value else ""
        if isinstance(field, forms.BooleanField) and isinstance(value, (bool, str, int, float)):
            return value
        return value if isinstance(value, str) or value is None else str(value)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CategoryForm(PlainForm):
    category = forms.ChoiceField(
        label=_("What happened?"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened. If nothing fits, choose “Something else”.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        known = {term.code for term in taxonomy_cache.terms(Category)}
        self.hints = {code: hint for code, _label, hint in WHAT_HAPPENED}
        self.fields["category"].choices = [
            (code, label) for code, label, _hint in WHAT_HAPPENED if code in known
        ]


class DetailsForm(PlainForm):
    """Step 2: the questions of the category's checklist (``completeness.CHECKLISTS``)."""

    description = forms.CharField(
        label=_("Tell us what happened, in your own words"),
        help_text=_("Short sentences are fine. Write what you saw and what was said."),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Please tell us what happened.")},
    )
    when_date = forms.DateField(
        label=_("Date"),
        required=False,
        input_formats=["%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y.", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    when_time = forms.TimeField(
        label=_("Time"),
        required=False,
        input_formats=["%H:%M", "%H:%M:%S", "%H.%M"],
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    when_timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=list(TIME_ZONE_NAMES.items()),
        initial=DEFAULT_TIME_ZONE,
        required=False,
    )
    when_unsure = forms.BooleanField(label=_("I am not sure when"), required=False)
    platforms = forms.MultipleChoiceField(
        label=_("Where did it happen?"),
        help_text=_("Choose all that fit."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urls = forms.CharField(
        label=_("Exact web addresses (URLs)"),
        help_text=_("Copy them from the address bar or the “Share” button. One address per line."),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "autocapitalize": "off", "spellcheck": "false"}),
    )
    people = forms.CharField(
        label=_("User names or profile links of the person responsible"),
        help_text=format_lazy(
            _(
                "For example {handle} or a link to the profile. One per line. If you only know the "
                "name they show, write it in the story above."
            ),
            # Translators: an example user name, in this language's own script (@име, @ime).
            handle=_("@name"),
        ),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "autocapitalize": "off", "spellcheck": "false"}),
    )
    age_band = forms.ChoiceField(label=_("How old is the child?"), required=False)
    municipality = forms.ChoiceField(
        label=_("Where does the child live? (town or municipality)"), required=False
    )
    in_danger = forms.ChoiceField(
        label=_("Is a child in danger right now?"),
        choices=IN_DANGER,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please answer: is a child in danger right now?")},
    )
    reported_to = forms.MultipleChoiceField(
        label=_("Did you already report it?"),
        choices=REPORTED_TO,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    report_tickets = forms.CharField(
        label=_("Report or ticket numbers you got"),
        help_text=_("If the app or the police gave you a number, write it here."),
        required=False,
        max_length=300,
    )

    def __init__(self, *args, category: str = completeness.OTHER, **kwargs):
        super().__init__(*args, **kwargs)
        self.category = category
        # Callables: the lists (the municipalities are long) are only walked when a value is
        # checked or the field drawn, not on every form an API request builds.
        self.fields["platforms"].choices = functools.partial(_choices_from, Platform)
        self.fields["age_band"].choices = functools.partial(_choices_from, AgeBand, _("I don't know"))
        self.fields["municipality"].choices = functools.partial(
            _choices_from, Municipality, _("I don't know / outside the country")
        )
        self.fields["when_timezone"].initial = DEFAULT_TIME_ZONE
        ask = lambda item: completeness.asks(category, item)  # noqa: E731
        if not ask("when"):
            for name in ("when_date", "when_time", "when_timezone", "when_unsure"):
                del self.fields[name]
        if not ask("platform"):
            del self.fields["platforms"]
        if not ask("urls"):
            del self.fields["urls"]
        else:
            self.fields["urls"].label = URL_LABELS.get(category, self.fields["urls"].label)
        if not ask("who"):
            del self.fields["people"]
        else:
            self.fields["people"].label = PEOPLE_LABELS.get(category, self.fields["people"].label)
        if not ask("reported"):
            del self.fields["reported_to"], self.fields["report_tickets"]

    def clean_when_date(self):
        value = self.cleaned_data.get("when_date")
        if value is None:
            return value
        today = timezone.localdate()
        if value > today + dt.timedelta(days=1):
            raise forms.ValidationError(_("This date is in the future."))
        if value.year < 2000:
            raise forms.ValidationError(_("Please check the year."))
        return value

    def clean_urls(self):
        lines = _lines(self.cleaned_data.get("urls", ""))
        if len(lines) > MAX_LINES:
            raise forms.ValidationError(_("At most %(n)d addresses, please.") % {"n": MAX_LINES})
        errors = []
        for number, line in enumerate(lines, start=1):
            try:
                identity("url", line)
            except ArtefactError as exc:
                errors.append(
                    _("Line %(n)d (%(text)s): %(error)s") % {"n": number, "text": line[:60], "error": exc}
                )
        if errors:
            raise forms.ValidationError(errors)
        return lines

    def clean_people(self):
        lines = _lines(self.cleaned_data.get("people", ""))
        if len(lines) > MAX_LINES:
            raise forms.ValidationError(_("At most %(n)d names, please.") % {"n": MAX_LINES})
        errors = []
        for number, line in enumerate(lines, start=1):
            try:
                person_identity(line, self._single_platform())
            except ArtefactError as exc:
                errors.append(
                    _("Line %(n)d (%(text)s): %(error)s") % {"n": number, "text": line[:60], "error": exc}
                )
        if errors:
            raise forms.ValidationError(errors)
        return lines

    def _single_platform(self) -> str | None:
        chosen = self.cleaned_data.get("platforms") or []
        return chosen[0] if len(chosen) == 1 else None

    def clean_reported_to(self):
        value = self.cleaned_data.get("reported_to") or []
        if "none" in value and len(value) > 1:
            raise forms.ValidationError(
                _("You chose “Not yet” and a place you reported it to. Please choose again.")
            )
        return value

    def clean(self):
        data = super().clean()
        if data.get("when_time") and not data.get("when_date") and "when_date" not in self.errors:
            self.add_error("when_date", _("Add the date too, or tick “I am not sure when”."))
        return data


def person_kind(value: str) -> str:
    """A line of the "who" answer: a profile link, an e-mail, a phone number or a user name."""
    text = value.strip()
    if "/" in text or text.lower().startswith(("http", "www.")):
        return "profile_url"
    if "@" in text[1:]:
        return "email"
    digits = text.lstrip("+").replace(" ", "").replace("-", "")
    if text.startswith(("+", "0")) and digits.isdigit() and len(digits) >= 6:
        return "phone"
    return "username"


def person_identity(value: str, platform: str | None) -> str:
    return identity(person_kind(value), value, platform)


class ReporterForm(PlainForm):
    """Step 4: who is reporting, how to reach them (or not), consent. ``website`` is the honeypot."""

    reporter = forms.ChoiceField(
        label=_("Who are you?"),
        choices=[(code, label) for code, label, _t in REPORTERS],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please tell us who you are.")},
    )
    reply = forms.ChoiceField(
        label=_("Should we contact you?"),
        choices=REPLY,
        widget=forms.RadioSelect,
        initial="anonymous",
        error_messages={"required": _("Choose whether we may contact you.")},
    )
    name = forms.CharField(label=_("What can we call you?"), required=False, max_length=100)
    email = forms.CharField(
        label=_("E-mail address"),
        required=False,
        max_length=200,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that the centre keeps what I wrote and sent, and may pass it to the police or another "
            "institution to protect a child."
        ),
        error_messages={"required": _("Please tick the box to agree, or we cannot receive the report.")},
    )
    website = forms.CharField(label=_("Leave this empty"), required=False, max_length=200)

    def clean_email(self):
        value = self.cleaned_data.get("email", "").strip()
        if value:
            try:
                normalize_email(value)
            except ArtefactError:
                raise forms.ValidationError(
                    _("This does not look like an e-mail address ({example}).").format(
                        # Translators: an example e-mail address, in this language's own script.
                        example=_("name@example.com")
                    )
                ) from None
        return value

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "").strip()
        if value:
            try:
                return normalize_phone(value).removeprefix("phone:")
            except ArtefactError as exc:
                raise forms.ValidationError(str(exc)) from None
        return value

    def clean(self):
        data = super().clean()
        if data.get("reply") == "contact":
            if (
                not data.get("email")
                and not data.get("phone")
                and not ({"email", "phone"} & set(self.errors))
            ):
                self.add_error(
                    "email", _("Give an e-mail address or a phone number, or choose to stay anonymous.")
                )
        elif data.get("reply") == "anonymous":
            # Anonymous wins: whatever is in the contact fields is dropped, mistakes included.
            for name in ("email", "phone", "name"):
                self._errors.pop(name, None)
                data[name] = ""
        return data


class CheckForm(PlainForm):
    reference = forms.CharField(
        label=_("Reference code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    secret = forms.CharField(
        label=_("Secret code"), max_length=100, widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )


class AdditionForm(PlainForm):
    text = forms.CharField(
        label=_("What do you want to add?"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    in_danger = forms.BooleanField(label=_("A child is in danger right now"), required=False)
