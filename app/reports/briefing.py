"""The country briefing sheet as an A4 PDF, in plain words, in kk, ru or en.

Its words are written by hand per language in ``resources/briefing/sheet.json`` (a document
for a worker, like the letters, not interface text); the data comes from
``app.services.briefing``. Every figure and agreement point carries a numbered reference to
the list of sources at the end. Text from the data is escaped before it reaches reportlab's
markup, so an ``&`` or ``<`` in a mission's address prints as written.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any
from xml.sax.saxutils import escape

from babel import Locale
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.contracts.reference import MinimumWage, PaidLeave, Provenance, WorkingHours
from app.i18n import format_amount, format_number
from app.letters.fonts import FontSet, register_fonts
from app.letters.qr import draw_qr
from app.letters.renderer import PrintedPdf, date_long, left_out_characters
from app.letters.states import state_name, state_name_en_bare
from app.pdf.archival import ArchivalCanvas
from app.resources import resource_path
from app.services.briefing import AgreementFact, BriefingSheet, CheckedFigure, ContactBlock

SHEET_TEXTS = resource_path("briefing", "sheet.json")
MARGIN = 16 * mm
WIDTH = A4[0] - 2 * MARGIN
QR_SIZE = 28 * mm
ACCENT = colors.HexColor("#1F4E79")
MUTED = colors.HexColor("#555555")
# The host-country table writes a source that is not an address in English ("Labor Standards
# Act, Art. 60(1) (after one year …)"): a Kazakh or Russian sheet printed it as it was, beside
# the same statute cited in the sheet's language. There it adds only an address to check.
TABLE_LANGUAGE = "en"
_PER_PERIOD: dict[str, dict[str, str]] = {
    "hour": {"kk": "сағатына", "ru": "в час", "en": "an hour"},
    "day": {"kk": "күніне", "ru": "в день", "en": "a day"},
    "week": {"kk": "аптасына", "ru": "в неделю", "en": "a week"},
    "month": {"kk": "айына", "ru": "в месяц", "en": "a month"},
    "year": {"kk": "жылына", "ru": "в год", "en": "a year"},
}
_KK_MONTH_ABLATIVE = (
    "қаңтардан", "ақпаннан", "наурыздан", "сәуірден", "мамырдан", "маусымнан",
    "шілдеден", "тамыздан", "қыркүйектен", "қазаннан", "қарашадан", "желтоқсаннан",
)  # fmt: skip
_UNITS = {
    "working days": "unit_working_days",
    "working days (five-day week)": "unit_working_days_5",
    "calendar days": "unit_calendar_days",
    "days": "unit_days",
}


@cache
def sheet_texts() -> dict[str, Any]:
    return dict(json.loads(SHEET_TEXTS.read_text(encoding="utf-8")))


def tel_link(phone: str) -> str:
    """``tel:`` URI of a phone number as people write it: "+82 2 394 9716" → "tel:+8223949716"."""
    digits = re.sub(r"[^0-9+]", "", phone)
    return f"tel:{digits}"


def date_from(value: date, lang: str) -> str:
    """The date a figure applies from, in the form the sheet's sentence needs."""
    if lang == "kk":  # "2026 жылғы 1 қаңтардан"
        return f"{value.year} жылғы {value.day} {_KK_MONTH_ABLATIVE[value.month - 1]}"
    return date_long(value, lang)  # ru genitive "1 января 2026 г.", en "1 January 2026"


def country_title(iso2: str, lang: str) -> str:
    """The state's official name (CLDR's short name where the reviewed table lacks it):
    the sheet is the government's, and CLDR's short names are not always the official usage
    (ru "Киргизия" for Kyrgyzstan)."""
    return state_name_en_bare(iso2) if lang == "en" else state_name(iso2, lang)


def _plural(forms: dict[str, str], count: int, lang: str) -> str:
    category = Locale.parse(lang).plural_form(count)
    return forms.get(category) or forms["other"]


def _number(value: Decimal | int, lang: str) -> str:
    return format_number(value, lang)


class _Qr(Flowable):
    def __init__(self, payload: str, size: float) -> None:
        super().__init__()
        self.payload, self.size = payload, size
        self.width = self.height = size

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        draw_qr(self.canv, self.payload, 0, 0, self.size)


