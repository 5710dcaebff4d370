"""The directory: institutions the centre refers to, who works for them, and the organisations
(NGOs and others) mapped against the WHO INSPIRE strategies.

Everything here is *data*: a country ships its institutions and organisations as files under
``directory/data/<country>/`` and the loaders put them in the database (see docs/directory.md).
Search columns (``search_text``, ``places_key``) are folded with :func:`smartsafe.core.text.fold`
so "Niš", "nis" and "Ниш" find each other on SQLite and PostgreSQL alike; ``save()`` keeps them
current, and the loaders (which also run in migrations, on historical models without our
``save()``) call the same module-level functions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartsafe.core.text import fold, fold_many
from smartsafe.taxonomy.translation import pick, to_latin

# Words that say "this is a district/region" in the names people type; dropped when matching
# an institution's covered areas against a municipality's district or region.
_AREA_NOISE = {"okrug", "upravni", "district", "administrative", "region", "grad", "city", "of", "the"}


def area_key(name: str) -> str:
    """A district or region name reduced to what identifies it: "Јужнобачки управни округ" → "juznobacki"."""
    return " ".join(word for word in fold(name).replace("-", " ").split() if word not in _AREA_NOISE)


def keys_column(values) -> str:
    """``|a|b|`` — a folded list in one text column, searchable with ``contains="|a|"`` on any engine."""
    keys = sorted({key for key in (area_key(v) for v in values or []) if key})
    return "|" + "|".join(keys) + "|" if keys else ""


class PacketLanguage(models.TextChoices):
    SR_CYRL = "sr-Cyrl", _("Serbian (Cyrillic)")
    SR_LATN = "sr-Latn", _("Serbian (Latin)")
    EN = "en", _("English")


class Institution(models.Model):
    class Kind(models.TextChoices):
        POLICE = "police", _("Police")
        PROSECUTOR = "prosecutor", _("Prosecutor's office")
        EDUCATION = "education", _("Education authority / school")
        SOCIAL_WORK = "social_work", _("Centre for social work")
        HEALTH = "health", _("Health service")
        HOTLINE = "hotline", _("Illegal-content hotline")
        PLATFORM = "platform", _("Platform trust and safety")
        NGO = "ngo", _("Non-governmental organisation")

    class Level(models.TextChoices):
        # Decides routing: a national institution takes cases from anywhere; a regional one from
        # the districts/municipalities it covers; a municipal one from its own municipality.
        NATIONAL = "national", _("National")
        REGION = "region", _("Region / district")
        MUNICIPALITY = "municipality", _("Municipality")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name_sr = models.CharField(_("name (Serbian, Cyrillic)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)
    country = models.CharField(
        _("country"), max_length=2, default="RS", help_text=_("ISO 3166 code, e.g. RS.")
    )
    level = models.CharField(_("jurisdiction"), max_length=20, choices=Level.choices, default=Level.NATIONAL)
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="branches",
        verbose_name=_("part of"),
        help_text=_("E.g. a school administration is part of the Ministry of Education."),
    )
    municipality = models.ForeignKey(
        "taxonomy.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("municipality"),
        help_text=_("Where the institution sits; for a municipal institution also the area it covers."),
    )
    areas = models.JSONField(
        _("districts or regions covered"),
        default=list,
        blank=True,
        help_text=_("Names of the districts or regions a regional institution covers."),
    )
    covered_municipalities = models.ManyToManyField(
        "taxonomy.Municipality",
        blank=True,
        related_name="covering_institutions",
        verbose_name=_("municipalities covered"),
        help_text=_("Further municipalities covered, beyond its own and its districts."),
    )
    email = models.EmailField(_("e-mail for referrals"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.URLField(_("web site"), max_length=300, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    working_hours = models.CharField(
        _("working hours"),
        max_length=200,
        blank=True,
        help_text=_("E.g. Mon–Fri 07:30–15:30; urgent: 192 at any time."),
    )
    uses_portal = models.BooleanField(_("uses the portal"), default=False)
    packet_language = models.CharField(
        _("referral packet language"),
        max_length=10,
        choices=PacketLanguage.choices,
        default=PacketLanguage.SR_CYRL,
    )
    counsellor_notes = models.TextField(
        _("notes for counsellors"),
        blank=True,
        help_text=_("What the institution wants counsellors to know before referring."),
    )
    source = models.CharField(_("source of the data"), max_length=250, blank=True)
    verified_on = models.DateField(_("contact data verified on"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Maintained by save() and the loaders; never edited by hand.
    search_text = models.TextField(editable=False, blank=True, default="")
    areas_key = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["kind", "name_en"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        refresh_institution_columns(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_text", "areas_key"}
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return pick(sr=self.name_sr, en=self.name_en)


def refresh_institution_columns(institution) -> None:
    """Fill the folded columns from the row's own fields (works on historical models too)."""
    municipality = getattr(institution, "municipality", None) if institution.municipality_id else None
    institution.areas_key = keys_column(institution.areas)
    institution.search_text = fold_many(
        institution.code,
        institution.name_sr,
        to_latin(institution.name_sr),
        institution.name_en,
        municipality.name_sr if municipality else "",
        municipality.name_en if municipality else "",
        " ".join(str(a) for a in institution.areas or []),
        institution.email,
        institution.website,
    )


