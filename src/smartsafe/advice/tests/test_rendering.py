"""Markdown is rendered, then sanitised; Serbian Latin is generated from the text only."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from smartsafe.advice.models import Article
from smartsafe.advice.rendering import markdown_to_html, render_body, transliterate_html


def test_markdown_is_rendered():
    html = markdown_to_html("## Savet\n\n- **jedan**\n- dva\n\n1. prvi")
    assert "<h2>Savet</h2>" in html
    assert "<strong>jedan</strong>" in html and "<ol>" in html


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '<a href="https://x.org" onclick="alert(1)">x</a>',
        "<iframe src='https://x.org'></iframe>",
        "<style>body{display:none}</style>",
        '<svg onload="alert(1)"></svg>',
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox)",
        '<a href="&#106;avascript:alert(1)">x</a>',
        "![pixel](https://tracker.example/p.gif)",
        '<form action="https://x.org"><input name=a></form>',
    ],
)
def test_dangerous_markup_is_removed(source):
    html = markdown_to_html(source).lower()
    for bad in (
        "<script",
        "onerror",
        "onclick",
        "onload",
        "javascript:",
        "vbscript:",
        "data:",
        "<img",
        "<iframe",
        "<style",
        "<svg",
        "<form",
        "<input",
        "alert(1)</",
    ):
        assert bad not in html, (source, html)


def test_links_only_to_allowed_places_and_with_rel():
    html = markdown_to_html(
        "[a](https://a.org) [b](http://b.org) [c](mailto:c@c.rs) [d](/public/) [e](#top) "
        "[f](//evil.org/x) [g](ftp://g.org) [h](evil.org/x)"
    )
    for kept in (
        'href="https://a.org"',
        'href="http://b.org"',
        'href="mailto:c@c.rs"',
        'href="/public/"',
        'href="#top"',
    ):
        assert kept in html
    for dropped in ("evil.org", "ftp:"):
        assert dropped not in html
    assert html.count('rel="noopener noreferrer nofollow"') == 8


def test_headings_are_demoted_below_the_page_title():
    assert markdown_to_html("# Big\n\n## Small").startswith("<h2>Big</h2>")
    assert "<h3>Small</h3>" in markdown_to_html("# Big\n\n## Small")
    assert "<h1" not in markdown_to_html("# One")


def test_latin_is_generated_from_text_nodes_only():
    cyrillic = markdown_to_html('## Љубав\n\nЋао [Џеп](https://пример.срб/Љ "Ђ") `Ђак` ЉУБОВИЈА &amp; ok')
    latin = transliterate_html(cyrillic)
    assert "<h2>Ljubav</h2>" in latin
    assert "Ćao" in latin and ">Džep</a>" in latin and "LJUBOVIJA" in latin
    assert 'href="https://пример.срб/Љ"' in latin  # the URL is untouched
    assert "<code>Ђак</code>" in latin  # code is literal
    assert "&amp;" in latin


@pytest.mark.parametrize(
    "language,expected",
    [("sr", "Сачувај"), ("sr-latn", "Sačuvaj"), ("en", "Keep")],
)
def test_render_body_per_language(language, expected):
    article = Article(body_sr="Сачувај доказе.", body_en="Keep the evidence.")
    assert expected in render_body(article, language)


def test_render_body_falls_back_to_the_other_language():
    assert "Sačuvaj" in render_body(Article(body_sr="Сачувај доказе.", body_en=""), "en")
    assert "Keep" in render_body(Article(body_sr="", body_en="Keep it."), "sr-latn")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_renders_safely(text):
    html = markdown_to_html(text)
    latin = transliterate_html(html)
    for out in (html.lower(), latin.lower()):
        assert "<script" not in out and "javascript:" not in out and "<img" not in out
