"""Writes: who may do what, validation, audit events and row history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from smartsafe.advice import actions
from smartsafe.advice.models import Article, Status
from smartsafe.audit.models import AuditEvent
from smartsafe.core.concurrency import StaleVersion
from smartsafe.testing import category, make_user

from .helpers import COMPLETE, make_article

pytestmark = pytest.mark.django_db


def events(code):
    return list(AuditEvent.objects.filter(action=code).order_by("pk"))


def test_counsellor_drafts_supervisor_publishes(counsellor, supervisor):
    topic = category("cyberbullying")
    article = make_article(counsellor, topics=[topic])
    assert article.status == Status.DRAFT and article.author == counsellor
    assert list(article.topics.all()) == [topic]
    (created,) = events("advice.create")
    assert created.actor == counsellor and created.object_id == str(article.pk)
    assert created.details["topics"] == ["cyberbullying"]

    with pytest.raises(PermissionDenied):
        actions.publish_article(actor=counsellor, article=article)
    article = actions.publish_article(actor=supervisor, article=article)
    assert article.is_published and article.published_at is not None
    assert events("advice.publish")[0].actor == supervisor

    first = article.published_at
    actions.unpublish_article(actor=supervisor, article=article)
    article = actions.publish_article(actor=supervisor, article=Article.objects.get(pk=article.pk))
    assert article.published_at == first  # the first publication date stays
    assert len(events("advice.unpublish")) == 1


@pytest.mark.parametrize("role", ["analyst", "prevention", "auditor", "admin", "liaison"])
def test_other_roles_may_not_write(role):
    with pytest.raises(PermissionDenied):
        make_article(make_user(role))
    assert not Article.objects.filter(slug="test-article").exists() and not events("advice.create")


def test_published_article_is_changed_only_by_a_supervisor(counsellor, supervisor):
    article = make_article(counsellor, publish_by=supervisor)
    with pytest.raises(PermissionDenied):
        actions.update_article(actor=counsellor, article=article, title_en="Changed")
    article = actions.update_article(actor=supervisor, article=article, title_en="Changed")
    assert article.title_en == "Changed"
    (updated,) = events("advice.update")
    assert updated.details == {"fields": ["title_en"], "published": True}
    # A public article cannot lose a language.
    with pytest.raises(ValidationError) as exc:
        actions.update_article(actor=supervisor, article=article, body_en="")
    assert "body_en" in exc.value.error_dict


def test_publishing_needs_both_languages(counsellor, supervisor):
    article = make_article(counsellor, body_en="")
    with pytest.raises(ValidationError):
        actions.publish_article(actor=supervisor, article=article)
    assert Article.objects.get(pk=article.pk).status == Status.DRAFT
    assert not events("advice.publish")


@pytest.mark.parametrize(
    "slug", ["", "with space", "ćirilica", "double--hyphen", "-edge", "staff", "x" * 81, "a/b"]
)
def test_bad_addresses_are_refused(counsellor, slug):
    with pytest.raises(ValidationError) as exc:
        make_article(counsellor, slug=slug)
    assert "slug" in exc.value.error_dict


def test_address_is_lower_cased(counsellor):
    assert make_article(counsellor, slug="Screen-Time-2").slug == "screen-time-2"


def test_address_is_unique(counsellor):
    make_article(counsellor, slug="same")
    with pytest.raises(ValidationError) as exc:
        make_article(counsellor, slug="same")
    assert "slug" in exc.value.error_dict
    other = make_article(counsellor, slug="other")
    with pytest.raises(ValidationError):
        actions.update_article(actor=counsellor, article=other, slug="same")


def test_needs_a_title(counsellor):
    with pytest.raises(ValidationError):
        make_article(counsellor, title_sr="", title_en="")


def test_unknown_fields_are_refused(counsellor):
    with pytest.raises(ValidationError):
        actions.create_article(actor=counsellor, slug="x", status="published", **COMPLETE)


def test_stale_version_is_refused(counsellor, other_counsellor):
    article = make_article(counsellor)
    actions.update_article(
        actor=other_counsellor, article=article, expected_version=article.version, title_en="A"
    )
    with pytest.raises(StaleVersion):
        actions.update_article(
            actor=counsellor, article=article, expected_version=article.version, title_en="B"
        )
    assert Article.objects.get(pk=article.pk).title_en == "A"


def test_no_change_writes_nothing(counsellor):
    article = make_article(counsellor)
    actions.update_article(actor=counsellor, article=article, title_en=article.title_en)
    assert not events("advice.update")


def test_row_history_keeps_every_version_with_topics(counsellor, supervisor):
    article = make_article(counsellor, topics=[category("cyberbullying")])
    actions.update_article(
        actor=counsellor, article=article, title_en="Second", topics=[category("predators")]
    )
    actions.publish_article(actor=supervisor, article=article)
    history = list(article.history.order_by("history_id"))
    # created, its topics set, edited (title and topics in one row), published
    assert [(h.history_type, h.title_en, h.status) for h in history] == [
        ("+", COMPLETE["title_en"], Status.DRAFT),
        ("~", COMPLETE["title_en"], Status.DRAFT),
        ("~", "Second", Status.DRAFT),
        ("~", "Second", Status.PUBLISHED),
    ]
    assert [h.history_user for h in history] == [counsellor, counsellor, counsellor, supervisor]
    assert [[t.category.code for t in h.topics.all()] for h in history[1:3]] == [
        ["cyberbullying"],
        ["predators"],
    ]


def test_search_text_is_folded(counsellor):
    article = make_article(counsellor)
    assert "nasilje na internetu" in article.search_text
    assert "sacuvaj" in article.search_text
