"""The contract-review report: a PDF in Kazakh, Russian or English for the worker and the file.

The report's language is chosen for its reader, not taken from the interface, so its own
headings and labels are written here by hand for each language. The findings come from the
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
from app.i18n import LANGUAGES, _, country_name, language_override
from app.letters import DocumentBuilder, MissionInfo
from app.letters.renderer import FRAME_WIDTH, date_long, money_text

LEVEL_COLOURS: dict[str, str] = {"ok": "#2E7D32", "concern": "#F9A825", "violation": "#C62828"}
RISK_COLOURS: dict[str, str] = {
    "low": "#2E7D32",
    "medium": "#F9A825",
    "high": "#E65100",
    "critical": "#B71C1C",
}
# Amber is too light for white letters.
_DARK_TEXT_ON = frozenset({"#F9A825"})

# Hand-written per language: a document for its reader, not interface strings.
_LABELS: dict[str, dict[str, str]] = {
    "title": {
        "kk": "Еңбек шартын тексеру нәтижелері бойынша қорытынды",
        "ru": "Заключение по результатам проверки трудового договора",
        "en": "Review of an employment contract",
    },
    "contract": {
        "kk": "Шарт туралы мәліметтер",
        "ru": "Сведения о договоре",
        "en": "The contract",
    },
    "worker": {"kk": "Қызметкер", "ru": "Работник", "en": "Worker"},
    "case": {"kk": "Іс нөмірі", "ru": "Номер дела", "en": "Case number"},
    "position": {"kk": "Лауазымы", "ru": "Должность", "en": "Position"},
    "employer": {"kk": "Жұмыс беруші", "ru": "Работодатель", "en": "Employer"},
    "workplace": {"kk": "Жұмыс орны", "ru": "Место работы", "en": "Place of work"},
    "host_country": {
        "kk": "Жұмыс істейтін елі",
        "ru": "Страна трудоустройства",
        "en": "Country of employment",
    },
    "wage": {"kk": "Жалақы", "ru": "Заработная плата", "en": "Wage"},
    "hours": {
        "kk": "Аптасына жұмыс уақыты",
        "ru": "Продолжительность рабочей недели",
        "en": "Working week",
    },
    "term": {"kk": "Шарттың мерзімі", "ru": "Срок договора", "en": "Term of the contract"},
    "signed_on": {
        "kk": "Шарт жасалған күн",
        "ru": "Дата заключения договора",
        "en": "Date of the contract",
    },
    "reviewed_on": {"kk": "Тексерілген күні", "ru": "Дата проверки", "en": "Date of review"},
    "risk": {
        "kk": "Жалпы тәуекел деңгейі",
        "ru": "Общая степень риска",
        "en": "Overall risk",
    },
    "risk_reasons": {"kk": "Негіздері", "ru": "Основания", "en": "Grounds"},
    "no_violations": {
        "kk": "Бұзушылықтар анықталған жоқ.",
        "ru": "Нарушений не выявлено.",
        "en": "No violations were found.",
    },
    "findings": {"kk": "Тексеру нәтижелері", "ru": "Результаты проверки", "en": "Findings"},
    "subject": {"kk": "Тексерілген мәселе", "ru": "Предмет проверки", "en": "Subject"},
    "assessment": {"kk": "Баға", "ru": "Оценка", "en": "Assessment"},
    "reason": {"kk": "Негіздеме", "ru": "Обоснование", "en": "Reason"},
    "see": {"kk": "Сілтемелер", "ru": "Ссылки", "en": "References"},
    "no_findings": {
        "kk": "Берілген талаптарда бағалауға болатын мәліметтер жоқ.",
        "ru": "Представленные условия не содержат сведений, которые можно оценить.",
        "en": "The terms given contain nothing the review could assess.",
    },
    "indicators": {
        "kk": "Мәжбүрлі еңбек белгілері (ХЕҰ)",
        "ru": "Признаки принудительного труда (МОТ)",
        "en": "Indicators of forced labour (ILO)",
    },
    "no_indicators": {
        "kk": "Тексерілген талаптардан ХЕҰ анықтаған мәжбүрлі еңбек белгілерінің бірде-біреуі "
        "табылған жоқ.",
        "ru": "В проверенных условиях не выявлено ни одного из признаков принудительного труда, "
        "определённых МОТ.",
        "en": "None of the ILO indicators of forced labour appears in the terms reviewed.",
    },
    "references": {
        "kk": "Нормативтік сілтемелер",
        "ru": "Нормативные ссылки",
        "en": "References",
    },
    "disclaimer": {
        "kk": "Осы қорытынды өкілдікке хабарланған шарт талаптарын болу елінің заңнамасы мен "
        "халықаралық еңбек стандарттары тұрғысынан бағалайды. Ол заң кеңесі болып табылмайды. "
        "Тексерілмеген деп белгіленген сілтемелерге сүйенбес бұрын оларды растау қажет.",
        "ru": "Настоящее заключение оценивает условия договора в том виде, в каком они сообщены "
        "представительству, с точки зрения законодательства страны пребывания и международных "
        "трудовых стандартов. Оно не является юридической консультацией. Ссылки, отмеченные "
        "как непроверенные, перед использованием необходимо подтвердить.",
        "en": "This review assesses the terms of the contract as they were stated to the "
        "mission against the law of the host country and international labour standards. It "
        "is not legal advice. References marked as not verified must be confirmed before "
        "they are relied on.",
    },
    "officer": {"kk": "Тексерген", "ru": "Проверку провёл", "en": "Reviewed by"},
    "source": {"kk": "Дереккөзі", "ru": "Источник", "en": "Source"},
    "printed": {"kk": "Басып шығарылған күні", "ru": "Дата печати", "en": "Printed on"},
}

# Wage periods: Kazakh puts the period before the amount ("айына 12 000 TRY").
_PER_PERIOD: dict[str, dict[str, str]] = {
    "hour": {"kk": "сағатына", "ru": "в час", "en": "an hour"},
    "day": {"kk": "күніне", "ru": "в день", "en": "a day"},
    "week": {"kk": "аптасына", "ru": "в неделю", "en": "a week"},
    "month": {"kk": "айына", "ru": "в месяц", "en": "a month"},
    "year": {"kk": "жылына", "ru": "в год", "en": "a year"},
}


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


def label(key: str, lang: str) -> str:
    return _LABELS[key][lang]


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


def render_review_report(report: ReviewReport, lang: str) -> bytes:
    """The report as PDF bytes, in ``lang``."""
    with report_language(lang):
        result = review(report.terms, report.provisions, report.reference)
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
        self._contract()
        self._risk()
        self._findings()
        self._indicators()
        self._references()
        self.b.spacer(2).paragraph(label("disclaimer", self.lang), "plain")
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
            ("host_country", country_name(terms.host_country, lang) if terms.host_country else ""),
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
            names = ", ".join(rule_label(rule, lang) for rule in self.result.risk_reasons)
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
            if reference.source:
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
        per = _PER_PERIOD[terms.wage_period][self.lang] if terms.wage_period else ""
        if not per:
            return money
        return f"{per} {money}" if self.lang == "kk" else f"{money} {per}"

    def _hours(self) -> str:
        hours = self.report.terms.hours_per_week
        if hours is None:
            return ""
        number = f"{hours.normalize():f}".replace(".", "," if self.lang != "en" else ".")
        if self.lang == "kk":
            return f"{number} сағат"
        if self.lang == "ru":
            return f"{number} {_ru_plural(hours, 'час', 'часа', 'часов')}"
        return f"{number} hours"

    def _term(self) -> str:
        months = self.report.terms.term_months
        if months is None:
            return ""
        if self.lang == "kk":
            return f"{months} ай"
        if self.lang == "ru":
            return f"{months} {_ru_plural(months, 'месяц', 'месяца', 'месяцев')}"
        return f"{months} month" + ("" if months == 1 else "s")

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
        table = Table(
            rows, colWidths=[FRAME_WIDTH * f for f in fractions], repeatRows=1 if header else 0
        )
        commands: list[tuple[object, ...]] = [
            ("FONTNAME", (0, 0), (-1, -1), self.b.fonts.serif),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")))
        table.setStyle(TableStyle([*commands, *extra]))
        table.spaceBefore = 2
        table.spaceAfter = 6
        self.b.flowable(table)

    @staticmethod
    def _text_on(colour: str) -> colors.Color:
        return colors.black if colour in _DARK_TEXT_ON else colors.white

    @staticmethod
    def _hex_text_on(colour: str) -> str:
        return "#000000" if colour in _DARK_TEXT_ON else "#FFFFFF"


def _ru_plural(number: object, one: str, few: str, many: str) -> str:
    """Russian noun form after a number; fractions take the genitive singular ("1,5 часа")."""
    text = str(number)
    if "." in text.rstrip("0").rstrip("."):
        return few
    n = int(float(text))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


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
