"""Reads of advice articles: the public ones for everybody, drafts only for writers."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from smartsafe.core.text import fold
from smartsafe.taxonomy.models import Category

from .models import Article, Audience, Status
from .permissions import can_write_articles

MAX_QUERY = 200  # longer search text is cut, not refused: a pasted paragraph still searches
MAX_WORDS = 8


def _search(queryset: QuerySet, text: str) -> QuerySet:
    """Every word of ``text`` (folded: any script, case, diacritics) must occur in the article."""
    words = fold((text or "").replace("\x00", "")[:MAX_QUERY]).split()[:MAX_WORDS]
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset


def published_articles(*, topic: str = "", audience: str = "", q: str = "") -> QuerySet:
    """The public list: published only, newest first. Unknown filter values match nothing."""
    queryset = Article.objects.published().prefetch_related("topics")
    if topic:
        queryset = queryset.filter(topics__code=topic, topics__active=True)
    if audience:
        # "Everyone" articles belong in every audience's list.
        queryset = queryset.filter(Q(audience=audience) | Q(audience=Audience.EVERYONE))
    return _search(queryset, q).distinct().order_by("-published_at", "pk")


def published_article(slug: str) -> Article:
    """A public article by address; ``Article.DoesNotExist`` for an unknown or unpublished one."""
    return Article.objects.published().prefetch_related("topics").get(slug=slug)


def topics_with_articles() -> QuerySet:
    """Active categories that have at least one published article, for the topic filter."""
    return (
        Category.objects.active()
        .filter(advice_articles__status=Status.PUBLISHED)
        .distinct()
        .order_by("sort_order", "code")
    )


def require_writer(user) -> None:
    if not can_write_articles(user):
        raise PermissionDenied(_("Only counsellors and supervisors work on advice articles."))


def staff_articles(user, *, status: str = "", q: str = "") -> QuerySet:
    """Every article, drafts too, for counsellors and supervisors; most recently changed first."""
    require_writer(user)
    queryset = Article.objects.select_related("author", "updated_by").prefetch_related("topics")
    if status:
        queryset = queryset.filter(status=status)
    return _search(queryset, q).order_by("-updated_at", "-pk")


def staff_article(user, pk: int) -> Article:
    require_writer(user)
    return Article.objects.select_related("author", "updated_by").prefetch_related("topics").get(pk=pk)