class _Box(Flowable):
    """An empty tick box (the fonts have no ☐)."""

    def __init__(self, size: float) -> None:
        super().__init__()
        self.size = size

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


# A sheet that runs a few lines onto a second page (its sources, most often) is set again
# this much tighter, type and spacing alike, while it then fits one page; body text stays
# at 9 pt or more.
TIGHTER = (0.95, 0.9)


def _style(name: str, font: str, size: float, leading: float, **more: Any) -> ParagraphStyle:
    # The bullet in the style's own font: reportlab's default for it, Helvetica, is not
    # embedded, which PDF/A refuses.
    return ParagraphStyle(
        name, fontName=font, bulletFontName=font, fontSize=size, leading=leading, **more
    )


def _is_address(source: str) -> bool:
    return source.startswith(("http://", "https://"))


class _Sheet:
    def __init__(self, sheet: BriefingSheet, scale: float = 1.0) -> None:
        self.sheet = sheet
        self.lang = sheet.lang
        self.words: dict[str, Any] = sheet_texts()[sheet.lang]
        self.fonts: FontSet = register_fonts()
        self.sources: list[str] = []
        bold, plain, k = self.fonts.sans_bold, self.fonts.sans, scale
        self.styles = {
            style.name: style
            for style in (
                _style("kicker", bold, 10 * k, 13 * k, textColor=ACCENT),
                _style("title", bold, 22 * k, 26 * k, spaceAfter=3 * k),
                _style("intro", plain, 10 * k, 13.5 * k),
                _style(
                    "heading",
                    bold,
                    12.5 * k,
                    15 * k,
                    textColor=ACCENT,
                    spaceBefore=6 * k,
                    spaceAfter=2 * k,
                ),
                _style("body", plain, 10 * k, 13 * k),
                _style(
                    "item", plain, 10 * k, 13 * k, leftIndent=10, bulletIndent=1, spaceAfter=1.5 * k
                ),
                _style("strong", bold, 10.5 * k, 13.5 * k, spaceBefore=2 * k),
                _style("contact", plain, 10 * k, 13.2 * k),
                _style("caption", plain, 7.5 * k, 9 * k, alignment=1, textColor=MUTED),
                _style(
                    "source",
                    plain,
                    7.5 * k,
                    9.2 * k,
                    textColor=MUTED,
                    leftIndent=12,
                    firstLineIndent=-12,
                ),
                _style("footer", plain, 7.5 * k, 9.2 * k, textColor=MUTED),
            )
        }

    # -- helpers ------------------------------------------------------------------------

    def w(self, key: str, **values: str) -> str:
        """The sheet's own words, escaped, with escaped values filled in."""
        text: str = self.words[key]
        return escape(text).format(**{k: escape(v) for k, v in values.items()})

    def p(self, markup: str, style: str = "body") -> Paragraph:
        return Paragraph(markup, self.styles[style])

    def item(self, markup: str) -> Paragraph:
        return Paragraph(markup, self.styles["item"], bulletText="\u2022")

    def ref(self, source_line: str) -> str:
        """A superscript reference number to ``source_line`` (added once to the sources)."""
        if source_line not in self.sources:
            self.sources.append(source_line)
        return f"<super>[{self.sources.index(source_line) + 1}]</super>"

    def source_line(
        self, source: str, checked_on: date | None, citations: Sequence[str] = ()
    ) -> str:
        parts = list(citations)
        if source not in citations and (
            _is_address(source) or not citations or self.lang == TABLE_LANGUAGE
        ):
            parts.append(source)
        line = "; ".join(part for part in parts if part)
        if checked_on is not None:
            line += f" ({self.words['checked'].format(date=date_long(checked_on, self.lang))})"
        return line

    def figure_ref(self, figure: CheckedFigure) -> str:
        provenance: Provenance = figure.provenance
        return self.ref(
            self.source_line(provenance.source, provenance.checked_on, figure.citations)
        )

    # -- sections -----------------------------------------------------------------------

    def contacts(self) -> list[Flowable]:
        blocks = self.sheet.contacts
        if not blocks:
            return []
        lines: list[Flowable] = []
        for block in blocks:
            lines.extend(self.contact_block(block))
        phone = next((b.phone or b.hotline for b in blocks if b.phone or b.hotline), "")
        flow: list[Flowable] = [self.p(self.w("contacts"), "heading")]
        if not any(block.in_host_country for block in blocks):
            flow.append(self.p(self.w("contacts_elsewhere")))
        if not phone:
            flow.extend(lines)
            return flow
        qr = [_Qr(tel_link(phone), QR_SIZE), Spacer(1, 1.5 * mm), self.p(self.w("qr"), "caption")]
        table = Table(
            [[lines, qr]], colWidths=[WIDTH - QR_SIZE - 8 * mm, QR_SIZE + 8 * mm], hAlign="LEFT"
        )
        table.setStyle(
            TableStyle(
                [
                    # A table sets its cells' font, Helvetica unless told, even for an empty
                    # one: not embedded, which PDF/A refuses.
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.sans),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                    ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ]
            )
        )
        flow.append(table)
        return flow

    def contact_block(self, block: ContactBlock) -> list[Flowable]:
        rows = [f"<b>{escape(block.name)}</b>"]
        for key, value in (
            ("address", block.address),
            ("phone", block.phone),
            ("hotline", block.hotline),
            ("hours", block.hours),
            ("email", block.email),
        ):
            if value:  # print only what is filled in
                rows.append(f"{self.w(key)}: {escape(value)}")
        return [self.p("<br/>".join(rows), "contact"), Spacer(1, 2 * mm)]

    def rights(self) -> list[Flowable]:
        flow: list[Flowable] = [self.p(self.w("rights"), "heading")]
        items = [line for figure in self.sheet.figures for line in self.figure_lines(figure)]
        if not items:
            flow.append(self.p(self.w("no_rights")))
        flow.extend(self.item(line) for line in items)
        return flow

    def figure_lines(self, figure: CheckedFigure) -> list[str]:
        lang, value = self.lang, figure.value
        if isinstance(value, MinimumWage):
            per = _PER_PERIOD.get(value.period, {}).get(lang)
            if per is None:
                return []
            start = value.provenance.valid_from
            assert start is not None  # the table refuses a minimum wage without its day
            text = self.w(
                "minimum_wage",
                amount=format_amount(value.amount, value.currency, lang),
                per=per,
                date=date_from(start, lang),
            )
            return [text + self.figure_ref(figure)]
        if isinstance(value, WorkingHours):
            lines = [self.w("hours_normal", hours=_number(value.normal_weekly, lang))]
            if value.max_weekly is not None:
                lines.append(self.w("hours_max", hours=_number(value.max_weekly, lang)))
            if value.max_overtime_per_year is not None:
                lines.append(
                    self.w("hours_overtime", hours=_number(value.max_overtime_per_year, lang))
                )
            reference = self.figure_ref(figure)
            return [line + reference for line in lines]
        if isinstance(value, PaidLeave):
            if value.min_days == 0:
                return [self.w("paid_leave_none") + self.figure_ref(figure)]
            unit_key = _UNITS.get(value.unit)
            if unit_key is None:
                return []  # a unit the sheet cannot name is better left out than guessed
            unit = _plural(self.words[unit_key], value.min_days, lang)
            text = self.w("paid_leave", days=_number(value.min_days, lang), unit=unit)
            return [text + self.figure_ref(figure)]
        if figure.subject == "passport":
            return [self.w("passport") + self.figure_ref(figure)]
        return []

    def agreements(self) -> list[Flowable]:
        flow: list[Flowable] = [self.p(self.w("agreements"), "heading")]
        if not self.sheet.agreements:
            flow.append(self.p(self.w("no_agreements")))
        for fact in self.sheet.agreements:
            flow.extend(self.agreement(fact))
        return flow

    def agreement(self, fact: AgreementFact) -> list[Flowable]:
        reference = self.ref(self.source_line(fact.source, fact.checked_on))
        flow: list[Flowable] = [
            self.p(f"{escape(fact.title)}{reference}", "strong"),
            self.p(self.w(f"basis_{fact.basis}")),
        ]
        for point in fact.points:
            point_ref = self.ref(self.source_line(point.source, point.checked_on))
            flow.append(self.item(escape(point.text) + point_ref))
        return flow

    def complaints(self) -> list[Flowable]:
        flow: list[Flowable] = [self.p(self.w("complaints"), "heading")]
        if not self.sheet.complaints:
            flow.append(
                self.p(
                    self.w("few_complaints" if self.sheet.complaints_received else "no_complaints")
                )
            )
            return flow
        flow.append(self.p(self.w("complaints_intro")))
        for complaint in self.sheet.complaints:
            count = _plural(self.words["complaint_count"], complaint.count, self.lang)
            flow.append(
                self.item(
                    f"<b>{escape(complaint.label)}</b> — "
                    f"{escape(count.format(count=_number(complaint.count, self.lang)))}"
                )
            )
        flow.append(self.p(f"<b>{self.w('complaints_after')}</b>"))
        flow.append(self.p(self.w("complaints_rounded"), "footer"))
        return flow

    def checklist(self) -> list[Flowable]:
        rows = [
            [_Box(3.2 * mm), self.p(self.w(f"check_{rule}"))]
            for rule in self.sheet.checklist
            if f"check_{rule}" in self.words
        ]
        half = (len(rows) + 1) // 2
        left, right = rows[:half], rows[half:]
        column = (WIDTH - 4 * mm) / 2
        cells = [[*left[i], *(right[i] if i < len(right) else ["", ""])] for i in range(len(left))]
        table = Table(
            cells,
            colWidths=[5.5 * mm, column - 5.5 * mm, 5.5 * mm, column - 5.5 * mm],
            hAlign="LEFT",
        )
        table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.sans),  # as in the contacts
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                    ("TOPPADDING", (0, 0), (-1, -1), 1),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                    ("TOPPADDING", (0, 0), (0, -1), 2.5),
                    ("TOPPADDING", (2, 0), (2, -1), 2.5),
                ]
            )
        )
        return [self.p(self.w("checklist"), "heading"), table]

    def sources_list(self) -> list[Flowable]:
        if not self.sources:
            return []
        flow: list[Flowable] = [Spacer(1, 3 * mm), self.p(f"<b>{self.w('sources')}</b>", "source")]
        flow.extend(
            self.p(f"[{number}] {escape(line)}", "source")
            for number, line in enumerate(self.sources, start=1)
        )
        return flow

    def build(self) -> tuple[PrintedPdf, int]:
        """The PDF and how many pages it has."""
        sheet = self.sheet
        story: list[Flowable] = [
            self.p(self.w("kicker"), "kicker"),
            self.p(escape(country_title(sheet.country, self.lang)), "title"),
            self.p(self.w("intro"), "intro"),
            *self.contacts(),
            *self.rights(),
            *self.agreements(),
            KeepTogether(self.complaints()),
            CondPageBreak(45 * mm),
            *self.checklist(),
        ]
        footer = self.p(
            self.w(
                "footer",
                date=date_long(sheet.printed_on, self.lang),
                mission=sheet.issued_by_in_text,
            ),
            "footer",
        )
        # The footer keeps the last source line company: it never opens a page alone.
        sources = self.sources_list()
        story.extend(sources[:-1])
        story.append(KeepTogether([*sources[-1:], Spacer(1, 1.5 * mm), footer]))
        out = io.BytesIO()
        document = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=12 * mm,
            bottomMargin=12 * mm,
            title=f"{self.words['kicker']}: {country_title(sheet.country, self.lang)}",
            author=sheet.issued_by,
            creator="Qorgau",
            lang=self.lang,
            initialFontName=self.fonts.sans,
        )
        left_out = left_out_characters(story, self.fonts.sans)
        # PDF/A-2b like every document Qorgau issues: metadata, output intent, fonts embedded.
        document.build(story, onLaterPages=self._page_number, canvasmaker=ArchivalCanvas)
        return PrintedPdf.of(out.getvalue(), left_out), document.page

    def _page_number(self, canvas: Any, document: Any) -> None:
        canvas.saveState()
        canvas.setFont(self.fonts.sans, 8)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(A4[0] - MARGIN, 8 * mm, str(document.page))
        canvas.restoreState()


def render_briefing(sheet: BriefingSheet) -> PrintedPdf:
    """The sheet as PDF bytes (A4, fonts embedded): one page when a slightly tighter setting
    (``TIGHTER``) holds it, rather than a second page with a few lines on it."""
    pdf, pages = _Sheet(sheet).build()
    for scale in TIGHTER if pages > 1 else ():
        tighter, pages = _Sheet(sheet, scale).build()
        if pages == 1:
            return tighter
    return pdf
