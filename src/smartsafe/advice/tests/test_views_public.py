"""Public pages: the home page and the knowledge base, in each language, without JavaScript."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from smartsafe.advice.models import Article
from smartsafe.testing import category, make_user

from .helpers import make_article

pytestmark = pytest.mark.django_db

HOME = reverse("portal:home")
LIST = reverse("advice:list")


def get(client, url, language="en", **params):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client.get(url, params)


def test_home_has_the_three_ways_in_and_the_helpline(client):
    response = get(client, HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'href="{reverse("portal:report")}"' in html
    assert f'href="{LIST}"' in html
    assert f'href="{reverse("portal:check")}"' in html
    assert f'href="tel:{settings.SMARTSAFE_HELPLINE}"' in html
    assert f'href="tel:{settings.SMARTSAFE_EMERGENCY_NUMBER}"' in html  # the police, for a child in danger
    assert "data-quick-exit" in html  # from the public base: on every public page
    assert reverse("set_language") in html  # the language switch
    # What the centre does: advice, reports, prevention.
    for word in ("Advice.", "Reports.", "Prevention."):
        assert word in html


def test_public_pages_are_light(client):
    for url in (HOME, LIST, reverse("advice:article", args=["screenshots-as-evidence"])):
        response = get(client, url)
        html = response.content.decode()
        assert len(response.content) < 30_000, url
        # The centre's logo is the one picture, from this site (SMARTSAFE_PORTAL_LOGO, a small SVG).
        html = re.sub(r'<img class="public-logo" src="/static/[^"]*"', "", html)
        assert (
            "<img" not in html
            and "@font-face" not in html
            and "https://" not in re.sub(r'href="https://[^"]*"', "", html)
        ), url  # nothing fetched from elsewhere (links to leave are fine)
        assert "htmx" not in html
        assert "{#" not in html and "#}" not in html and "{%" not in html  # no template text leaks


@pytest.mark.parametrize(
    "language,title,word",
    [
        ("sr", "Како да сачуваш доказе снимком екрана", "Како се прави снимак екрана"),
        ("sr-latn", "Kako da sačuvaš dokaze snimkom ekrana", "Kako se pravi snimak ekrana"),
        ("en", "How to keep evidence with screenshots", "How to take a screenshot"),
    ],
)
def test_article_in_each_language(client, language, title, word):
    response = get(client, reverse("advice:article", args=["screenshots-as-evidence"]), language)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<h1 id="article-title">{title}</h1>' in html
    assert word in html
    assert f'<html lang="{language}">' in html


def test_home_lists_articles_in_latin(client):
    html = get(client, HOME, "sr-latn").content.decode()
    assert "Neko preti da će podeliti moje fotografije" in html
    assert "Неко" not in html


def test_drafts_are_not_public(client, counsellor):
    make_article(counsellor, slug="secret-draft", title_en="Unpublished words")
    assert get(client, reverse("advice:article", args=["secret-draft"])).status_code == 404
    assert "Unpublished words" not in get(client, LIST, q="unpublished").content.decode()
    assert get(client, reverse("advice:article", args=["no-such-article"])).status_code == 404


def test_articles_link_to_each_other(client):
    html = get(
        client, reverse("advice:article", args=["someone-threatens-to-share-my-photos"])
    ).content.decode()
    assert 'href="/advice/screenshots-as-evidence/"' in html


def test_search_and_filters(client):
    html = get(client, LIST, "sr", q="ucenjivac").content.decode()
    assert reverse("advice:article", args=["someone-threatens-to-share-my-photos"]) in html
    assert reverse("advice:article", args=["screen-time"]) not in html
    html = get(client, LIST, topic="internet_addiction").content.decode()
    assert reverse("advice:article", args=["screen-time"]) in html
    assert reverse("advice:article", args=["grooming-warning-signs"]) not in html
    html = get(client, LIST, q="zzzz-nothing").content.decode()
    assert "Nothing found." in html and "tel:" in html  # and how to reach a counsellor


@pytest.mark.parametrize(
    "params",
    [
        {"q": "\x00"},
        {"q": "x" * 5000},
        {"topic": "<script>"},
        {"audience": "aliens"},
        {"page": "-1"},
        {"page": "abc"},
        {"page": "99999"},
        {"topic": "a" * 300},
    ],
)
def test_odd_parameters_never_fail(client, params):
    assert get(client, LIST, **params).status_code == 200


def test_copy_link_for_counsellors_only(client, counsellor):
    url = reverse("advice:article", args=["screen-time"])
    assert "data-copy-button" not in get(client, url).content.decode()
    client.force_login(counsellor)
    html = get(client, url).content.decode()
    assert 'value="http://testserver/advice/screen-time/"' in html and "data-copy-button" in html


def test_article_html_is_sanitised_on_the_page(client, counsellor, supervisor):
    make_article(
        counsellor,
        slug="evil",
        body_en='Hi <script>alert(1)</script> [x](javascript:alert(2)) <a href="https://ok.example">ok</a>',
        publish_by=supervisor,
    )
    html = get(client, reverse("advice:article", args=["evil"])).content.decode()
    assert "alert(1)" not in html and "javascript:" not in html
    assert 'href="https://ok.example" rel="noopener noreferrer nofollow"' in html


def test_topic_links_filter_the_list(client, counsellor, supervisor):
    make_article(counsellor, slug="bully", topics=[category("cyberbullying")], publish_by=supervisor)
    html = get(client, reverse("advice:article", args=["bully"])).content.decode()
    assert f'href="{LIST}?topic=cyberbullying"' in html


def test_staff_users_see_the_same_public_page(client):
    client.force_login(make_user("analyst"))
    assert get(client, LIST).status_code == 200
    assert Article.objects.published().exists()
