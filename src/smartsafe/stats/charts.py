"""Server-rendered SVG charts: no JavaScript, no inline styles (strict CSP), printable.

Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` that states the figures
in words, so a screen reader gets the numbers; the page also shows them in a table beside the chart.
Only SVG presentation attributes (``fill``, ``stroke``) are used for colour.
"""

from __future__ import annotations

import itertools
import math

from django.utils.formats import get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#1f5f8b", "#e07a1f", "#3a9d5d", "#b8323f", "#7a4fa3", "#c9a227", "#2aa6b5", "#8c6d46", "#5b6770")
_ids = itertools.count(1)


def _n(value) -> str:
    return group(value)


def group(value) -> str:
    """A number with the active language's thousands separator (fast: charts format hundreds)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    text = f"{value:,}"
    separator = get_format("THOUSAND_SEPARATOR")
    if separator != ",":
        decimal = get_format("DECIMAL_SEPARATOR")
        text = text.replace(",", "\0").replace(".", decimal).replace("\0", separator)
    return text


def _frame(title: str, desc: str, width: int, height: int, body: list[str]) -> SafeString:
    uid = f"chart{next(_ids)}"
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{uid}-t {uid}-d">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def describe(items) -> str:
    return "; ".join(f"{label}: {_n(value)}" for label, value in items) or "—"


def _short(label: str, limit: int = 38) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bars(title: str, items: list[tuple[str, int]], *, width: int = 560) -> SafeString:
    """Horizontal bars, one per (label, value), longest first as given."""
    row = 28
    # Room for the longest label, so none is clipped at the left edge: 8 px a character at 13 px
    # (the average is nearer 7, but "Facebook Messenger" in a wide system font lost its "F" at 7);
    # very long labels are shortened and keep their full text in a tooltip.
    limit = (width // 2 - 16) // 8
    longest = max((len(_short(label, limit)) for label, _ in items), default=0)
    label_w = min(max(120, 16 + 8 * longest), width // 2)
    height = max(row * len(items) + 10, 40)
    top = max((v for _, v in items), default=0) or 1
    body = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        w = (width - label_w - 90) * value / top
        body.append(
            f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end" font-size="13" fill="#222">'
            f"<title>{escape(label)}</title>{escape(_short(label, limit))}</text>"
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 18}" font-size="13" fill="#222">{_n(value)}</text>'
        )
    if not items:
        body.append('<text x="10" y="25" font-size="13" fill="#555">—</text>')
    return _frame(title, describe(items), width, height, body)


def _arc(cx, cy, r, start, end) -> tuple[float, float, float, float, int]:
    x1, y1 = cx + r * math.sin(start), cy - r * math.cos(start)
    x2, y2 = cx + r * math.sin(end), cy - r * math.cos(end)
    return x1, y1, x2, y2, 1 if end - start > math.pi else 0


def pie(title: str, items: list[tuple[str, int]], *, hole: float = 0.0, size: int = 220) -> SafeString:
    """A pie (``hole=0``) or donut, with a legend giving each share in per cent."""
    total = sum(v for _, v in items)
    cx = cy = size / 2
    r, inner = size / 2 - 6, (size / 2 - 6) * hole
    body, angle = [], 0.0
    for i, (label, value) in enumerate(items):
        if not value:
            continue
        colour = PALETTE[i % len(PALETTE)]
        sweep = 2 * math.pi * value / total
        if value == total:
            body.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{colour}"/>')
        else:
            x1, y1, x2, y2, large = _arc(cx, cy, r, angle, angle + sweep)
            body.append(
                f'<path d="M{cx},{cy} L{x1:.2f},{y1:.2f} A{r},{r} 0 {large} 1 {x2:.2f},{y2:.2f} Z" '
                f'fill="{colour}">'
                f"<title>{escape(label)}: {_n(value)}</title></path>"
            )
        angle += sweep
    if hole and total:
        body.append(f'<circle cx="{cx}" cy="{cy}" r="{inner}" fill="#fff"/>')
        body.append(
            f'<text x="{cx}" y="{cy + 6}" text-anchor="middle" font-size="18" fill="#222">{_n(total)}</text>'
        )
    legend = []
    for label, value in items:
        share = f"{round(100 * value / total)}%" if total else "—"
        legend.append((str(label), f"{_short(label, 40)} — {share}"))
    # The legend gets the room its longest line needs (8 px a character at 13 px, as in bars()),
    # so no line runs past the picture's right edge.
    legend_w = max([300] + [8 * len(line) + 10 for _label, line in legend])
    for i, (label, line) in enumerate(legend):
        y = 16 + i * 22
        body.append(
            f'<rect x="{size + 10}" y="{y - 11}" width="14" height="14" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{size + 30}" y="{y}" font-size="13" fill="#222"><title>{escape(label)}</title>'
            f"{escape(line)}</text>"
        )
    height = max(size, 22 * len(items) + 10)
    desc = (
        "; ".join(f"{label}: {_n(value)} ({round(100 * value / total)}%)" for label, value in items if total)
        or "—"
    )
    return _frame(title, desc, size + 30 + legend_w, height, body)


def columns(
    title: str, labels: list[str], series: list[tuple[str, list[int]]], *, width: int = 640
) -> SafeString:
    """Grouped columns per period (e.g. contacts and cases per year); a line when there are many periods."""
    height, left, bottom, top_pad = 240, 50, 40, 30
    top = max((v for _, values in series for v in values), default=0) or 1
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    body = [
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#888"/>'
    ]
    for step in range(5):
        value = top * step / 4
        y = height - bottom - plot_h * step / 4
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
            f"{_n(round(value))}</text>"
        )
    n = max(len(labels), 1)
    slot = plot_w / n
    as_line = n > 24
    for s, (name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        if as_line:
            points = " ".join(
                f"{left + slot * (i + 0.5):.1f},{height - bottom - plot_h * v / top:.1f}"
                for i, v in enumerate(values)
            )
            body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        else:
            bar_w = slot * 0.8 / len(series)
            for i, v in enumerate(values):
                h = plot_h * v / top
                x = left + slot * i + slot * 0.1 + bar_w * s
                body.append(
                    f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{bar_w:.1f}" '
                    f'height="{h:.1f}" fill="{colour}">'
                    f"<title>{escape(labels[i])} · {escape(name)}: {_n(v)}</title></rect>"
                )
        body.append(
            f'<rect x="{left + 150 * s}" y="6" width="12" height="12" fill="{colour}"/>'
            f'<text x="{left + 150 * s + 16}" y="16" font-size="12" fill="#222">{escape(name)}</text>'
        )
    every = max(1, n // 12)
    for i, label in enumerate(labels):
        if i % every == 0:
            body.append(
                f'<text x="{left + slot * (i + 0.5):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'font-size="11" fill="#555">{escape(label)}</text>'
            )
    desc = (
        "; ".join(
            f"{label}: " + ", ".join(f"{name} {_n(values[i])}" for name, values in series)
            for i, label in enumerate(labels)
        )
        or "—"
    )
    return _frame(title, desc, width, height, body)
