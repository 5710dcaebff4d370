"""Builders for advice tests."""

from __future__ import annotations

from smartsafe.advice import actions

COMPLETE = {
    "title_sr": "Насиље на интернету",
    "title_en": "Violence on the internet",
    "summary_sr": "Шта да радиш.",
    "summary_en": "What to do.",
    "body_sr": "Сачувај **доказе** и [пријави](https://example.org/пријава).",
    "body_en": "Keep the **evidence** and [report](https://example.org/report).",
}


def make_article(actor, slug="test-article", *, topics=(), publish_by=None, **fields):
    data = {"audience": "children", **COMPLETE, **fields}
    article = actions.create_article(actor=actor, slug=slug, topics=list(topics), **data)
    if publish_by is not None:
        article = actions.publish_article(actor=publish_by, article=article)
    return article
