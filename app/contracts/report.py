"""The contract-review report: a PDF in Kazakh, Russian or English for the worker and the file.

The report's language is chosen for its reader, not taken from the interface: its headings
come from the ``documents`` gettext catalog in that language, its code labels (subjects,
levels, risk) from ``app.domain.labels``. The findings come from the
rules engine, whose reasons are gettext messages: they are produced again with the chosen
language overriding the interface's in this thread only (``report_language``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from xml.sax.saxutils import escape

from babel import Locale
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import CondPageBreak, Paragraph, Table, TableStyle

from app.contracts.reference import HostCountryReference
from app.contracts.rules import ProvisionRef, Reference, ReviewResult, review
from app.contracts.terms import ContractTerms
from app.domain import labels, taxonomy
from app.errors import ValidationError
from app.i18n import (
    D_,
    DN_,
    DOCUMENTS_DOMAIN,
    DP_,
    LANGUAGES,
    _,
    format_number,
    language_override,
    translator,
)
from app.letters import DocumentBuilder, MissionInfo, PrintedPdf
from app.letters.renderer import FRAME_WIDTH, date_long, lower_first, money_text, ruled_table
from app.letters.states import official_name

LEVEL_COLOURS: dict[str, str] = {"ok": "#2E7D32", "concern": "#F9A825", "violation": "#C62828"}
RISK_COLOURS: dict[str, str] = {
    "low": "#2E7D32",
    "medium": "#F9A825",
    "high": "#BF360C",  # white on it reads at 5.6:1 (the orange before read at 3.8)
    "critical": "#B71C1C",
}
# Amber is too light for white letters.
_DARK_TEXT_ON = frozenset({"#F9A825"})


def text_on(colour: str) -> str:
    """The text colour for a level or risk badge of ``colour``: black on amber, else white."""
    return "#000000" if colour in _DARK_TEXT_ON else "#FFFFFF"


# Document words: msgids of the ``documents`` catalog, rendered in the report's language.
_LABELS: dict[str, str | tuple[str, str]] = {
    "title": D_("Review of an employment contract"),
    "contract": D_("The contract"),
    "worker": D_("Worker"),
    "case": D_("Case number"),
    "position": D_("Position"),
    "employer": D_("Employer"),
    "workplace": D_("Place of work"),
    "host_country": D_("Host country"),
    "wage": D_("Wage"),
    "hours": D_("Working week"),
    "term": D_("Term of the contract"),
    "signed_on": D_("Date of the contract"),
    "reviewed_on": D_("Date of review"),
    "risk": D_("Overall risk"),
    "risk_reasons": D_("Grounds"),
    "no_violations": D_("No violations were found."),
    "findings": D_("Findings"),
    "subject": D_("Subject"),
    "assessment": D_("Assessment"),
    "reason": D_("Reason"),
    "see": DP_("cited in a finding", "References"),
    "no_findings": D_("The terms given contain nothing the review could assess."),
    "indicators": D_("Indicators of forced labour (ILO)"),
    "no_indicators": D_(
        "None of the ILO indicators of forced labour appears in the terms reviewed."
    ),
    "references": D_("References"),
    "disclaimer": D_(
        "This review assesses the terms of the contract as they were stated to the mission "
        "against the law of the host country and international labour standards. It is not "
        "legal advice. References marked as not verified must be confirmed before they are "
        "relied on."
    ),
    # HQ's check of terms typed in there: no one stated them to a mission.
    "disclaimer_unsaved": D_(
        "This check assesses the terms of the contract as they were entered at headquarters "
        "against the law of the host country and international labour standards. It is not "
        "legal advice. References marked as not verified must be confirmed before they are "
        "relied on."
    ),
    "officer": D_("Reviewed by"),
    "source": D_("Source"),
    "printed": D_("Printed on"),
    "not_saved": D_(
        "Not saved in a case: the findings of a check made at headquarters, as the terms "
        "were entered there."
    ),
}

# Wage periods: Kazakh puts the period before the amount ("айына 12 000 TRY").
_PER_PERIOD: dict[str, str] = {
    "hour": D_("{amount} an hour"),
    "day": D_("{amount} a day"),
    "week": D_("{amount} a week"),
    "month": D_("{amount} a month"),
    "year": D_("{amount} a year"),
}
_HOURS = DN_("{n} hour", "{n} hours")
_MONTHS = DN_("{n} month", "{n} months")


# The language the host-country table writes its sources in.
TABLE_LANGUAGE = "en"


def shows_source(reference: Reference, lang: str) -> bool:
    """Whether a reference's "Source:" footnote is printed. A host law's source without an
    address is the table's English prose ("Labor Standards Act, Art. 60(1) (after one year
    ...)"): in a Kazakh or Russian review the citation above it already names the statute in
    that language, as the briefing sheet does, so the prose is left out there."""
    if not reference.source:
        return False
    if not reference.key.startswith("host:") or lang == TABLE_LANGUAGE:
        return True
    return reference.source.startswith(("http://", "https://"))


@dataclass(frozen=True)
class ReviewReport:
    """What the report prints besides the findings, which it computes from ``terms``."""

    mission: MissionInfo | None
    terms: ContractTerms
    provisions: Sequence[ProvisionRef]
    worker_name: str
    case_number: str | None
    officer_name: str
    reviewed_on: date
    printed_on: date
    # The host's figures the review applies (valid on the contract's date); None: the shipped
    # table's figures valid today.
    reference: HostCountryReference | None = None
    # False for HQ's check of terms, which no case keeps: the report says so under its title.
    saved: bool = True


def label(key: str, lang: str) -> str:
    words = translator(DOCUMENTS_DOMAIN, lang)
    msgid = _LABELS[key]
    return words.pgettext(*msgid) if isinstance(msgid, tuple) else words.gettext(msgid)


def rule_label(rule: str, lang: str) -> str:
    return labels.review_rule(rule, lang)


def level_label(level: str, lang: str) -> str:
    return labels.capitalised(labels.finding_level(level, lang))


def risk_label(risk: str, lang: str) -> str:
    return labels.capitalised(labels.risk_level(risk, lang))


@contextmanager
def report_language(lang: str) -> Iterator[None]:
    """Translate in ``lang`` for the block, in this thread only (the interface is untouched)."""
    if lang not in LANGUAGES:
        raise ValidationError(
            _("Unknown language {lang}; expected one of: {valid}.").format(
                lang=lang, valid=", ".join(LANGUAGES)
            ),
            field="lang",
        )
    with language_override(lang):
        yield


def review_in(terms: ContractTerms, provisions: Sequence[ProvisionRef], lang: str) -> ReviewResult:
    """The findings written in ``lang``."""
    with report_language(lang):
        return review(terms, provisions)


def render_review_report(report: ReviewReport, lang: str) -> PrintedPdf:
    """The report as PDF bytes, in ``lang``."""
    with report_language(lang):
        # The law as it stood on the day of the review, as when the findings were saved.
        result = review(report.terms, report.provisions, report.reference, report.reviewed_on)
        builder = DocumentBuilder(
            lang, report.mission, label("title", lang), subject=label("title", lang)
        )
        fixer = _GlyphFixer(builder.fonts.serif)
        _ReportWriter(builder, report, result, lang, fixer).write()
        return builder.build()


class _ReportWriter:
    def __init__(
        self,
        builder: DocumentBuilder,
        report: ReviewReport,
        result: ReviewResult,
        lang: str,
        fixer: _GlyphFixer,
    ) -> None:
        self.b = builder
        self.report = report
        self.result = result
        self.lang = lang
        self.fix = fixer
        self.references: list[Reference] = []

    def write(self) -> None:
        self.b.paragraph(label("title", self.lang), "title")
        if not self.report.saved:
            self.b.paragraph(label("not_saved", self.lang), "plain")
        self._contract()
        self._risk()
        self._findings()
        self._indicators()
        self._references()
        disclaimer = "disclaimer" if self.report.saved else "disclaimer_unsaved"
        self.b.spacer(2).paragraph(label(disclaimer, self.lang), "plain")
        self._signature()

    # -- sections -----------------------------------------------------------------------------

    def _contract(self) -> None:
        terms, lang = self.report.terms, self.lang
        rows: list[tuple[str, str]] = [
            ("worker", self.report.worker_name),
            ("case", self.report.case_number or ""),
            ("position", terms.position or ""),
            ("employer", terms.employer_name or ""),
            ("workplace", terms.workplace or ""),
            ("host_country", official_name(terms.host_country or "", lang)),
            ("wage", self._wage()),
            ("hours", self._hours()),
            ("term", self._term()),
            ("signed_on", date_long(terms.signed_on, lang) if terms.signed_on else ""),
            ("reviewed_on", date_long(self.report.reviewed_on, lang)),
        ]
        shown = [(label(key, lang), value) for key, value in rows if value]
        self.b.heading(label("contract", lang))
        self._grid(
            [[self._cell(name, bold=True), self._cell(value)] for name, value in shown],
            [0.32, 0.68],
            header=False,
        )

    def _risk(self) -> None:
        lang, risk = self.lang, self.result.risk
        self.b.heading(label("risk", lang))
        if not self.result.findings:
            # Nothing was assessed: no risk level, not a reassuring "low".
            self.b.paragraph(label("no_findings", lang), "plain")
            return
        colour = RISK_COLOURS[risk]
        style = ParagraphStyle(
            "badge",
            parent=self.b.styles["cell_head"],
            fontSize=12,
            leading=15,
            textColor=self._text_on(colour),
        )
        badge = Table(
            [[Paragraph(escape(risk_label(risk, lang).upper()), style)]],
            colWidths=[55 * mm],
            hAlign="LEFT",
        )
        badge.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(colour)),
                    ("TEXTCOLOR", (0, 0), (-1, -1), self._text_on(colour)),
                    ("FONTNAME", (0, 0), (-1, -1), self.b.fonts.serif_bold),
                    ("TOPPADDING", (0, 0), (-1, -1), 4),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ]
            )
        )
        badge.spaceAfter = 4
        self.b.flowable(badge)
        if self.result.risk_reasons:
            # Mid-sentence after the colon: «Grounds: passport and identity documents, …».
            names = ", ".join(
                lower_first(rule_label(rule, lang), lang) for rule in self.result.risk_reasons
            )
            self.b.paragraph(f"{label('risk_reasons', lang)}: {names}.", "plain")
        else:
            self.b.paragraph(label("no_violations", lang), "plain")

    def _findings(self) -> None:
        lang = self.lang
        # A heading kept with a whole table would push the table to the next page.
        self.b.flowable(CondPageBreak(40 * mm))
        self.b.flowable(Paragraph(escape(label("findings", lang)), self._loose_heading()))
        if not self.result.findings:
            self.b.paragraph(label("no_findings", lang), "plain")
            return
        rows: list[list[Paragraph]] = [
            [
                self._cell(label("subject", lang), bold=True),
                self._cell(label("assessment", lang), bold=True),
                self._cell(label("reason", lang), bold=True),
            ]
        ]
        marks: list[tuple[int, str]] = []
        for index, finding in enumerate(self.result.findings, start=1):
            numbers = [self._reference_number(r) for r in finding.references]
            reason = escape(self.fix(finding.reason))
            if numbers:
                cited = ", ".join(f"[{n}]" for n in numbers)
                reason += f'<br/><font size="8.5">{label("see", lang)}: {cited}</font>'
            colour = LEVEL_COLOURS[finding.level]
            rows.append(
                [
                    self._cell(rule_label(finding.rule, lang)),
                    Paragraph(
                        f'<font color="{self._hex_text_on(colour)}">'
                        f"{escape(level_label(finding.level, lang))}</font>",
                        self.b.styles["cell_head"],
                    ),
                    Paragraph(reason, self.b.styles["cell"]),
                ]
            )
            marks.append((index, colour))
        extra = [("BACKGROUND", (1, row), (1, row), colors.HexColor(c)) for row, c in marks]
        self._grid(rows, [0.26, 0.21, 0.53], header=True, extra=extra)

    def _indicators(self) -> None:
        lang = self.lang
        self.b.heading(label("indicators", lang))
        if not self.result.ilo_indicators:
            self.b.paragraph(label("no_indicators", lang), "plain")
            return
        for code in self.result.ilo_indicators:
            self.b.paragraph(taxonomy.ilo_indicator(code).label(lang), "item")

    def _references(self) -> None:
        if not self.references:
            return
        self.b.flowable(CondPageBreak(30 * mm))
        self.b.flowable(Paragraph(escape(label("references", self.lang)), self._loose_heading()))
        style = ParagraphStyle(
            "reference",
            parent=self.b.styles["cell"],
            fontSize=9.5,
            leading=11.5,
            leftIndent=7 * mm,
            firstLineIndent=-7 * mm,
            spaceAfter=1.5,
        )
        source_style = ParagraphStyle(
            "reference_source", parent=style, fontSize=8, leading=9.5, firstLineIndent=0
        )
        for number, reference in enumerate(self.references, start=1):
            text = escape(self.fix(reference.label()))
            self.b.flowable(Paragraph(f"[{number}]&nbsp;{text}", style))
            if shows_source(reference, self.lang):
                # The footnote that says where the reference can be checked.
                where = escape(self.fix(f"{label('source', self.lang)}: {reference.source}"))
                self.b.flowable(Paragraph(where, source_style))

    def _signature(self) -> None:
        lang = self.lang
        officer = escape(f"{label('officer', lang)}: {self.report.officer_name}")
        self.b.row([officer, escape(date_long(self.report.reviewed_on, lang))], "sign")
        self.b.at_bottom(
            escape(f"{label('printed', lang)}: {date_long(self.report.printed_on, lang)} · Qorgau")
        )

    # -- helpers ------------------------------------------------------------------------------

    def _wage(self) -> str:
        terms = self.report.terms
        if terms.wage_amount is None or not terms.wage_currency:
            return ""
        money = money_text(terms.wage_amount, terms.wage_currency, self.lang)
        if not terms.wage_period:
            return money
        words = translator(DOCUMENTS_DOMAIN, self.lang)
        return words.gettext(_PER_PERIOD[terms.wage_period]).format(amount=money)

    def _hours(self) -> str:
        hours = self.report.terms.hours_per_week
        if hours is None:
            return ""
        number = format_number(hours.normalize(), self.lang)
        # A fraction takes the form of "few" ("1,5 часа", "1.5 hours").
        count = int(hours) if hours == hours.to_integral_value() else 2
        words = translator(DOCUMENTS_DOMAIN, self.lang)
        return words.ngettext(*_HOURS, count).format(n=number)

    def _term(self) -> str:
        months = self.report.terms.term_months
        if months is None:
            return ""
        words = translator(DOCUMENTS_DOMAIN, self.lang)
        return words.ngettext(*_MONTHS, months).format(n=months)

    def _loose_heading(self) -> ParagraphStyle:
        return ParagraphStyle("loose_heading", parent=self.b.styles["heading"], keepWithNext=0)

    def _reference_number(self, reference: Reference) -> int:
        """One number per provision: a provision several findings cite is listed once."""
        for number, known in enumerate(self.references, start=1):
            if known.key == reference.key:
                return number
        self.references.append(reference)
        return len(self.references)

    def _cell(self, text: str, bold: bool = False) -> Paragraph:
        return Paragraph(escape(self.fix(text)), self.b.styles["cell_head" if bold else "cell"])

    def _grid(
        self,
        rows: list[list[Paragraph]],
        fractions: Sequence[float],
        *,
        header: bool,
        extra: Sequence[tuple[object, ...]] = (),
    ) -> None:
        widths = [FRAME_WIDTH * f for f in fractions]
        table = ruled_table(rows, widths, header=header, font=self.b.fonts.serif, extra=extra)
        table.spaceBefore = 2
        table.spaceAfter = 6
        self.b.flowable(table)

    @staticmethod
    def _text_on(colour: str) -> colors.Color:
        return colors.black if colour in _DARK_TEXT_ON else colors.white

    @staticmethod
    def _hex_text_on(colour: str) -> str:
        return text_on(colour)


@cache
def _currency_codes_by_symbol() -> dict[str, str]:
    """Single-character currency symbols (₩, ₺, ₸) to ISO codes, from CLDR."""
    found: dict[str, str] = {}
    for lang in LANGUAGES:
        for code, symbol in Locale.parse(lang).currency_symbols.items():
            if len(symbol) == 1 and unicodedata.category(symbol) == "Sc":
                found.setdefault(symbol, code)
    return found


class _GlyphFixer:
    """Replaces characters the embedded font cannot draw: a currency sign by its ISO code,
    narrow spaces by a no-break space, so nothing prints as an empty box."""

    def __init__(self, font_name: str) -> None:
        self._has = pdfmetrics.getFont(font_name).face.charToGlyph

    def __call__(self, text: str) -> str:
        if all(ord(ch) in self._has or ch in "\n\t" for ch in text):
            return text
        out: list[str] = []
        for ch in text:
            if ord(ch) in self._has or ch in "\n\t":
                out.append(ch)
            elif unicodedata.category(ch) == "Zs":
                out.append("\u00a0")
            elif ch in _currency_codes_by_symbol():
                out.append(_currency_codes_by_symbol()[ch])
            else:
                out.append(ch)
        return "".join(out)
