"""The subject-access dossier printed: a readable A4 PDF made from the dossier dict and nothing else.

It uses the referral packet's bundled fonts, so Serbian Cyrillic and Latin render on any machine.
The JSON twin is the complete record; the PDF is for the person to read, so it leaves out nothing
but the empty fields.
"""

from __future__ import annotations

import io
import re
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from smartsafe.referrals.packet_pdf import MONO, SANS, SANS_BOLD, register_fonts

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=SANS, fontSize=9.5, leading=12.5)
    return {
        "body": base,
        "title": ParagraphStyle("title", parent=base, fontName=SANS_BOLD, fontSize=16, leading=20),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=SANS_BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=3
        ),
        "h3": ParagraphStyle(
            "h3", parent=base, fontName=SANS_BOLD, fontSize=10, leading=13, spaceBefore=7, spaceAfter=2
        ),
        "label": ParagraphStyle("label", parent=base, fontName=SANS_BOLD, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "mono": ParagraphStyle("mono", parent=base, fontName=MONO, fontSize=7, leading=9, wordWrap="CJK"),
    }


def _text(value) -> str:
    if isinstance(value, bool):
        value = _("yes") if value else _("no")
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        value = "; ".join(f"{k}: {_text(v)}" for k, v in value.items() if v not in (None, "", [], {}))
    return escape(_CONTROL.sub("", str(value))).replace("\n", "<br/>")


class _Builder:
    def __init__(self):
        self.s = _styles()
        self.story: list = []

    def para(self, text: str, style: str = "body") -> None:
        self.story.append(Paragraph(text, self.s[style]))

    def fields(self, rows: list[tuple[str, object]], mono: frozenset = frozenset()) -> None:
        cells = [
            [
                Paragraph(escape(label), self.s["label"]),
                Paragraph(_text(value), self.s["mono" if label in mono else "cell"]),
            ]
            for label, value in rows
            if value not in (None, "", [], {})
        ]
        if not cells:
            return
        table = Table(cells, colWidths=[45 * mm, None], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        self.story.append(table)


def render(dossier: dict, *, centre: str) -> bytes:
    register_fonts()
    b = _Builder()
    b.para(escape(_("What %(centre)s holds about you") % {"centre": centre}), "title")
    b.para(
        escape(
            _("Prepared on %(date)s in answer to a request for access to personal data.")
            % {"date": dossier["generated_at"]}
        )
    )
    b.story.append(Spacer(0, 4 * mm))
    b.para(escape(_("Your contacts with the centre (%(n)d)") % {"n": len(dossier["contacts"])}), "h2")
    for contact in dossier["contacts"]:
        b.para(escape(f"{contact['reference']} — {contact['channel']}, {contact['received_at']}"), "h3")
        b.fields(
            [
                (_("State"), contact["state"]),
                (_("Language"), contact["language"]),
                (_("Caller type"), contact["reporter_type"]),
                (_("Name you gave"), contact["reporter_name"]),
                (_("How to reach you"), contact["reporter_contact"]),
                (_("Subject"), contact["subject"]),
                (_("Summary"), contact["summary"]),
                (_("Advice given"), contact["advice_given"]),
                (_("Topics"), contact["topics"]),
                (_("Child in immediate danger"), contact["urgent"] or None),
                (_("Case"), contact["case"]),
            ]
        )
        if contact["report"]:
            report = contact["report"]
            b.fields(
                [
                    (_("Report"), f"{report['reference']} ({report['filed_at']})"),
                    (_("What you answered"), report["answers"]),
                ]
            )
        for message in contact["messages"]:
            heading = _("Message received") if message["direction"] == "received" else _("Message sent")
            b.fields([(f"{heading} {message['at']}", f"{message['subject']}\n{message['text']}".strip())])
        for call in contact["calls"]:
            b.fields([(_("Call"), f"{call['rang_at']} ({call['talk_seconds'] or 0} s)")])
        _evidence(b, contact["evidence"])
    if dossier["cases"]:
        b.para(escape(_("Cases (%(n)d)") % {"n": len(dossier["cases"])}), "h2")
    for case in dossier["cases"]:
        b.para(escape(f"{case['reference']} — {case['title']}"), "h3")
        b.fields(
            [
                (_("State"), case["state"]),
                (_("Opened"), case["opened_at"]),
                (_("Closed"), case["closed_at"]),
                (_("Summary"), case["summary"]),
                (_("Categories"), case["categories"]),
                (_("Platforms"), case["platforms"]),
                (_("Age band"), case["child_age_band"]),
                (_("Sex"), case["child_sex"]),
                (_("Municipality"), case["municipality"]),
                (
                    _("Referred to"),
                    [f"{r['institution']} ({r['state']}, {r['sent_at']})" for r in case["referred_to"]],
                ),
                (
                    _("Internal notes"),
                    _("%(n)d, reviewed separately (they may name other people)")
                    % {"n": case["internal_notes"]}
                    if case["internal_notes"]
                    else None,
                ),
                (_("Legal hold"), _("yes: kept for legal proceedings") if case["legal_hold"] else None),
            ]
        )
        _evidence(b, case["evidence"])
    b.para(escape(_("How long the centre keeps records")), "h2")
    b.fields(
        [
            (
                row["records"],
                _("%(days)d days from %(from)s") % {"days": row["kept_days"], "from": row["counted_from"]},
            )
            for row in dossier["retention"]
        ]
    )
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Subject access"),
        author=centre,
        invariant=1,
        initialFontName=SANS,
    )
    doc.build(b.story)
    return buffer.getvalue()


def _evidence(b: _Builder, files: list[dict]) -> None:
    for f in files:
        b.fields(
            [
                (_("File"), f"{f['file']} ({f['size']} B, {f['received_at']}) — {f['state']}"),
                ("SHA-256", f["sha256"]),
            ],
            mono=frozenset({"SHA-256"}),
        )
