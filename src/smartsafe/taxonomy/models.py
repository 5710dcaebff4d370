"""Taxonomy: stable codes in data, names in two authored languages (Latin derived).

Codes never change once used (statistics over years depend on them); names may. A term that is
no longer offered is deactivated, never deleted.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .frameworks import CHI_CATEGORIES, INSAFE_CATEGORIES
from .translation import pick


class TermQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class Term(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name_sr = models.CharField(_("name (Serbian, Cyrillic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    sort_order = models.PositiveIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    objects = TermQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(sr=self.name_sr, en=self.name_en)

    def name_in(self, language: str) -> str:
        return pick(sr=self.name_sr, en=self.name_en, language=language)


class Channel(Term):
    class Kind(models.TextChoices):
        WEB = "web", _("Web")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Phone")
        SOCIAL = "social", _("Social media / messenger")
        CHAT = "chat", _("Web chat")
        IN_PERSON = "in_person", _("In person")
        LETTER = "letter", _("Letter")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)

    class Meta(Term.Meta):
        verbose_name = _("channel")
        verbose_name_plural = _("channels")


class Category(Term):
    """What a contact or case is about. ``referral`` categories are the seven of the seed."""

    class Kind(models.TextChoices):
        REFERRAL = "referral", _("Referral category")
        ADVISORY = "advisory", _("Advisory topic")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    description_sr = models.TextField(_("description (Serbian, Cyrillic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    chi_code = models.CharField(
        _("Child Helpline International category"), max_length=60, choices=CHI_CATEGORIES, blank=True
    )
    insafe_code = models.CharField(
        _("Insafe helpline category"), max_length=60, choices=INSAFE_CATEGORIES, blank=True
    )
    # Categories that put a child in immediate danger suggest the urgent flag at intake.
    suggests_urgent = models.BooleanField(_("suggests urgency"), default=False)

    class Meta(Term.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    @property
    def description(self) -> str:
        return pick(sr=self.description_sr, en=self.description_en)


class Platform(Term):
    class Kind(models.TextChoices):
        SOCIAL = "social", _("Social network")
        MESSENGER = "messenger", _("Messenger")
        VIDEO = "video", _("Video")
        GAME = "game", _("Game")
        WEB = "web", _("Web site / other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Host names (without "www.") that identify the platform in a URL, for artefact normalisation.
    hosts = models.JSONField(_("host names"), default=list, blank=True)

    class Meta(Term.Meta):
        verbose_name = _("platform")
        verbose_name_plural = _("platforms")


class ReporterType(Term):
    class Meta(Term.Meta):
        verbose_name = _("reporter type")
        verbose_name_plural = _("reporter types")


class AgeBand(Term):
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("to age"), null=True, blank=True)

    class Meta(Term.Meta):
        verbose_name = _("age band")
        verbose_name_plural = _("age bands")


class Sex(Term):
    class Meta(Term.Meta):
        verbose_name = _("sex")
        verbose_name_plural = _("sexes")


class Municipality(Term):
    """A city, municipality or city municipality; ``country``, ``district`` and ``region`` make
    other countries plain data.

    ``district`` and ``region`` hold the Serbian (Cyrillic) names as authored, ``district_en`` and
    ``region_en`` the English ones; show them through ``district_name`` / ``region_name``.
    Statistics group by them; cases keep the municipality itself, so a renamed district moves
    every old case with it.
    """

    class Kind(models.TextChoices):
        CITY = "city", _("City")
        MUNICIPALITY = "municipality", _("Municipality")
        CITY_MUNICIPALITY = "city_municipality", _("City municipality")

    country = models.CharField(_("country"), max_length=2, default="RS")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, blank=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    district_en = models.CharField(_("district (English)"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    region_en = models.CharField(_("region (English)"), max_length=100, blank=True)

    class Meta(Term.Meta):
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["country", "name_sr"]

    @property
    def district_name(self) -> str:
        return pick(sr=self.district, en=self.district_en)

    @property
    def region_name(self) -> str:
        return pick(sr=self.region, en=self.region_en)
