"""The referral packet printed: an A4 PDF made from the packet dict and nothing else.

Rendering only reads the dict (``packets.build_packet``), so the PDF shows exactly what the JSON
twin says; the footer of every page carries the SHA-256 of that JSON file and "page n of m", so a
printed page can be matched to its packet. The fonts are the bundled DejaVu faces
(``referrals/fonts/``): Serbian Cyrillic and Latin render on any machine, hashes and identifiers
are set in the monospace face. Output is reproducible (``invariant``): the same packet gives the
same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils.translation import gettext_lazy as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .packets import in_language, localise, normalise_language, packet_sha256

FONT_DIR = Path(__file__).resolve().parent / "fonts"
SANS, SANS_BOLD, MONO = "SmartsafeSans", "SmartsafeSans-Bold", "SmartsafeMono"

# The confidentiality mark is the same on every packet, in both scripts an official reads.
CONFIDENTIAL = "CONFIDENTIAL / ПОВЕРЉИВО"

L = {
    "title": _("Referral packet"),
    "urgent": _("URGENT — child in immediate danger"),
    "referral": _("Referral"),
    "to": _("To"),
    "kind": _("Kind of referral"),
    "sent": _("Sent"),
    "acknowledge_by": _("Acknowledge by"),
    "respond_by": _("Respond by"),
    "reason": _("Why this institution"),
    "case": _("Case"),
    "reference": _("Reference"),
    "case_title": _("Title"),
    "categories": _("Categories"),
    "opened": _("Opened"),
    "what": _("What happened"),
    "summary": _("Summary"),
    "contacts": _("Contacts with the centre"),
    "no_summary": _("No summary recorded."),
    "when": _("When"),
    "time_zone": _("Time zone"),
    "first_contact": _("First contact"),
    "last_contact": _("Last contact"),
    "where": _("Where"),
    "platforms": _("Platforms"),
    "urls": _("URLs"),
    "who": _("Who"),
    "kind_col": _("Kind"),
    "value_col": _("As reported"),
    "identity_col": _("Normalised identity"),
    "platform_col": _("Platform"),
    "child": _("The child"),
    "age_band": _("Age band"),
    "sex": _("Sex"),
    "municipality": _("Municipality"),
    "urgency": _("Urgency"),
    "urgent_yes": _("Urgent: a child in immediate danger"),
    "urgent_no": _("Not marked urgent"),
    "evidence": _("Evidence"),
    "evidence_note": _(
        "Files are listed with their SHA-256 hash. The files themselves are not part of this packet "
        "unless marked as attached."
    ),
    "file_col": _("File"),
    "size_col": _("Size (bytes)"),
    "sha_col": _("SHA-256"),
    "attached_col": _("Attached"),
    "yes": _("yes"),
    "no": _("no"),
    "no_evidence": _("No evidence files recorded."),
    "known_content": _("Known content, on the list"),
    "missing": _("What is missing"),
    "nothing_missing": _("Nothing of the checklist is missing."),
    "none": _("not recorded"),
    "helpline": _("Helpline"),
    "footer_hash": _("SHA-256 of the JSON packet"),
    "page": _("Page %(page)d of %(pages)d"),
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@functools.cache
def register_fonts() -> None:
    pdfmetrics.registerFont(TTFont(SANS, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(SANS_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFont(TTFont(MONO, str(FONT_DIR / "DejaVuSansMono.ttf")))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base", fontName=SANS, bulletFontName=SANS, fontSize=9.5, leading=12.5, alignment=TA_LEFT
    )
    return {
        "body": base,
        "small": ParagraphStyle(
            "small", parent=base, fontSize=8, leading=10, textColor=colors.HexColor("#444444")
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=SANS_BOLD, fontSize=16, leading=20, spaceAfter=2
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=SANS_BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=9,
            spaceAfter=3,
            textColor=colors.HexColor("#1d3557"),
        ),
        "label": ParagraphStyle("label", parent=base, fontName=SANS_BOLD, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        # Identifiers and hashes may be one long word: allow a break anywhere.
        "mono": ParagraphStyle("mono", parent=base, fontName=MONO, fontSize=7.5, leading=9.5, wordWrap="CJK"),
        # A SHA-256 (64 hex digits) fits one line of its column at this size: easy to compare.
        "hash": ParagraphStyle("hash", parent=base, fontName=MONO, fontSize=6.5, leading=8.5, wordWrap="CJK"),
        "banner": ParagraphStyle(
            "banner", parent=base, fontName=SANS_BOLD, fontSize=12, leading=15, textColor=colors.white
        ),
        "banner_small": ParagraphStyle(
            "banner_small", parent=base, fontSize=9, leading=12, textColor=colors.white
        ),
    }


def _text(value) -> str:
    """User text made safe for a Paragraph: escaped, control characters dropped, line breaks kept."""
    value = _CONTROL.sub("", "" if value is None else str(value))
    return escape(value).replace("\r\n", "\n").replace("\n", "<br/>")


def _known_note(item: dict, label: str) -> str:
    """A line under the hash naming the hash lists of known abuse material the file matched."""
    names = [match.get("list", "") for match in item.get("known_content") or []]
    return f"\n{label}: {', '.join(names)}" if names else ""


def format_when(value: str | None, zone: str, none: str = "") -> str:
    """``2026-03-01 14:05 +01:00 (Europe/Belgrade)`` from the packet's ISO string."""
    if not value:
        return none
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return value
    offset = moment.strftime("%z")
    offset = f"{offset[:3]}:{offset[3:]}" if offset else ""
    return f"{moment:%Y-%m-%d %H:%M} {offset} ({zone})".replace("  ", " ")


