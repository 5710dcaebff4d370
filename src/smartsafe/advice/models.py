"""Advice articles: the public knowledge base, written by staff.

Text is authored twice, in Serbian Cyrillic and in English; Serbian Latin is generated from the
Cyrillic when a page is rendered (``rendering.render_body``), never stored, so the two scripts can
never drift apart. Bodies are Markdown and are only ever shown through the sanitiser.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from smartsafe.core.models import VersionedModel
from smartsafe.core.text import fold_many
from smartsafe.taxonomy.translation import pick


class Audience(models.TextChoices):
    CHILDREN = "children", _("Children and young people")
    PARENTS = "parents", _("Parents and carers")
    TEACHERS = "teachers", _("Teachers and professionals")
    EVERYONE = "everyone", _("Everyone")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class Article(VersionedModel):
    slug = models.SlugField(
        _("address"),
        max_length=80,
        unique=True,
        help_text=_("The last part of the public address: lower-case Latin letters, digits and hyphens."),
    )
    topics = models.ManyToManyField(
        "taxonomy.Category",
        related_name="advice_articles",
        blank=True,
        verbose_name=_("helps with"),
        help_text=_("The categories of contacts this article helps with."),
    )
    audience = models.CharField(
        _("written for"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE
    )
    title_sr = models.CharField(_("title (Serbian, Cyrillic)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_sr = models.CharField(_("summary (Serbian, Cyrillic)"), max_length=400, blank=True)
    summary_en = models.CharField(_("summary (English)"), max_length=400, blank=True)
    body_sr = models.TextField(_("text (Serbian, Cyrillic, Markdown)"), blank=True)
    body_en = models.TextField(_("text (English, Markdown)"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last edited by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Folded (Latin, lower case, no diacritics) title, summary and text of both languages: one
    # search that finds "nasilje", "насиље" and "Nasilje" alike, on SQLite and PostgreSQL.
    search_text = models.TextField(editable=False, blank=True, default="")

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text", "updated_at"], m2m_fields=[topics])

    class Meta:
        ordering = ["title_en", "slug"]
        verbose_name = _("advice article")
        verbose_name_plural = _("advice articles")
        indexes = [models.Index(fields=["status", "audience"])]

    def __str__(self) -> str:
        return self.title or self.slug

    def save(self, *args, **kwargs):
        self.search_text = fold_many(
            self.title_sr, self.title_en, self.summary_sr, self.summary_en, self.body_sr, self.body_en
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    # Plain-text fields in the active language (Latin generated from Cyrillic); bodies go through
    # ``rendering.render_body`` instead, which transliterates text only, never markup.
    @property
    def title(self) -> str:
        return pick(sr=self.title_sr, en=self.title_en)

    @property
    def summary(self) -> str:
        return pick(sr=self.summary_sr, en=self.summary_en)

    def missing_for_publication(self) -> list[str]:
        """The fields a published article must have: both languages, title, summary and text."""
        required = ("title_sr", "title_en", "summary_sr", "summary_en", "body_sr", "body_en")
        return [name for name in required if not getattr(self, name).strip()]
