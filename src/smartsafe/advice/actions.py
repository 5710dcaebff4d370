"""Every write to advice articles: checks permission, writes, audits, in one transaction.

Row versions are kept by django-simple-history (``Article.history``); the audit event says who did
what and which fields changed, never the text itself.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartsafe.audit import codes
from smartsafe.audit.log import record
from smartsafe.core.concurrency import lock_for_update

from .models import Article, Audience, Status
from .permissions import can_edit_article, can_publish_articles, can_write_articles

TEXT_FIELDS = ("title_sr", "title_en", "summary_sr", "summary_en", "body_sr", "body_en")
EDITABLE_FIELDS = ("slug", "audience", *TEXT_FIELDS)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Addresses the URL patterns use for other pages (urls.py).
RESERVED_SLUGS = frozenset({"staff"})
# Generous limits that still keep one page light on a phone; the model's own limits for the rest.
MAX_BODY = 20_000


def _clean(fields: dict) -> dict:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in sorted(unknown)})
    cleaned = {}
    errors: dict[str, str] = {}
    for name, value in fields.items():
        value = (value or "").replace("\x00", "")
        cleaned[name] = value.strip() if name != "body_sr" and name != "body_en" else value.strip("\n")
    if "slug" in cleaned:
        slug = cleaned["slug"].lower()
        cleaned["slug"] = slug
        if slug in RESERVED_SLUGS:
            errors["slug"] = _("This address is used by another page; choose another.")
        elif not SLUG.match(slug) or len(slug) > 80:
            errors["slug"] = _(
                "Use lower-case Latin letters, digits and single hyphens, e.g. “screenshots-as-evidence”."
            )
    if "audience" in cleaned and cleaned["audience"] not in Audience.values:
        errors["audience"] = _("Choose who the article is written for.")
    for name in ("title_sr", "title_en"):
        if len(cleaned.get(name, "")) > 200:
            errors[name] = _("At most 200 characters.")
    for name in ("summary_sr", "summary_en"):
        if len(cleaned.get(name, "")) > 400:
            errors[name] = _("At most 400 characters.")
    for name in ("body_sr", "body_en"):
        if len(cleaned.get(name, "")) > MAX_BODY:
            errors[name] = _("At most %(count)d characters: split a longer text into two articles.") % {
                "count": MAX_BODY
            }
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save(article: Article, actor) -> None:
    article._history_user = actor  # row history outside a request (commands, API) names the writer too
    if not (article.title_sr or article.title_en):
        raise ValidationError({"title_sr": _("Give the article a title in at least one language.")})
    if Article.objects.filter(slug=article.slug).exclude(pk=article.pk).exists():
        raise ValidationError({"slug": _("Another article already has this address.")})
    try:
        with transaction.atomic():
            article.save()
    except IntegrityError:  # a concurrent save took the slug between the check and the write
        raise ValidationError({"slug": _("Another article already has this address.")}) from None


@transaction.atomic
def create_article(*, actor, topics=(), **fields) -> Article:
    """A new draft. Counsellors and supervisors."""
    if not can_write_articles(actor):
        raise PermissionDenied(_("Your role may not write advice articles."))
    fields = _clean(fields)
    if not fields.get("slug"):
        raise ValidationError({"slug": _("Give the article an address.")})
    article = Article(author=actor, updated_by=actor, status=Status.DRAFT, **fields)
    _save(article, actor)
    article.topics.set(topics)  # a second history row: the first has no id to attach topics to
    record(
        codes.ADVICE_CREATE,
        actor=actor,
        obj=article,
        slug=article.slug,
        topics=sorted(t.code for t in topics),
    )
    return article


@transaction.atomic
def update_article(
    *, actor, article: Article, expected_version: int | None = None, topics=None, **fields
) -> Article:
    """Change an article. A draft: any writer; a published one: supervisors (it changes live)."""
    article = lock_for_update(Article.objects.all(), article.pk, expected_version=expected_version)
    if not can_edit_article(actor, article):
        raise PermissionDenied(_("Only a supervisor may change an article that is already public."))
    fields = _clean(fields)
    changed = [name for name, value in fields.items() if getattr(article, name) != value]
    for name in changed:
        setattr(article, name, fields[name])
    if topics is not None:
        before = set(article.topics.values_list("pk", flat=True))
        if before != {t.pk for t in topics}:
            changed.append("topics")
    if not changed:
        return article
    if article.is_published and article.missing_for_publication():
        raise ValidationError(
            {
                name: _("A published article needs this in both languages.")
                for name in article.missing_for_publication()
            }
        )
    article.updated_by = actor
    if topics is not None:
        # Set quietly: the save below records one history row that includes the new topics.
        article.skip_history_when_saving = True
        try:
            article.topics.set(topics)
        finally:
            del article.skip_history_when_saving
    _save(article, actor)
    record(
        codes.ADVICE_UPDATE, actor=actor, obj=article, fields=sorted(changed), published=article.is_published
    )
    return article


@transaction.atomic
def publish_article(*, actor, article: Article) -> Article:
    """Put a draft on the public site. Supervisors; both languages must be complete."""
    if not can_publish_articles(actor):
        raise PermissionDenied(_("Only a supervisor may publish an article."))
    article = lock_for_update(Article.objects.all(), article.pk)
    if article.is_published:
        return article
    missing = article.missing_for_publication()
    if missing:
        raise ValidationError(
            _("Write the title, summary and text in both languages before publishing (missing: %(fields)s).")
            % {"fields": ", ".join(str(Article._meta.get_field(name).verbose_name) for name in missing)}
        )
    article.status = Status.PUBLISHED
    article.published_at = article.published_at or timezone.now()  # the first publication stays
    article.updated_by = actor
    article._history_user = actor
    article.save()
    record(codes.ADVICE_PUBLISH, actor=actor, obj=article, slug=article.slug)
    return article


@transaction.atomic
def unpublish_article(*, actor, article: Article) -> Article:
    """Take an article off the public site (back to draft). Supervisors."""
    if not can_publish_articles(actor):
        raise PermissionDenied(_("Only a supervisor may take an article off the public site."))
    article = lock_for_update(Article.objects.all(), article.pk)
    if not article.is_published:
        return article
    article.status = Status.DRAFT
    article.updated_by = actor
    article._history_user = actor
    article.save()
    record(codes.ADVICE_UNPUBLISH, actor=actor, obj=article, slug=article.slug)
    return article
