"""Server-rendered SVG charts: no JavaScript, no external files, printable.

Colours are SVG presentation attributes (``fill``), not ``style`` attributes, so the strict
Content-Security-Policy (no inline styles) does not blank them. Every chart has a ``<title>`` and
the page shows the same numbers in a table beside it.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_BARS = 30
COLOURS = ("#1f5c99", "#e0902f")
ROW_HEIGHT = 22
LABEL_WIDTH = 140
BAR_WIDTH = 250
NUMBER_WIDTH = 50


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ranked_bars(rows, *, labels: tuple[str, str], title: str) -> SafeString:
    """Horizontal stacked bars, one per ``(name, first, second)`` row, in the order given."""
    rows = list(rows)[:MAX_BARS]
    legend_height = 26
    height = legend_height + max(len(rows), 1) * ROW_HEIGHT + 6
    width = LABEL_WIDTH + BAR_WIDTH + NUMBER_WIDTH
    top = max((a + b for _n, a, b in rows), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-bars" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    x = LABEL_WIDTH
    for colour, label in zip(COLOURS, labels, strict=True):
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12" fill="#333">{escape(label)}</text>')
        x += 30 + 7 * len(str(label))
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{legend_height + 15}" font-size="12" fill="#666">—</text>')
    for index, (name, first, second) in enumerate(rows):
        y = legend_height + index * ROW_HEIGHT
        parts.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" font-size="12" text-anchor="end" fill="#222">'
            f"<title>{escape(name)}</title>{escape(_short(str(name)))}</text>"
        )
        offset = LABEL_WIDTH
        for colour, value in zip(COLOURS, (first, second), strict=True):
            length = round(BAR_WIDTH * value / top, 1)
            if length:
                bar = f'x="{offset}" y="{y + 3}" width="{length}" height="{ROW_HEIGHT - 6}"'
                parts.append(f'<rect {bar} fill="{colour}"/>')
            offset += length
        parts.append(
            f'<text x="{offset + 4}" y="{y + 15}" font-size="12" fill="#222">{first + second}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text part above is escaped
