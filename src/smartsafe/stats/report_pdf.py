"""The annual report: headline figures, the charts (drawn with reportlab graphics from the same
tables as the dashboard) and their numbers, on A4. Fonts: the bundled DejaVu faces of the
referrals app, so Serbian Cyrillic and Latin print on any machine."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import KeepTogether

from . import tables
from .charts import PALETTE

FONT_DIR = Path(__file__).resolve().parent.parent / "referrals" / "fonts"
SANS, BOLD = "StatsSans", "StatsSans-Bold"


def _fonts() -> tuple[str, str]:
    try:
        pdfmetrics.getFont(SANS)
    except KeyError:
        try:
            pdfmetrics.registerFont(TTFont(SANS, str(FONT_DIR / "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        except Exception:  # noqa: BLE001 - fonts missing: the built-in face still prints Latin
            return "Helvetica", "Helvetica-Bold"
    return SANS, BOLD


def _numeric(rows, col) -> list[tuple[str, int]]:
    return [(str(r[0]), r[col]) for r in rows if isinstance(r[col], (int, float)) and str(r[0]) != _("Total")]


def _bar_drawing(items, font) -> Drawing:
    height = max(60, 18 * len(items) + 30)
    drawing = Drawing(170 * mm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 60 * mm, 10, 100 * mm, height - 20
    chart.data = [[v for _, v in reversed(items)] or [0]]
    chart.categoryAxis.categoryNames = [label[:30] for label, _ in reversed(items)] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor(PALETTE[0])
    drawing.add(chart)
    return drawing


def _pie_drawing(items, font) -> Drawing:
    drawing = Drawing(170 * mm, 60 * mm)
    total = sum(v for _, v in items)
    if not total:
        drawing.add(String(10, 20, "—", fontName=font))
        return drawing
    pie = Pie()
    pie.x, pie.y, pie.width, pie.height = 5 * mm, 5 * mm, 50 * mm, 50 * mm
    pie.data = [v for _, v in items]
    pie.labels = [f"{round(100 * v / total)}%" for _, v in items]
    pie.simpleLabels = 1
    pie.slices.fontName = font
    for i in range(len(items)):
        pie.slices[i].fillColor = colors.HexColor(PALETTE[i % len(PALETTE)])
    drawing.add(pie)
    for i, (label, value) in enumerate(items):
        y = 55 * mm - i * 12
        drawing.add(
            String(
                65 * mm,
                y,
                f"{label[:45]} — {value} ({round(100 * value / total)}%)",
                fontName=font,
                fontSize=8,
                fillColor=colors.HexColor(PALETTE[i % len(PALETTE)]),
            )
        )
    return drawing


def _columns_drawing(rows, font) -> Drawing:
    drawing = Drawing(170 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 10 * mm, 150 * mm, 45 * mm
    chart.data = [[r[1] for r in rows] or [0], [r[2] for r in rows] or [0]]
    chart.categoryAxis.categoryNames = [str(r[0]) for r in rows] or [""]
    chart.categoryAxis.labels.fontName = chart.valueAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor(PALETTE[0])
    chart.bars[1].fillColor = colors.HexColor(PALETTE[1])
    drawing.add(chart)
    return drawing


def annual_report_pdf(year: int) -> bytes:
    font, bold = _fonts()
    q = tables.Query(dt.date(year, 1, 1), dt.date(year, 12, 31))
    h1 = ParagraphStyle("h1", fontName=bold, fontSize=18, leading=22, spaceAfter=8)
    h2 = ParagraphStyle("h2", fontName=bold, fontSize=13, leading=16, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    story = [
        Paragraph(f"{getattr(settings, 'CENTRE_NAME', 'smartsafe')} — {_('Annual report')} {year}", h1),
        Paragraph(
            _("Counted from the centre's records: contacts by the day received, cases by the day opened."),
            body,
        ),
        Spacer(1, 6),
    ]
    charts = {
        "contacts_by_channel_kind": lambda t: _bar_drawing(_numeric(t.rows, 1), font),
        "cases": lambda t: _pie_drawing(_numeric(t.rows, 1), font),
        "referred_by_category": lambda t: _pie_drawing(_numeric(t.rows, 2), font),
        "prevention": lambda t: _bar_drawing(_numeric(t.rows, 1), font),
        "trend_month": lambda t: _columns_drawing(t.rows, font),
        "response_times": None,
        "complete_reports": lambda t: _pie_drawing(_numeric(t.rows, 1), font),
    }
    for name, draw in charts.items():
        table = tables.build(name, q)
        block = [Paragraph(str(table.title), h2)]
        if draw:
            block.append(draw(table))
        data = [[str(c) for c in table.columns]] + [[str(v) for v in row] for row in table.rows]
        grid = Table(data, repeatRows=1, hAlign="LEFT")
        grid.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), font, 8),
                    ("FONT", (0, 0), (-1, 0), bold, 8),
                    ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
                    ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ]
            )
        )
        block.append(grid)
        story.append(KeepTogether(block) if len(table.rows) < 20 else block[0])
        if len(table.rows) >= 20:
            story.extend(block[1:])
    out = io.BytesIO()
    SimpleDocTemplate(
        out, pagesize=A4, title=f"Annual report {year}", leftMargin=18 * mm, rightMargin=18 * mm
    ).build(story)
    return out.getvalue()
