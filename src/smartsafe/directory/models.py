"""Institutions the centre refers to, and who works for them.

Built out by the referrals work (types, jurisdictions, the organisation directory); the core
needs the institution and its members to scope what a liaison may see.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartsafe.taxonomy.translation import pick


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

    code = models.SlugField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    name_sr = models.CharField(_("name (Serbian, Cyrillic)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)
    municipality = models.ForeignKey(
        "taxonomy.Municipality", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    uses_portal = models.BooleanField(_("uses the portal"), default=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["kind", "name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(sr=self.name_sr, en=self.name_en)


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