class _Renderer:
    def __init__(self, packet: dict, language: str):
        self.p = packet
        self.language = language
        self.s = _styles()
        self.zone = packet.get("time_zone") or ""
        self.none = self.t("none")

    def t(self, key: str, **params) -> str:
        text = str(L[key])
        if params:
            text = text % params
        return localise(text, self.language)

    # --- small building blocks -------------------------------------------------------------------

    def para(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(text, self.s[style])

    def h2(self, key: str) -> Paragraph:
        return self.para(_text(self.t(key)), "h2")

    def when(self, value) -> str:
        return _text(format_when(value, self.zone, self.none))

    def fields(self, rows: list[tuple[str, str]]) -> Table:
        """A two-column label/value table; values are already Paragraph markup."""
        data = [
            [self.para(_text(self.t(key)), "label"), self.para(value or _text(self.none), "cell")]
            for key, value in rows
        ]
        table = Table(data, colWidths=[45 * mm, None], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONTNAME", (0, 0), (-1, -1), SANS),  # tables set a cell font even for paragraphs
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                ]
            )
        )
        return table

    def grid(self, header_keys: list[str], rows: list[list[Paragraph]], widths: list) -> Table:
        header = [self.para(_text(self.t(k)), "label") for k in header_keys]
        table = Table([header, *rows], colWidths=widths, repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("FONTNAME", (0, 0), (-1, -1), SANS),  # tables set a cell font even for paragraphs
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#b8c2cc")),
                    ("LEFTPADDING", (0, 0), (-1, -1), 3),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                ]
            )
        )
        return table

    @staticmethod
    def name(term: dict | None) -> str:
        return _text(term["name"]) if term else ""

    # --- sections ----------------------------------------------------------------------------------

    def story(self) -> list:
        p, story = self.p, []
        case, referral = p.get("case", {}), p.get("referral", {})
        story.append(self.para(_text(f"{self.t('title')} — {case.get('reference', '')}"), "title"))
        if referral.get("urgent"):
            story += [Spacer(0, 3 * mm), self.banner(), Spacer(0, 2 * mm)]
        story += self.referral_section() + self.case_section() + self.what_section() + self.when_section()
        story += self.where_section() + self.who_section() + self.child_section() + self.urgency_section()
        story += self.evidence_section() + self.missing_section()
        return story

    def banner(self) -> Table:
        reason = self.p.get("urgency", {}).get("reason") or ""
        cells = [[self.para(_text(self.t("urgent")), "banner")]]
        if reason:
            cells.append([self.para(_text(reason), "banner_small")])
        table = Table(cells, colWidths=[None])
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#b00020")),
                    ("FONTNAME", (0, 0), (-1, -1), SANS),
                    ("LEFTPADDING", (0, 0), (-1, -1), 6),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ]
            )
        )
        return table

    def referral_section(self) -> list:
        r, inst = self.p.get("referral", {}), self.p.get("institution", {})
        return [
            self.h2("referral"),
            self.fields(
                [
                    ("to", _text(inst.get("name", ""))),
                    ("kind", self.name(r.get("kind"))),
                    ("sent", self.when(r.get("sent_at"))),
                    ("acknowledge_by", self.when(r.get("acknowledge_due_at"))),
                    ("respond_by", self.when(r.get("respond_due_at"))),
                    ("reason", _text(r.get("reason", ""))),
                ]
            ),
        ]

    def case_section(self) -> list:
        case = self.p.get("case", {})
        categories = []
        for c in case.get("categories", []):
            codes = ", ".join(
                x
                for x in (
                    c.get("chi_code") and f"CHI {c['chi_code']}",
                    c.get("insafe_code") and f"Insafe {c['insafe_code']}",
                )
                if x
            )
            categories.append(
                _text(c.get("name", ""))
                + (f' <font name="{MONO}" size="7.5">({_text(codes)})</font>' if codes else "")
            )
        return [
            self.h2("case"),
            self.fields(
                [
                    ("reference", f'<font name="{MONO}">{_text(case.get("reference", ""))}</font>'),
                    ("case_title", _text(case.get("title", ""))),
                    ("categories", "<br/>".join(categories)),
                    ("opened", self.when(case.get("opened_at"))),
                ]
            ),
        ]

    def what_section(self) -> list:
        what = self.p.get("what", {})
        out = [self.h2("what"), self.para(_text(what.get("summary") or self.t("no_summary")))]
        contacts = what.get("contacts", [])
        if contacts:
            out += [Spacer(0, 2 * mm), self.para(_text(self.t("contacts")), "label")]
            for c in contacts:
                meta = " · ".join(
                    x
                    for x in (
                        self.when(c.get("received_at")),
                        self.name(c.get("channel")),
                        self.name(c.get("reporter_type")),
                    )
                    if x
                )
                out.append(self.para(f"<b>{_text(c.get('reference', ''))}</b> · {meta}", "small"))
                if c.get("summary"):
                    out.append(self.para(_text(c["summary"])))
        return out

    def when_section(self) -> list:
        when = self.p.get("when", {})
        return [
            self.h2("when"),
            self.fields(
                [
                    ("time_zone", _text(when.get("time_zone", ""))),
                    ("first_contact", self.when(when.get("first_contact_at"))),
                    ("last_contact", self.when(when.get("last_contact_at"))),
                ]
            ),
        ]

    def where_section(self) -> list:
        where = self.p.get("where", {})
        platforms = ", ".join(self.name(x) for x in where.get("platforms", []))
        urls = "<br/>".join(
            f'<font name="{MONO}" size="8">{_text(u.get("value", ""))}</font>' for u in where.get("urls", [])
        )
        return [self.h2("where"), self.fields([("platforms", platforms), ("urls", urls)])]

    def who_section(self) -> list:
        who = self.p.get("who", [])
        if not who:
            return [self.h2("who"), self.para(_text(self.none))]
        rows = [
            [
                self.para(_text(a.get("kind_name", a.get("kind", ""))), "cell"),
                self.para(_text(a.get("value", "")), "mono"),
                self.para(_text(a.get("normalized", "")), "mono"),
                self.para(self.name(a.get("platform")), "cell"),
            ]
            for a in who
        ]
        return [
            self.h2("who"),
            self.grid(
                ["kind_col", "value_col", "identity_col", "platform_col"],
                rows,
                [26 * mm, 60 * mm, 60 * mm, None],
            ),
        ]

    def child_section(self) -> list:
        child = self.p.get("child", {})
        m = child.get("municipality")
        place = ""
        if m:
            place = _text(m.get("name", "")) + (f" ({_text(m['district'])})" if m.get("district") else "")
        return [
            self.h2("child"),
            self.fields(
                [
                    ("age_band", self.name(child.get("age_band"))),
                    ("sex", self.name(child.get("sex"))),
                    ("municipality", place),
                ]
            ),
        ]

    def urgency_section(self) -> list:
        urgency = self.p.get("urgency", {})
        text = self.t("urgent_yes") if urgency.get("urgent") else self.t("urgent_no")
        if urgency.get("reason"):
            text = f"{text}: {urgency['reason']}"
        return [self.h2("urgency"), self.para(_text(text))]

    def evidence_section(self) -> list:
        files = self.p.get("evidence", {}).get("files", [])
        out = [self.h2("evidence"), self.para(_text(self.t("evidence_note")), "small"), Spacer(0, 1.5 * mm)]
        if not files:
            return [*out, self.para(_text(self.t("no_evidence")))]
        rows = [
            [
                self.para(_text(f.get("filename", "")), "cell"),
                self.para(_text(f.get("size") if f.get("size") is not None else ""), "cell"),
                self.para(_text(f.get("sha256", "") + _known_note(f, self.t("known_content"))), "hash"),
                self.para(_text(self.t("yes") if f.get("attached") else self.t("no")), "cell"),
            ]
            for f in files
        ]
        return [
            *out,
            self.grid(
                ["file_col", "size_col", "sha_col", "attached_col"], rows, [44 * mm, 18 * mm, 91 * mm, None]
            ),
        ]

    def missing_section(self) -> list:
        missing = self.p.get("missing", [])
        if not missing:
            return [KeepTogether([self.h2("missing"), self.para(_text(self.t("nothing_missing")))])]
        items = [self.para("☐ " + _text(m.get("label", m.get("code", "")))) for m in missing]
        return [KeepTogether([self.h2("missing"), *items])]


