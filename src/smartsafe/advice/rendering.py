"""Markdown → safe HTML for advice articles, and Serbian Latin generated from the Cyrillic.

The body is rendered with ``markdown`` and then always passed through ``nh3`` with a short
allow-list: staff write the text, but an account can be taken over and a pasted snippet can carry
a script, and the pages are read by children. Whatever the Markdown contains, the output has only
the tags and attributes below, links only to ``http``, ``https``, ``mailto`` or this site
(``/…``, ``#…``), and every link gets ``rel="noopener noreferrer nofollow"``. No images: they
would weigh on cheap phones and could track readers.

Serbian Latin is made from the rendered Cyrillic HTML by transliterating the *text* between tags
only, so URLs, attribute values and code samples are never changed.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from smartsafe.taxonomy.translation import is_latin_serbian, to_latin

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "ul", "ol", "li",
        "blockquote", "code", "pre", "a", "table", "thead", "tbody", "tr", "th", "td", "abbr",
    }
)  # fmt: skip
# "*": on every allowed tag (harmless: a tooltip, a language for screen readers).
ALLOWED_ATTRIBUTES = {"*": {"title", "lang"}, "a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer nofollow"
# Content of these is dropped with the tag, not shown as text.
DROP_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "template", "noscript"})
# Elements whose text is literal (a setting's name, a command): never transliterated.
LITERAL_TAGS = frozenset({"code", "pre"})

_HEADING = re.compile(r"<(/?)h([1-6])\b", re.IGNORECASE)


def _link_filter(tag: str, attribute: str, value: str) -> str | None:
    if attribute != "href":
        return value
    value = value.strip()
    if value.startswith("#") or (value.startswith("/") and not value.startswith("//")):
        return value  # this site: another article, the report form
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return None
    return value if scheme in URL_SCHEMES else None  # a relative "evil.com/x" is dropped too


def _demote_headings(html: str) -> str:
    """The page title is the only ``h1``: shift the body's headings so its highest is ``h2``."""
    levels = [int(m.group(2)) for m in _HEADING.finditer(html)]
    if not levels or min(levels) >= 2:
        return html
    shift = 2 - min(levels)
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + shift, 6)}", html)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_link_filter,
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def markdown_to_html(text: str) -> str:
    """Sanitised HTML for Markdown ``text`` (empty for empty text). Never raises on any input."""
    if not text or not text.strip():
        return ""
    text = text.replace("\x00", "")
    html = markdown.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    return sanitise(_demote_headings(html))


class _TextTransliterator(HTMLParser):
    """Rebuilds sanitised HTML with its text nodes passed through ``to_latin``."""

    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.literal_depth = 0

    def handle_starttag(self, tag, attrs):
        self.out.append(self.get_starttag_text())
        if tag in LITERAL_TAGS:
            self.literal_depth += 1

    def handle_startendtag(self, tag, attrs):
        self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")
        if tag in LITERAL_TAGS and self.literal_depth:
            self.literal_depth -= 1

    def handle_data(self, data):
        self.out.append(data if self.literal_depth else to_latin(data))

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")


def transliterate_html(html: str) -> str:
    """Serbian Latin for Cyrillic ``html``: text nodes only; tags, attributes and code unchanged."""
    parser = _TextTransliterator()
    parser.feed(html)
    parser.close()
    # Sanitised input is well formed; re-sanitising costs little and guarantees the output is too.
    return sanitise("".join(parser.out))


def render_body(article, language: str | None = None) -> SafeString:
    """The article's text as safe HTML in ``language`` (default: the active one)."""
    language = (language or get_language() or "en").lower().replace("_", "-")
    serbian = language == "sr" or language.startswith("sr-")
    if serbian and article.body_sr.strip():
        source, latin = article.body_sr, is_latin_serbian(language)
    elif article.body_en.strip():
        source, latin = article.body_en, False
    else:  # English wanted, only Serbian written: Latin letters are the readable fallback
        source, latin = article.body_sr, not serbian or is_latin_serbian(language)
    html = markdown_to_html(source)
    return mark_safe(transliterate_html(html) if latin else html)  # noqa: S308 - sanitised above
