"""Public reads show published articles only; search is folded; filters never error."""

import pytest
from django.core.exceptions import PermissionDenied

from smartsafe.advice import actions, queries
from smartsafe.advice.models import Article
from smartsafe.testing import category, make_user

from .helpers import make_article

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(counsellor, supervisor):
    Article.objects.all().delete()  # the starter articles: these tests count
    bullying, predators = category("cyberbullying"), category("predators")
    return {
        "public": make_article(counsellor, "public", topics=[bullying], publish_by=supervisor),
        "parents": make_article(
            counsellor,
            "parents",
            audience="parents",
            topics=[predators],
            publish_by=supervisor,
            title_sr="Врбовање",
            title_en="Grooming",
            body_sr="Знаци упозорења.",
            body_en="Warning signs.",
        ),
        "everyone": make_article(counsellor, "everyone", audience="everyone", publish_by=supervisor),
        "draft": make_article(counsellor, "draft", topics=[bullying]),
    }


def slugs(queryset):
    return sorted(a.slug for a in queryset)


def test_drafts_are_never_public(articles):
    assert slugs(queries.published_articles()) == ["everyone", "parents", "public"]
    with pytest.raises(Article.DoesNotExist):
        queries.published_article("draft")
    assert queries.published_article("public").slug == "public"


@pytest.mark.parametrize(
    "text", ["врбовање", "VRBOVANJE", "Vrbovanje", "врбов", "znaci upozorenja", "WARNING"]
)
def test_search_in_any_script_and_case(articles, text):
    assert slugs(queries.published_articles(q=text)) == ["parents"]


def test_search_needs_every_word(articles):
    assert slugs(queries.published_articles(q="grooming nasilje")) == []


def test_filters(articles):
    assert slugs(queries.published_articles(topic="cyberbullying")) == ["public"]
    # "everyone" articles appear in every audience's list
    assert slugs(queries.published_articles(audience="parents")) == ["everyone", "parents"]
    assert slugs(queries.published_articles(audience="teachers")) == ["everyone"]
    assert slugs(queries.published_articles(topic="no-such-topic")) == []


def test_topics_with_articles_lists_only_published_topics(articles, supervisor):
    assert sorted(c.code for c in queries.topics_with_articles()) == ["cyberbullying", "predators"]
    actions.unpublish_article(actor=supervisor, article=articles["parents"])
    assert [c.code for c in queries.topics_with_articles()] == ["cyberbullying"]


@pytest.mark.parametrize("text", ["\x00", "%", "_", "'; drop table x; --", "a" * 5000, "  ", "ж" * 300])
def test_odd_search_text_does_not_fail(articles, text):
    list(queries.published_articles(q=text))


def test_staff_list_includes_drafts_for_writers_only(articles, counsellor):
    assert "draft" in slugs(queries.staff_articles(counsellor))
    assert slugs(queries.staff_articles(counsellor, status="draft")) == ["draft"]
    for role in ("analyst", "auditor", "liaison", "prevention"):
        with pytest.raises(PermissionDenied):
            queries.staff_articles(make_user(role))


def test_starter_articles_are_published_and_complete(db):
    starter = Article.objects.published()
    assert starter.count() >= 6
    for article in starter:
        assert article.missing_for_publication() == [], article.slug
        assert article.topics.exists(), article.slug
    # the folded search finds Serbian words typed in Latin without diacritics
    assert queries.published_articles(q="snimak ekrana").filter(slug="screenshots-as-evidence").exists()
    found = queries.published_articles(q="ucenjivac")
    assert [a.slug for a in found] == ["someone-threatens-to-share-my-photos"]