class InstitutionMember(models.Model):
    """Makes a user a liaison of one institution; the query layer scopes them by it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="institution_membership"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="members")

    class Meta:
        verbose_name = _("institution member")
        verbose_name_plural = _("institution members")

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"


# --- INSPIRE --------------------------------------------------------------------------------------


class _Named(models.Model):
    name_sr = models.CharField(_("name (Serbian, Cyrillic)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(sr=self.name_sr, en=self.name_en)


class InspireStrategy(_Named):
    """One of the seven WHO INSPIRE strategies (numbers and codes never change)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("INSPIRE strategy")
        verbose_name_plural = _("INSPIRE strategies")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class InspireApproach(_Named):
    """An approach under a strategy, as WHO names it or as the Serbian 2019 survey split it."""

    strategy = models.ForeignKey(
        InspireStrategy, on_delete=models.PROTECT, related_name="approaches", verbose_name=_("strategy")
    )
    code = models.SlugField(_("code"), max_length=60, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    survey_count = models.PositiveSmallIntegerField(
        _("organisations in the 2019 survey"),
        null=True,
        blank=True,
        help_text=_(
            "How many respondents of the 2019 Serbian mapping said they work on it; empty where not reported."
        ),
    )

    class Meta:
        verbose_name = _("INSPIRE approach")
        verbose_name_plural = _("INSPIRE approaches")
        ordering = ["strategy__number", "sort_order", "code"]


class Service(_Named):
    """What an organisation offers a child or family: psychological support, legal aid, shelter…"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["sort_order", "code"]


class Organisation(models.Model):
    """An organisation from the directory, e.g. one of the 2019 INSPIRE mapping's respondents.

    It becomes *referrable* when linked to an :class:`Institution` (usually of kind ``ngo``): the
    referral workflow only ever addresses institutions.
    """

    class Kind(models.TextChoices):
        NGO = "ngo", _("Non-governmental organisation")
        GOVERNMENT = "government", _("Government body")
        PUBLIC = "public", _("Public institution")

    slug = models.SlugField(_("code"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.NGO)
    name = models.CharField(_("name"), max_length=250)
    name_local = models.CharField(_("name in the local language"), max_length=250, blank=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    country = models.CharField(_("country"), max_length=2, default="RS")
    website = models.URLField(_("web site"), max_length=500, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_sr = models.TextField(_("description (Serbian, Cyrillic)"), blank=True)
    towns = models.JSONField(
        _("towns"), default=list, blank=True, help_text=_("Towns where it works, as named.")
    )
    municipalities = models.ManyToManyField(
        "taxonomy.Municipality", blank=True, related_name="organisations", verbose_name=_("municipalities")
    )
    services = models.ManyToManyField(
        Service, blank=True, related_name="organisations", verbose_name=_("services")
    )
    strategies = models.ManyToManyField(
        InspireStrategy, blank=True, related_name="organisations", verbose_name=_("INSPIRE strategies")
    )
    approaches = models.ManyToManyField(
        InspireApproach, blank=True, related_name="organisations", verbose_name=_("INSPIRE approaches")
    )
    links = models.JSONField(
        _("links to initiatives"), default=list, blank=True, help_text=_('A list of {"url": …, "label": …}.')
    )
    institution = models.OneToOneField(
        Institution,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="organisation",
        verbose_name=_("referrable as"),
        help_text=_("The institution entry cases are referred to; empty when it does not take referrals."),
    )
    source = models.CharField(_("source of the data"), max_length=250, blank=True)
    active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    search_text = models.TextField(editable=False, blank=True, default="")
    places_key = models.TextField(editable=False, blank=True, default="")

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.acronym})" if self.acronym else self.name

    def save(self, *args, **kwargs):
        names = list(self.municipalities.values_list("name_sr", flat=True)) if self.pk else []
        refresh_organisation_columns(self, names)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | {"search_text", "places_key"}
        super().save(*args, **kwargs)

    @property
    def description(self) -> str:
        return pick(sr=self.description_sr, en=self.description_en)


def refresh_organisation_columns(organisation, municipality_names=()) -> None:
    """Fill the folded columns. ``municipality_names`` comes from the M2M once it is set."""
    places = [*(organisation.towns or []), *municipality_names]
    organisation.places_key = keys_column(places)
    organisation.search_text = fold_many(
        organisation.slug,
        organisation.name,
        organisation.name_local,
        organisation.acronym,
        organisation.description_en,
        organisation.description_sr,
        " ".join(places),
        organisation.website,
    )
