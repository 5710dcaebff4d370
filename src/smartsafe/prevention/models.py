"""Prevention: presentations, workshops, trainings and campaigns, where they were held and who came.

Two records: a **venue** register that remembers each school (and library, dormitory, municipality…)
once, and **events** held at a venue or online. Statistics read them with plain aggregates (see
``queries.prevention_totals``): audience counts are integer columns, a school is a venue of kind
``primary_school`` or ``secondary_school``, and "schools reached" is the number of distinct such
venues with a held event in the period.

Writes go through ``actions`` (audited); ``save()`` here only keeps derived columns current.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from smartsafe.core.models import VersionedModel
from smartsafe.core.text import fold, fold_many

# Countries the centre has worked in or near; any other ISO 3166 code is accepted and shown as is.
COUNTRY_NAMES = {
    "RS": _("Serbia"),
    "ME": _("Montenegro"),
    "BA": _("Bosnia and Herzegovina"),
    "HR": _("Croatia"),
    "MK": _("North Macedonia"),
    "SI": _("Slovenia"),
    "HU": _("Hungary"),
    "RO": _("Romania"),
    "BG": _("Bulgaria"),
    "AL": _("Albania"),
}


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get((code or "").upper(), code or ""))


def home_country() -> str:
    """The centre's own country (``SMARTSAFE_COUNTRY``), upper case."""
    return (getattr(settings, "SMARTSAFE_COUNTRY", "rs") or "rs").upper()


class VenueKind(models.TextChoices):
    PRIMARY_SCHOOL = "primary_school", _("Primary school")
    SECONDARY_SCHOOL = "secondary_school", _("Secondary school")
    PUPILS_DORMITORY = "pupils_dormitory", _("Pupils' dormitory")
    CULTURAL_INSTITUTION = "cultural_institution", _("Cultural institution")
    LIBRARY = "library", _("Library")
    SPORTS_CAMP = "sports_camp", _("Sports camp")
    YOUTH_OFFICE = "youth_office", _("Youth office")
    MUNICIPALITY = "municipality", _("Municipality")
    ONLINE = "online", _("Online")
    OTHER = "other", _("Other")


SCHOOL_KINDS = (VenueKind.PRIMARY_SCHOOL, VenueKind.SECONDARY_SCHOOL)


class EventKind(models.TextChoices):
    PRESENTATION = "presentation", _("Presentation")
    WORKSHOP = "workshop", _("Workshop")
    TRAINING = "training", _("Training for professionals")
    WEBINAR = "webinar", _("Webinar")
    CAMPAIGN = "campaign", _("Campaign")
    CONFERENCE = "conference", _("Conference")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class EventLanguage(models.TextChoices):
    # Languages of instruction in Serbia and the region; "other" for anything else.
    SR = "sr", _("Serbian")
    EN = "en", _("English")
    HU = "hu", _("Hungarian")
    SK = "sk", _("Slovak")
    RO = "ro", _("Romanian")
    RUE = "rue", _("Rusyn")
    HR = "hr", _("Croatian")
    BS = "bs", _("Bosnian")
    SQ = "sq", _("Albanian")
    BG = "bg", _("Bulgarian")
    CNR = "cnr", _("Montenegrin")
    OTHER = "other", _("Other")


# The audience columns, in the order forms, imports and tables show them.
PUPIL_FIELDS = ("pupils_grades_1_4", "pupils_grades_5_8", "pupils_secondary")
AUDIENCE_FIELDS = (*PUPIL_FIELDS, "parents", "teachers", "professionals", "other_attendees")


class Venue(models.Model):
    """A place where events are held; one row per school, however many visits.

    ``municipality`` is set for places in a country whose municipalities are in the taxonomy;
    elsewhere (e.g. Montenegro before its municipalities are loaded) ``town`` names the place.
    ``name_key`` (the folded name) is what imports match on, with the municipality or town.
    """

    name = models.CharField(_("name"), max_length=250)
    kind = models.CharField(_("kind"), max_length=30, choices=VenueKind.choices)
    country = models.CharField(
        _("country"), max_length=2, default=home_country, help_text=_("ISO 3166 code, e.g. RS.")
    )
    municipality = models.ForeignKey(
        "taxonomy.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prevention_venues",
        verbose_name=_("municipality"),
    )
    town = models.CharField(
        _("town"),
        max_length=120,
        blank=True,
        help_text=_("For places whose municipality is not in the list."),
    )
    address = models.CharField(_("address"), max_length=250, blank=True)
    external_id = models.CharField(
        _("registry number"),
        max_length=60,
        blank=True,
        help_text=_("E.g. the school's number in the ministry's register of institutions."),
    )
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Maintained by save(); never edited by hand.
    name_key = models.CharField(editable=False, max_length=250, blank=True, default="", db_index=True)
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["kind", "municipality"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.place})" if self.place else self.name

    def save(self, *args, **kwargs):
        refresh_venue_columns(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"name_key", "search_text"}
        super().save(*args, **kwargs)

    @property
    def place(self) -> str:
        if self.municipality_id:
            return self.municipality.name
        return self.town

    @property
    def is_school(self) -> bool:
        return self.kind in SCHOOL_KINDS


