"""HTML to readable plain text, for HTML-only mail: paragraphs, line breaks, lists and links kept."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCK = {
    "address", "article", "blockquote", "div", "dl", "dt", "dd", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "li", "ol", "p", "pre", "section", "table", "tr", "ul",
}  # fmt: skip
SKIP = {"script", "style", "head", "title", "template"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.href = ""
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skipping += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in BLOCK:
            self.out.append("\n")
            if tag == "li":
                self.out.append("- ")
        elif tag in ("td", "th"):
            self.out.append("\t")
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""
            self.link_text = []

    def handle_endtag(self, tag):
        if tag in SKIP:
            self.skipping = max(self.skipping - 1, 0)
        elif tag in BLOCK and tag != "li":
            self.out.append("\n")
        elif tag == "a":
            text = "".join(self.link_text).strip()
            if self.href and self.href.startswith(("http:", "https:")) and self.href != text:
                self.out.append(f" ({self.href})")
            self.href = ""

    def handle_data(self, data):
        if self.skipping:
            return
        data = re.sub(r"\s+", " ", data)
        self.out.append(data)
        if self.href:
            self.link_text.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; this only guards against the unforeseen
        pass
    text = "".join(parser.out)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