class _PagedCanvas(pdfcanvas.Canvas):
    """Draws the header and footer once the page count is known ("page n of m")."""

    def __init__(self, *args, decorate=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._decorate = decorate

    def showPage(self):  # noqa: N802 — reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            if self._decorate:
                self._decorate(self, number, total)
            super().showPage()
        super().save()


def render(packet: dict, language: str) -> bytes:
    register_fonts()
    with in_language(language):
        renderer = _Renderer(packet, language)
        story = renderer.story()
        decorate = functools.partial(_decorate, renderer=renderer, digest=packet_sha256(packet))
        buffer = io.BytesIO()
        centre = packet.get("centre", {}).get("name", "")
        reference = packet.get("case", {}).get("reference", "")
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=26 * mm,
            bottomMargin=22 * mm,
            title=f"{renderer.t('title')} {reference}",
            author=centre,
            subject=CONFIDENTIAL,
            lang={"sr": "sr-Cyrl", "sr-latn": "sr-Latn"}.get(language, "en"),
            invariant=1,
            initialFontName=SANS,  # no stray Helvetica: every font in the file is embedded
            initialFontSize=9.5,
        )
        doc.build(story, canvasmaker=functools.partial(_PagedCanvas, decorate=decorate))
    return buffer.getvalue()


def _decorate(canvas, number: int, total: int, *, renderer: _Renderer, digest: str) -> None:
    p = renderer.p
    width, height = A4
    # Aligned with the text frame (page margin plus the frame's 6 pt padding).
    left, right = 18 * mm + 6, width - 18 * mm - 6
    centre = p.get("centre", {})
    reference = p.get("case", {}).get("reference", "")
    with in_language(renderer.language):
        helpline = f"{renderer.t('helpline')} {centre.get('helpline', '')}"
        page = renderer.t("page", page=number, pages=total)
        footer_label = renderer.t("footer_hash")
    canvas.saveState()
    # Header: who sends it, that it is confidential, which case.
    canvas.setFont(SANS_BOLD, 10)
    canvas.drawString(left, height - 13 * mm, _CONTROL.sub("", centre.get("name", "")))
    canvas.setFont(SANS, 8)
    canvas.drawString(left, height - 17.5 * mm, helpline)
    canvas.setFillColor(colors.HexColor("#b00020"))
    canvas.setFont(SANS_BOLD, 10)
    canvas.drawRightString(right, height - 13 * mm, CONFIDENTIAL)
    canvas.setFillColor(colors.black)
    canvas.setFont(MONO, 9)
    canvas.drawRightString(right, height - 17.5 * mm, reference)
    canvas.setStrokeColor(colors.HexColor("#1d3557"))
    canvas.setLineWidth(0.6)
    canvas.line(left, height - 20 * mm, right, height - 20 * mm)
    # Footer: the hash that ties this page to the JSON twin, and the page count.
    canvas.line(left, 16 * mm, right, 16 * mm)
    canvas.setFont(SANS, 7)
    canvas.drawString(left, 12 * mm, f"{footer_label}:")
    canvas.setFont(MONO, 7)
    canvas.drawString(left, 8.5 * mm, digest)
    canvas.setFont(SANS, 8)
    canvas.drawRightString(right, 8.5 * mm, page)
    canvas.restoreState()


def render_pdf(packet: dict, language: str) -> bytes:
    """The printable A4 PDF of ``packet`` with labels in ``language`` (any spelling of it that
    ``packets.normalise_language`` accepts)."""
    return render(packet, normalise_language(language))