def refresh_venue_columns(venue) -> None:
    municipality = venue.municipality if venue.municipality_id else None
    venue.country = (venue.country or "").upper()
    venue.name_key = fold(venue.name)[:250]
    venue.search_text = fold_many(
        venue.name,
        venue.town,
        venue.address,
        venue.external_id,
        municipality.name_sr if municipality else "",
        municipality.name_en if municipality else "",
    )


class Event(VersionedModel):
    """One prevention event. Counts are of people present; a held event is in the past."""

    kind = models.CharField(
        _("kind"), max_length=20, choices=EventKind.choices, default=EventKind.PRESENTATION
    )
    status = models.CharField(
        _("status"), max_length=12, choices=EventStatus.choices, default=EventStatus.PLANNED
    )
    title = models.CharField(_("title"), max_length=250, blank=True)
    date = models.DateField(_("date"), db_index=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    language = models.CharField(
        _("language"), max_length=8, choices=EventLanguage.choices, default=EventLanguage.SR
    )
    venue = models.ForeignKey(
        Venue, on_delete=models.PROTECT, null=True, blank=True, related_name="events", verbose_name=_("venue")
    )
    # Copied from the venue when there is one (so statistics group without a join, and a venue
    # that moves does not move past events); set directly for online events and events abroad.
    country = models.CharField(_("country"), max_length=2, default=home_country)
    municipality = models.ForeignKey(
        "taxonomy.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prevention_events",
        verbose_name=_("municipality"),
    )
    town = models.CharField(_("town"), max_length=120, blank=True)
    presenters = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="prevention_events", verbose_name=_("presenters")
    )
    partners = models.ManyToManyField(
        "directory.Organisation",
        blank=True,
        related_name="prevention_events",
        verbose_name=_("partner organisations"),
    )
    topics = models.ManyToManyField(
        "taxonomy.Category", blank=True, related_name="prevention_events", verbose_name=_("topics")
    )

    pupils_grades_1_4 = models.PositiveIntegerField(_("pupils, grades 1–4"), default=0)
    pupils_grades_5_8 = models.PositiveIntegerField(_("pupils, grades 5–8"), default=0)
    pupils_secondary = models.PositiveIntegerField(_("pupils, secondary school"), default=0)
    # Derived: the three pupil columns added up (a database constraint keeps it so).
    pupils = models.PositiveIntegerField(_("pupils"), default=0, editable=False)
    parents = models.PositiveIntegerField(_("parents"), default=0)
    teachers = models.PositiveIntegerField(_("teachers"), default=0)
    professionals = models.PositiveIntegerField(_("other professionals"), default=0)
    other_attendees = models.PositiveIntegerField(_("others"), default=0)

    materials = models.TextField(
        _("materials"), blank=True, help_text=_("What was used or handed out; links.")
    )
    feedback_responses = models.PositiveIntegerField(_("feedback responses"), default=0)
    feedback_average = models.DecimalField(
        _("average rating (1–5)"),
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    feedback_comments = models.TextField(_("feedback comments"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("prevention event")
        verbose_name_plural = _("prevention events")
        ordering = ["-date", "-start_time", "-pk"]
        indexes = [
            models.Index(fields=["status", "date"]),
            models.Index(fields=["country", "municipality"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pupils=F("pupils_grades_1_4") + F("pupils_grades_5_8") + F("pupils_secondary")),
                name="prevention_event_pupils_total",
            ),
            models.CheckConstraint(
                condition=Q(feedback_average__isnull=True)
                | Q(feedback_average__gte=1, feedback_average__lte=5, feedback_responses__gt=0),
                name="prevention_event_feedback_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.date:%Y-%m-%d} · {self.place_label}"

    @property
    def place_label(self) -> str:
        if self.venue_id:
            return str(self.venue)
        if self.municipality_id:
            return self.municipality.name
        return self.town or country_name(self.country)

    @property
    def display_title(self) -> str:
        return self.title or str(self.get_kind_display())

    @property
    def audience_total(self) -> int:
        return self.pupils + self.parents + self.teachers + self.professionals + self.other_attendees

    @property
    def country_label(self) -> str:
        return country_name(self.country)

    def save(self, *args, **kwargs):
        self.pupils = sum(getattr(self, name) or 0 for name in PUPIL_FIELDS)
        self.country = (self.country or "").upper()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"pupils"}
        super().save(*args, **kwargs)
