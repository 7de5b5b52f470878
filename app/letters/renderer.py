"""PDF output: a small document builder on reportlab Platypus, and ``render_letter``.

``DocumentBuilder`` lays out any Qorgau document on A4 (GOST-like margins: left 30 mm,
right 15 mm, top and bottom 20 mm) with the mission's letterhead, embedded PT fonts, page
numbers from page 2, an optional DRAFT watermark and an optional QR code. ``render_letter``
fills a hand-written template for the letter kind and language and feeds its blocks to the
builder. Other reports (contract review, statistics) use the builder directly. Every
document is PDF/A-2b (``app.pdf.archival``).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.shapes import String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    HRFlowable,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import TopPadder

from app.domain import labels
from app.domain.codes import LetterKind
from app.domain.iin import iin_sex, is_valid_iin
from app.domain.kk_dates import kk_date_attributive, kk_date_from, kk_date_when
from app.domain.names import passport_name, person_name
from app.domain.persons import sex_from_names
from app.errors import QorgauError, ValidationError
from app.i18n import _, format_amount, format_date, locale_for
from app.letters.context import LETTER_KINDS, Addressee, LetterContext, MissionInfo
from app.letters.fonts import FontSet, register_fonts
from app.letters.grammar import (
    RuCase,
    Sex,
    kk_citizen,
    kk_dative_organisation,
    kk_located,
    kk_suffix,
    ru_dative_organisation,
    ru_full_name,
    with_the,
)
from app.letters.lines import LetterParagraph, field_blocks, request_items
from app.letters.phrases import Claim, claim_text
from app.letters.qr import content_digest, draw_qr, qr_payload
from app.letters.states import state_name, state_name_en_bare
from app.letters.templates import Block, parse_blocks, render_markup
from app.pdf.archival import ArchivalCanvas, artifact

__all__ = [
    "LETTER_KINDS",
    "DocumentBuilder",
    "date_long",
    "date_numeric",
    "initials",
    "kind_label",
    "money_text",
    "render_letter",
    "short_name",
]

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 30 * mm
MARGIN_RIGHT = 15 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 20 * mm
FRAME_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
QR_SIZE = 14 * mm  # with 4 mm below it (printers) and 2 mm quiet zone above

# How a mission refers to itself in running text: (nominative, genitive, dative) per language.
_MISSION_FORMS: dict[str, dict[str, tuple[str, str, str]]] = {
    "embassy": {
        "en": ("Embassy", "Embassy", "Embassy"),
        "ru": ("Посольство", "Посольства", "Посольству"),
        "kk": ("Елшілік", "Елшіліктің", "Елшілікке"),
    },
    "consulate_general": {
        "en": ("Consulate General", "Consulate General", "Consulate General"),
        "ru": ("Генеральное консульство", "Генерального консульства", "Генеральному консульству"),
        "kk": ("Бас консулдық", "Бас консулдықтың", "Бас консулдыққа"),
    },
    "consulate": {
        "en": ("Consulate", "Consulate", "Consulate"),
        "ru": ("Консульство", "Консульства", "Консульству"),
        "kk": ("Консулдық", "Консулдықтың", "Консулдыққа"),
    },
}

_TAG = re.compile(r"<[^>]*>")
_DRAFT_MARK = {"kk": "ЖОБА", "ru": "ПРОЕКТ", "en": "DRAFT"}


def kind_label(kind: str, lang: str) -> str:
    """The name of a letter kind in ``lang`` (kk, ru, en): the register's name for it too."""
    try:
        return labels.letter_kind(LetterKind(kind), lang)
    except ValueError as exc:
        raise ValidationError(
            _("Unknown letter kind: {kind}.").format(kind=kind), field="kind"
        ) from exc


def mission_kind(mission: MissionInfo) -> str:
    """ "embassy", "consulate_general" or "consulate", from the mission's English name."""
    english = mission.text("name", "en").lower()
    if "consulate general" in english or "consulate-general" in english:
        return "consulate_general"
    if "consulate" in english:
        return "consulate"
    return "embassy"


def mission_forms(mission: MissionInfo, lang: str) -> tuple[str, str, str]:
    """The mission's short self-reference (nominative, genitive, dative), from its English name."""
    return _MISSION_FORMS[mission_kind(mission)][lang]


def date_long(value: date, lang: str) -> str:
    """kk "2026 жылғы 24 қараша", ru "24 ноября 2026 г.", en "24 November 2026"."""
    if lang == "kk":
        month = locale_for("kk").months["format"]["wide"][value.month]
        return f"{value.year} жылғы {value.day} {month}"
    if lang == "ru":
        return format_date(value, "d MMMM y 'г.'", "ru")
    return format_date(value, "d MMMM y", "en")


def date_attributive(value: date, lang: str) -> str:
    """A date qualifying a noun: kk "2026 жылғы 15 қарашадағы", ru/en as ``date_long``."""
    if lang == "kk":
        return kk_date_attributive(value)
    return date_long(value, lang)


def date_when(value: date, lang: str) -> str:
    """The day something happened on: kk "2025 жылғы 18 желтоқсанда", ru/en as ``date_long``."""
    if lang == "kk":
        return kk_date_when(value)
    return date_long(value, lang)


def date_from(value: date, lang: str) -> str:
    """The day something holds from: kk "2022 жылғы 20 сәуірден", ru/en as ``date_long``."""
    if lang == "kk":
        return kk_date_from(value)
    return date_long(value, lang)


def date_numeric(value: date) -> str:
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def money_text(amount: Decimal, currency: str, lang: str) -> str:
    """``4 500 000 KRW``, ``2 500 000 теңге``: see ``app.i18n.format_amount``."""
    return format_amount(amount, currency, lang)


def initials(name: str) -> str:
    """ "Нұрлан Серікұлы Әбдірахманов" -> "Н.С.Ә."."""
    return "".join(f"{part[0]}." for part in name.split() if part)


def short_name(name: str) -> str:
    """Signature form "Н.С. Әбдірахманов" from "Given [Patronymic] Surname"."""
    parts = name.split()
    if len(parts) < 2:
        return name.strip()
    return f"{initials(' '.join(parts[:-1]))}\u00a0{parts[-1]}"


# Every style but the body's: how it differs from the body (none has the body's first-line
# indent). A "font" names a face of the FontSet (serif_bold, sans), resolved in _styles.
_DERIVED_STYLES: dict[str, dict[str, Any]] = {
    "plain": {"alignment": TA_LEFT},
    "lead": {"alignment": TA_JUSTIFY, "spaceAfter": 8},
    "lh_name": {
        "font": "serif_bold",
        "fontSize": 13,
        "leading": 16.5,
        "alignment": TA_CENTER,
        "spaceAfter": 2,
    },
    "lh_contact": {
        "font": "sans",
        "fontSize": 8.5,
        "leading": 10.5,
        "alignment": TA_CENTER,
        "spaceAfter": 0,
        "textColor": colors.HexColor("#333333"),
    },
    "reg": {"fontSize": 10.5, "leading": 13, "alignment": TA_LEFT},
    "to": {"alignment": TA_LEFT, "spaceAfter": 0},
    "title": {
        "font": "serif_bold",
        "fontSize": 13,
        "leading": 17,
        "alignment": TA_CENTER,
        "spaceBefore": 10,
        "spaceAfter": 8,
    },
    "subject": {"font": "serif_bold", "alignment": TA_LEFT, "spaceBefore": 10, "spaceAfter": 8},
    "heading": {
        "font": "serif_bold",
        "alignment": TA_LEFT,
        "spaceBefore": 8,
        "spaceAfter": 4,
        "keepWithNext": 1,
    },
    "salutation": {"alignment": TA_CENTER, "spaceBefore": 4, "spaceAfter": 8},
    # «С уважением,» / "Yours faithfully,": goes with the signature after it (``row``).
    "closing": {"alignment": TA_LEFT, "spaceBefore": 6, "spaceAfter": 0, "keepWithNext": 1},
    "item": {"leftIndent": 8 * mm, "bulletIndent": 3 * mm},
    "cite": {"fontSize": 11, "leading": 14, "leftIndent": 8 * mm, "bulletIndent": 3 * mm},
    # An enclosure note, like a closing, goes with the signature and the paragraph before.
    "attach": {
        "fontSize": 11,
        "leading": 14,
        "alignment": TA_LEFT,
        "spaceBefore": 6,
        "keepWithNext": 1,
    },
    # A note's place and date: goes with the seal place after it and so, through the seal
    # row, with the closing compliment before it (never those two alone on a last page).
    "right": {"alignment": TA_RIGHT, "keepWithNext": 1},
    "sign": {"alignment": TA_LEFT, "spaceAfter": 0},
    "sign_right": {"alignment": TA_RIGHT, "spaceAfter": 0},
    "small": {
        "font": "sans",
        "fontSize": 8.5,
        "leading": 10.5,
        "alignment": TA_LEFT,
        "spaceAfter": 0,
    },
    "cell": {"fontSize": 10, "leading": 12.5, "alignment": TA_LEFT, "spaceAfter": 0},
    "cell_head": {
        "font": "serif_bold",
        "fontSize": 10,
        "leading": 12.5,
        "alignment": TA_LEFT,
        "spaceAfter": 0,
    },
    # The headings of a table of many columns whose words do not fit at 10 pt (Russian).
    "cell_head_small": {
        "font": "serif_bold",
        "fontSize": 8.5,
        "leading": 10.5,
        "alignment": TA_LEFT,
        "spaceAfter": 0,
    },
}


def _styles(fonts: FontSet) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body",
        fontName=fonts.serif,
        bulletFontName=fonts.serif,
        fontSize=12,
        leading=15.5,
        alignment=TA_JUSTIFY,
        firstLineIndent=12.5 * mm,
        spaceAfter=4,
        splitLongWords=True,
        allowWidows=0,
        allowOrphans=0,
    )
    styles = {"body": body}
    for name, changes in _DERIVED_STYLES.items():
        changes = dict(changes)
        if "font" in changes:
            changes["fontName"] = getattr(fonts, changes.pop("font"))
        styles[name] = ParagraphStyle(name, parent=body, firstLineIndent=0, **changes)
    return styles


# Row styles: (column fractions of the frame, style of each cell, vertical alignment).
_ROWS: dict[str, tuple[tuple[float, ...], tuple[str, ...], str]] = {
    "head": ((0.46, 0.54), ("reg", "to"), "TOP"),
    "sign": ((0.6, 0.4), ("sign", "sign_right"), "BOTTOM"),
    "seal": ((0.5, 0.5), ("sign", "sign_right"), "BOTTOM"),
}


# Lines of the letter's text that go over to a page with the signature (not counting a
# closing formula or an enclosure note, which are not text).
MIN_LINES_WITH_SIGNATURE = 2


def _line_count(item: Flowable) -> int:
    """Lines of a paragraph at the frame's width; any other flowable counts as enough."""
    if not isinstance(item, Paragraph):
        return MIN_LINES_WITH_SIGNATURE
    probe = Paragraph(item.text, item.style)  # wrapping the one in the story changes its frags
    probe.wrap(FRAME_WIDTH, PAGE_HEIGHT)
    return len(probe.blPara.lines)


class _WholeBlock(Table):
    """A table that never splits: the frame moves it whole to the next page instead.

    (TopPadder around KeepTogether breaks when KeepTogether splits into a frame break.)
    """

    def __init__(self, rows: list[list[Flowable]], font_name: str) -> None:
        super().__init__(rows, colWidths=[FRAME_WIDTH])
        self.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font_name),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return []


class _Pinned(Flowable):
    """The signature (with the paragraph before it) on top, the executor at the page's foot.

    Takes the rest of the page; never splits, so when it does not fit the frame moves all of
    it, signature and last paragraph included, to the next page.
    """

    def __init__(self, top: list[Flowable], bottom: Flowable) -> None:
        super().__init__()
        self.top = top
        self.bottom = bottom
        self._sizes: list[float] = []
        self._bottom_height = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._sizes = []
        for item in self.top:
            _, height = item.wrap(availWidth, availHeight)
            self._sizes.append(height + item.getSpaceBefore() + item.getSpaceAfter())
        _, self._bottom_height = self.bottom.wrap(availWidth, availHeight)
        need = sum(self._sizes) + 6 * mm + self._bottom_height
        self.width = availWidth
        self.height = max(need, availHeight) if need <= availHeight else need
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self.wrap(availWidth, availHeight)
        if self.height > PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM:
            # Longer than a page: let the pieces flow as they would without pinning.
            return [*self.top, Spacer(1, 6 * mm), TopPadder(self.bottom)]
        return []

    def draw(self) -> None:
        y = self.height
        for item, size in zip(self.top, self._sizes, strict=True):
            y -= item.getSpaceBefore()
            _, height = item.wrap(self.width, self.height)
            item.drawOn(self.canv, 0, y - height)
            y -= size - item.getSpaceBefore()
        self.bottom.drawOn(self.canv, 0, 0)


CELL_CHUNK = 1500  # characters of a table cell kept in one row of the PDF's table


def cell_chunks(text: str) -> list[str]:
    """A cell's plain text in pieces of at most about ``CELL_CHUNK`` characters, cut at line
    ends, else at a space: each piece becomes a row of its own (``DocumentBuilder.table``)."""
    chunks: list[str] = []
    lines: list[str] = []
    size = 0
    for line in text.split("\n"):
        while len(line) > CELL_CHUNK:
            cut = line.rfind(" ", CELL_CHUNK // 2, CELL_CHUNK)
            cut = cut if cut > 0 else CELL_CHUNK
            if lines:
                chunks.append("\n".join(lines))
                lines, size = [], 0
            chunks.append(line[:cut])
            line = line[cut:].lstrip(" ")
        if lines and size + len(line) >= CELL_CHUNK:
            chunks.append("\n".join(lines))
            lines, size = [], 0
        lines.append(line)
        size += len(line) + 1
    chunks.append("\n".join(lines))
    return chunks


class PrintedPdf(bytes):
    """A PDF's bytes, with the characters its fonts have no glyph for: reportlab prints them
    as nothing, so a name typed in Hangul or Arabic would leave a silent gap."""

    left_out: tuple[str, ...] = ()

    @classmethod
    def of(cls, data: bytes, left_out: set[str]) -> PrintedPdf:
        pdf = cls(data)
        pdf.left_out = tuple(sorted(left_out))
        return pdf

    def warning(self) -> str:
        """What the reader of the PDF will miss, said to the person who saves it ("" if
        nothing)."""
        if not self.left_out:
            return ""
        return _(
            "The PDF leaves out characters its fonts cannot print: {characters}. Where they "
            "matter (a name typed in Hangul or Arabic), write them in Latin or Cyrillic letters."
        ).format(
            characters=" ".join(self.left_out[:12]) + (" …" if len(self.left_out) > 12 else "")
        )


@lru_cache(maxsize=16)
def _glyphs(font_name: str) -> frozenset[int] | None:
    face = getattr(pdfmetrics.getFont(font_name), "face", None)
    glyphs = getattr(face, "charToGlyph", None)
    return frozenset(glyphs) if glyphs is not None else None  # None: a built-in Type 1 font


def _missing(text: str, font_name: str, into: set[str]) -> None:
    glyphs = _glyphs(font_name)
    if glyphs is None or not text:
        return
    for char in set(text):
        # Spaces and format characters print as space or nothing by design.
        if ord(char) not in glyphs and not char.isspace() and unicodedata.category(char)[0] != "C":
            into.add(char)


def left_out_characters(flowables: Iterable[object], font_name: str) -> set[str]:
    """The characters in ``flowables`` (paragraphs, tables, drawings, and what holds them)
    that the font each is set in cannot draw; a plain table cell is in ``font_name``."""
    found: set[str] = set()
    pending: list[object] = list(flowables)
    while pending:
        item = pending.pop()
        if isinstance(item, Paragraph):
            for frag in item.frags:
                _missing(getattr(frag, "text", "") or "", frag.fontName, found)
            if item.bulletText:
                _missing(str(item.bulletText), item.style.bulletFontName, found)
        elif isinstance(item, str):
            _missing(item, font_name, found)
        elif isinstance(item, Table):
            pending.extend(cell for row in item._cellvalues for cell in row)
        elif isinstance(item, String):
            _missing(item.text, item.fontName, found)
        elif isinstance(item, list | tuple):
            pending.extend(item)
        else:  # KeepTogether and the like hold flowables; drawings and groups, shapes
            for attribute in ("_content", "contents"):
                held = getattr(item, attribute, None)
                if isinstance(held, list | tuple | Flowable):
                    pending.append(held)
    return found


def fitted_widths(widths: Sequence[float], room: float = FRAME_WIDTH) -> list[float]:
    """Column widths that fit the frame: ones adding up to more are scaled down in proportion
    (a table given 170 mm of the frame's 165 stood 2.5 mm past both margins, reportlab
    centring what does not fit)."""
    total = sum(widths)
    if total <= room:
        return list(widths)
    return [width * room / total for width in widths]


def _cell(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def ruled_table(
    rows: Sequence[Sequence[Paragraph | str]],
    widths: Sequence[float] | None,
    *,
    header: bool,
    font: str,
    extra: Sequence[tuple[Any, ...]] = (),
    ends: Sequence[int] | None = None,
) -> Table:
    """A table ruled all round with its cells top-aligned; a ``header`` row is shaded and
    repeated on each page; ``extra`` are more style commands. ``ends``: the last table row of
    each row as given, when a long one is in several (``DocumentBuilder.table``): ruled as
    one, no gap between its pieces; by default every table row stands alone."""
    first = 0 if ends is None or not ends else ends[0]  # the header's last table row
    black = colors.black
    table = Table(rows, colWidths=widths, repeatRows=first + 1 if header else 0)
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if ends is None:
        commands.append(("GRID", (0, 0), (-1, -1), 0.5, black))
    else:
        last = set(ends)
        commands += [
            ("BOX", (0, 0), (-1, -1), 0.5, black),
            ("LINEAFTER", (0, 0), (-2, -1), 0.5, black),
            *(("LINEBELOW", (0, end), (-1, end), 0.5, black) for end in ends[:-1]),
            *(("TOPPADDING", (0, r), (-1, r), 0) for r in range(1, len(rows)) if r - 1 not in last),
        ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, first), colors.HexColor("#EEEEEE")))
    table.setStyle(TableStyle([*commands, *extra]))
    return table


class DocumentBuilder:
    """Collects flowables for one A4 document and builds the PDF bytes.

    Text given to ``heading``, ``paragraph`` and ``table`` is plain and escaped here;
    ``markup`` takes reportlab paragraph markup that the caller has already escaped.
    """

    def __init__(
        self,
        lang: str,
        mission: MissionInfo | None,
        title: str,
        *,
        subject: str = "",
        draft: bool = False,
        qr_text: str | None = None,
        font_dir: Path | None = None,
    ) -> None:
        self.lang = lang
        self.mission = mission
        self.title = title
        self.subject = subject
        self.draft = draft
        self.qr_text = qr_text
        self.fonts = register_fonts(font_dir)
        self.styles = _styles(self.fonts)
        self.story: list[Flowable] = []
        self._bottom: list[Flowable] = []
        self._first_bottom: Paragraph | None = None
        if mission is not None:
            self._letterhead(mission)

    # -- content -----------------------------------------------------------------------

    def heading(self, text: str) -> DocumentBuilder:
        return self.markup(escape(text), "heading")

    def paragraph(self, text: str, style: str = "body") -> DocumentBuilder:
        return self.markup(escape(text).replace("\n", "<br/>"), style)

    def markup(self, markup: str, style: str = "body") -> DocumentBuilder:
        paragraph_style = self._style(style)
        bullet = "\u2022" if style in {"item", "cite"} else None
        if bullet is None and _TAG.sub("", markup).rstrip().endswith(":"):
            # A line that announces what follows («…следующие положения:», "We ask you to:")
            # never ends a page with what it announces on the next.
            paragraph_style = self._kept_with_next(paragraph_style)
        self.story.append(LetterParagraph(markup, paragraph_style, bulletText=bullet))
        return self

    def row(self, cells: Sequence[str], style: str) -> DocumentBuilder:
        """A borderless row of markup cells laid out by a row style (head, sign, seal)."""
        if style not in _ROWS:
            raise QorgauError(_("Unknown row style: {style}.").format(style=style))
        fractions, cell_styles, valign = _ROWS[style]
        flowables = [
            Paragraph(cell, self.styles[cell_styles[index]])
            for index, cell in enumerate(cells[: len(fractions)])
        ]
        table = Table([flowables], colWidths=[FRAME_WIDTH * f for f in fractions[: len(flowables)]])
        table.setStyle(
            TableStyle(
                [
                    # cells are Paragraphs, but the table still sets its own (Helvetica) font
                    ("FONTNAME", (0, 0), (-1, -1), self.fonts.serif),
                    ("VALIGN", (0, 0), (-1, -1), valign),
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 0),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ]
            )
        )
        table.spaceBefore = 14 if style in {"sign", "seal"} else 0
        table.spaceAfter = 6
        if style in {"sign", "seal"}:
            # A signature never stands alone on a page: it keeps the preceding paragraph, and
            # through a closing («С уважением,») or an enclosure note the text's last one;
            # when that is one line («Рассчитываем на урегулирование…»), the one before too,
            # so that a page never opens with one line of text and a signature.
            previous: list[Flowable] = []
            text_lines = 0
            while self.story and text_lines < MIN_LINES_WITH_SIGNATURE:
                previous.insert(0, self.story.pop())
                if not previous[0].getKeepWithNext():
                    text_lines += _line_count(previous[0])
            self.story.append(KeepTogether([*previous, table]))
        else:
            self.story.append(table)
        return self

    def table(
        self,
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float] | None = None,
        header: bool = True,
        head_style: str = "cell_head",
    ) -> DocumentBuilder:
        """A ruled table of plain-text cells; ``col_widths`` in millimetres, scaled down to
        the frame when they add up to more (``fitted_widths``); the first row in
        ``head_style`` when ``header``."""
        if not rows:
            return self
        # A cell longer than a page would fail the whole document (a row taller than a page:
        # LayoutError), and one split page by page is wrapped again each time (33 s for a
        # 199,000-character description): a long row goes in as several rows, one piece of
        # each cell per row, ruled as one (``ruled_table``); reportlab splits a table between
        # rows cheaply.
        data: list[list[Paragraph | str]] = []
        ends: list[int] = []  # the last row of each row given
        for i, row in enumerate(rows):
            style = self.styles[head_style if header and i == 0 else "cell"]
            pieces = [cell_chunks(str(cell)) for cell in row]
            for k in range(max(len(p) for p in pieces)):
                data.append([_cell(p[k], style) if k < len(p) else "" for p in pieces])
            ends.append(len(data) - 1)
        widths = fitted_widths([w * mm for w in col_widths]) if col_widths else None
        table = ruled_table(data, widths, header=header, font=self.fonts.serif, ends=ends)
        table.spaceBefore = 4
        table.spaceAfter = 8
        self.story.append(table)
        return self

    def image(self, source: bytes | Path, width_mm: float) -> DocumentBuilder:
        """A PNG or JPEG (needs Pillow for anything but what reportlab reads natively)."""
        handle: Any = io.BytesIO(source) if isinstance(source, bytes) else str(source)
        picture = Image(handle)
        ratio = picture.imageHeight / picture.imageWidth
        picture.drawWidth = width_mm * mm
        picture.drawHeight = width_mm * mm * ratio
        self.story.append(picture)
        return self

    def spacer(self, height_mm: float) -> DocumentBuilder:
        self.story.append(Spacer(1, height_mm * mm))
        return self

    def at_bottom(self, markup: str, style: str = "small") -> DocumentBuilder:
        """Markup kept together at the bottom of the last page (executor, phone)."""
        self._bottom.append(Paragraph(markup, self._style(style)))
        return self

    def first_page_bottom(self, markup: str, style: str = "plain") -> DocumentBuilder:
        """Markup at the bottom left of page 1 whatever the length (a note's addressee)."""
        self._first_bottom = Paragraph(markup, self._style(style))
        return self

    def flowable(self, item: Flowable) -> DocumentBuilder:
        self.story.append(item)
        return self

    # -- output ------------------------------------------------------------------------

    def build(self) -> PrintedPdf:
        held = [*self.story, *self._bottom, self._first_bottom]
        left_out = left_out_characters([f for f in held if f is not None], self.fonts.serif)
        buffer = io.BytesIO()
        document = BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN_LEFT,
            rightMargin=MARGIN_RIGHT,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            title=self.title,
            author=self.mission.text("name", self.lang) if self.mission else "Qorgau",
            subject=self.subject,
            creator="Qorgau",
            producer="Qorgau (reportlab)",
            lang=self.lang,
            # The canvas would otherwise start with an unembedded Helvetica; naming our font
            # here keeps every font in the file embedded without touching rl_config.
            initialFontName=self.fonts.serif,
            initialFontSize=12,
        )
        reserved = 0.0
        if self._first_bottom is not None:
            _, height = self._first_bottom.wrap(FRAME_WIDTH * 0.6, PAGE_HEIGHT)
            reserved = height + 8 * mm
        frame_height = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
        # No padding (reportlab's default is 6 pt a side): the text keeps the margins above, and
        # rows and tables laid out at FRAME_WIDTH end where the paragraphs end.
        unpadded = {f"{side}Padding": 0 for side in ("left", "right", "top", "bottom")}
        first = Frame(
            MARGIN_LEFT,
            MARGIN_BOTTOM + reserved,
            FRAME_WIDTH,
            frame_height - reserved,
            id="first",
            **unpadded,
        )
        later = Frame(MARGIN_LEFT, MARGIN_BOTTOM, FRAME_WIDTH, frame_height, id="later", **unpadded)
        document.addPageTemplates(
            [
                PageTemplate(
                    "first", [first], onPage=self._first_page, autoNextPageTemplate="later"
                ),
                PageTemplate("later", [later], onPage=self._later_page),
            ]
        )
        story = list(self.story)
        if self._bottom:
            story.append(Spacer(1, 6 * mm))
            executor = _WholeBlock([[item] for item in self._bottom], self.fonts.sans)
            # The signature (with the paragraph before it and a seal place after it) travels
            # with the executor block: a page never holds the executor alone.
            base = max(0, len(story) - 4)
            signed = [i for i in range(base, len(story) - 1) if isinstance(story[i], KeepTogether)]
            if signed:
                start = signed[-1]
                # A heading kept with what follows comes in too: glued to a block that takes
                # the rest of the page, it moved both to a second page (a report whose last
                # section is one line left its first page half empty).
                headed = start
                while headed > 0 and story[headed - 1].getKeepWithNext():
                    headed -= 1
                top = [*story[headed:start], *story[start]._content, *story[start + 1 : -1]]
                del story[headed:]
                story.append(_Pinned(top, executor))
            else:
                story.append(TopPadder(executor))
        document.build(story, canvasmaker=ArchivalCanvas)
        return PrintedPdf.of(buffer.getvalue(), left_out)

    # -- internals ---------------------------------------------------------------------

    def _kept_with_next(self, style: ParagraphStyle) -> ParagraphStyle:
        if getattr(style, "keepWithNext", 0):
            return style
        name = f"{style.name}+next"
        if name not in self.styles:
            self.styles[name] = ParagraphStyle(name, parent=style, keepWithNext=1)
        return self.styles[name]

    def _style(self, name: str) -> ParagraphStyle:
        try:
            return self.styles[name]
        except KeyError as exc:
            raise QorgauError(_("Unknown paragraph style: {style}.").format(style=name)) from exc

    def _letterhead(self, mission: MissionInfo) -> None:
        name = escape(mission.text("name", self.lang)).replace("\n", "<br/>")
        contact = " · ".join(
            escape(part)
            for part in (
                mission.text("address", self.lang),
                f"{_PHONE[self.lang]} {mission.phone}" if mission.phone else "",
                f"e-mail: {mission.email}" if mission.email else "",
            )
            if part
        )
        self.story.append(Paragraph(name, self.styles["lh_name"]))
        self.story.append(Paragraph(contact, self.styles["lh_contact"]))
        self.story.append(
            HRFlowable(width="100%", thickness=1.2, color=colors.black, spaceBefore=4, spaceAfter=1)
        )
        self.story.append(
            HRFlowable(
                width="100%", thickness=0.4, color=colors.black, spaceBefore=0, spaceAfter=10
            )
        )

    def _decorate(self, canvas: Canvas) -> None:
        if self.draft:
            # An artifact with no text of its own: the mark's letters never land in the
            # middle of the extracted text of the letter.
            with artifact(canvas):
                canvas.saveState()
                canvas.setFillColor(colors.Color(0.55, 0.55, 0.55, alpha=0.3))
                canvas.setFont(self.fonts.sans_bold, 96)
                canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
                canvas.rotate(45)
                canvas.drawCentredString(0, -30, _DRAFT_MARK.get(self.lang, "DRAFT"))
                canvas.restoreState()

    def _first_page(self, canvas: Canvas, _document: Any) -> None:
        self._decorate(canvas)
        if self._first_bottom is not None:
            width, height = self._first_bottom.wrap(FRAME_WIDTH * 0.6, PAGE_HEIGHT)
            self._first_bottom.drawOn(canvas, MARGIN_LEFT, MARGIN_BOTTOM)
        if self.qr_text:
            draw_qr(
                canvas,
                self.qr_text,
                PAGE_WIDTH - MARGIN_RIGHT - QR_SIZE,
                4 * mm,
                QR_SIZE,
            )

    def _later_page(self, canvas: Canvas, document: Any) -> None:
        self._decorate(canvas)
        canvas.saveState()
        canvas.setFont(self.fonts.serif, 11)
        canvas.drawCentredString(
            MARGIN_LEFT + FRAME_WIDTH / 2, PAGE_HEIGHT - 12 * mm, str(document.page)
        )
        canvas.restoreState()


_PHONE = {"kk": "тел.", "ru": "тел.", "en": "tel."}


# Who a letter's person is, per kind: letters abroad name the person also in Latin letters
# (as the passport has it); identity numbers go only where the addressee needs them.
ABROAD = frozenset(
    {"note_verbale_labour_authority", "employer_letter", "referral", "assistance_certificate"}
)
_TO_KAZAKHSTAN = {"agency_report", "hq_case_report"}
_RU_CITIZEN = {
    "male": {"nom": "гражданин", "gen": "гражданина", "dat": "гражданину", "acc": "гражданина",
             "ins": "гражданином", "pre": "гражданине"},
    "female": {"nom": "гражданка", "gen": "гражданки", "dat": "гражданке", "acc": "гражданку",
               "ins": "гражданкой", "pre": "гражданке"},
}  # fmt: skip
_NBSP = "\u00a0"
# Where a line must not break: after №/No./ст./п./art., before г./жж., between a number and
# the word it counts or the month it dates, between initials and a surname.
_TYPOGRAPHY = (
    (re.compile(r"(№|No\.|ст\.|п\.|пп\.|art\.|Art\.|para\.|тел\.|tel\.) "), r"\1" + _NBSP),
    (re.compile(r"(\d) (г\.|гг\.|жылғы|жылы|жыл)"), r"\1" + _NBSP + r"\2"),
    (re.compile(r"(\d) (?=[^\W\d_])"), r"\1" + _NBSP),
    (re.compile(r"(?<=\b\w\.) (?=\w\.)"), _NBSP),
    (re.compile(r"(?<=[A-ZА-ЯӘҒҚҢӨҰҮҺІЁ]\.) (?=[A-ZА-ЯӘҒҚҢӨҰҮҺІЁ][a-zа-яәғқңөұүһіё])"), _NBSP),
    # A Russian one-letter preposition or conjunction («в», «с», «и») never ends a line: it
    # goes to the next with its word. (Kazakh has no such words; English leaves them.)
    (re.compile(r"(?<![\w\-])([вскоуиаяВСКОУИАЯ]) (?=\S)"), r"\1" + _NBSP),
    # An ampersand in a name («Kim & Sons») never ends a line: it goes to the next with the
    # word it joins (the markup is escaped: "&amp;").
    (re.compile(r"(&amp;) (?=\S)"), r"\1" + _NBSP),
)


# An international phone number, «+82 10 6323 4741»: one unit, never broken across lines.
_PHONE_NUMBER = re.compile(r"\+\d[\d \u00a0]*\d")


def typeset(markup: str) -> str:
    """Non-breaking spaces where a line must not break (text only; tags have no such spaces)."""
    for pattern, replacement in _TYPOGRAPHY:
        markup = pattern.sub(replacement, markup)
    return _PHONE_NUMBER.sub(lambda number: number[0].replace(" ", _NBSP), markup)


def person_sex(context: LetterContext) -> Sex | None:
    """The sex recorded, else the IIN's, else what the names say («Ахметова», «Серікқызы»);
    None when nothing does: the letter then words it without he or she, never guessing."""
    person = context.person
    if person.sex in ("female", "male"):
        return person.sex  # type: ignore[return-value]
    if person.iin and is_valid_iin(person.iin):
        return iin_sex(person.iin)
    return sex_from_names(person.surname, person.patronymic)


def _identity(context: LetterContext) -> str:
    """ ", 15.03.1994 г. р., паспорт № N1234567" — only what this addressee needs."""
    lang, person = context.lang, context.person
    if not context.share_identity:
        return ""
    parts: list[str] = []
    if person.birth_date:
        parts.append(
            {
                "ru": f"{date_numeric(person.birth_date)} г.{_NBSP}р.",
                "kk": f"{kk_date_when(person.birth_date)} туған",
                # Not 01.07.1996: a reader in the United States takes it for 7 January.
                "en": f"born {date_long(person.birth_date, 'en')}",
            }[lang]
        )
    if person.passport_no:
        parts.append(
            {"ru": "паспорт № ", "kk": "паспорты № ", "en": "passport No. "}[lang]
            + person.passport_no
        )
    if person.iin and context.kind in _TO_KAZAKHSTAN:
        parts.append({"ru": "ИИН ", "kk": "ЖСН ", "en": "IIN "}[lang] + person.iin)
    return "".join(f", {part}" for part in parts)


# What a draft prints where it names no organisation to address: the preview shows the gap
# rather than a broken sentence («уважение и, ссылаясь…»). Approval refuses such a letter,
# so no issued one prints it.
# (Hard spaces: the mark is never split between lines.)
NO_ADDRESSEE = {
    "kk": "[адресат\u00a0көрсетілмеген]",
    "ru": "[адресат\u00a0не\u00a0указан]",
    "en": "[addressee\u00a0not\u00a0given]",
}


def addressee_dative(context: LetterContext) -> str:
    """The addressee in full in the dative (ru, kk); in English the name as it stands."""
    addressee, lang = context.addressee, context.lang
    if addressee.organisation_dative:
        return addressee.organisation_dative
    if not addressee.organisation.strip():
        return NO_ADDRESSEE[lang] if context.is_draft else ""
    if lang == "ru":
        return ru_dative_organisation(addressee.organisation) or addressee.organisation
    if lang == "kk":
        return kk_dative_organisation(addressee.organisation)
    return with_the(addressee.organisation)


def addressee_lines(addressee: Addressee, *, whole: bool = True) -> list[str]:
    """The addressee block's lines: position, name (``whole``), organisation and each line of
    the address, leaving out what is blank so that no empty line prints for it."""
    parts = [addressee.position or "", addressee.name] if whole else []
    parts += [addressee.organisation, *addressee.address.splitlines()]
    return [part.strip() for part in parts if part.strip()]


def addressee_block(context: LetterContext) -> list[str]:
    """The addressee block at the head. A draft that names no organisation to go to (an
    employer letter on a case with no employer) shows the gap there, where it was blank and
    the letter read as finished; approval refuses it. A certificate may go to no one."""
    lines = addressee_lines(context.addressee)
    missing = not context.addressee.organisation.strip()
    if missing and context.is_draft and context.kind != "assistance_certificate":
        lines.append(NO_ADDRESSEE[context.lang])
    return lines


def closing_dative(context: LetterContext) -> str:
    """Who the closing formula renews its assurances to: «Министерству» / «Министрлікке»."""
    organisation = context.addressee.organisation
    if context.lang == "ru" and organisation.startswith("Министерств"):
        return "Министерству"
    if context.lang == "ru" and organisation.startswith("Отделение"):
        return "Отделению"
    if context.lang == "ru" and organisation.startswith("Представительство"):
        return "Представительству"  # the Russian MFA's office in a region, a proper name
    if context.lang == "kk" and organisation.endswith("министрлігі"):
        return "Министрлікке"
    if context.lang == "kk" and organisation.endswith("өкілдігі"):
        return "Өкілдікке"
    if context.lang == "en" and "Representation Office" in organisation:
        return "the Representation Office"
    if context.lang == "en" and organisation.startswith("Representative Office"):
        return "the Representative Office"
    if context.lang == "en" and "Ministry" in organisation:
        return "the Ministry"
    return addressee_dative(context)


def _incoming(context: LetterContext) -> dict[str, str] | None:
    """The letter being answered, its date in every form the templates use."""
    if context.incoming_ref is None:
        return None
    number, when = context.incoming_ref
    return {
        "number": number,
        "date_numeric": date_numeric(when),
        "date_long": date_long(when, context.lang),
        "date_attr": date_attributive(when, context.lang),
    }


def _claims(context: LetterContext) -> list[str]:
    """The claims listed; an old context with only an amount owed claims it as wages."""
    claims = list(context.claims)
    if not claims and context.amount_owed:
        amount, currency = context.amount_owed
        money = money_text(amount, currency, context.lang)
        claims = [claim_text(Claim(amount, currency, "wages"), context.lang, money, date_numeric)]
    return claims


def _person_phrases(context: LetterContext) -> dict[str, Any]:
    """How the templates name the person: in each case, with identity, agreeing in sex."""
    lang = context.lang
    sex = person_sex(context)
    person = context.person
    latin = person_name(person, "en")
    abroad = context.kind in ABROAD
    identity = _identity(context)
    # Abroad, the passport's spelling in brackets: the reader there (an employer's payroll, a
    # ministry's register) knows the worker only by it. Parts not on file are spelled as a
    # Kazakh passport would, and the approver is told (LetterService warnings).
    passport = passport_name(person) if abroad else ""
    if passport.casefold().split() == person.full_name.casefold().split():
        passport = ""  # a name on file only as the passport spells it: once is enough

    def name_ru(case: RuCase = "nom") -> str:
        return ru_full_name(person.surname, person.given_names, person.patronymic, sex, case)

    def citizen(case: str = "nom", also: str = "") -> str:
        """The person introduced: «гражданке Республики Казахстан Нұрлановой Айгүл Серікқызы»;
        ``also`` (a phone) joins what identifies the person, in the same brackets in Kazakh,
        never in a second pair after them («(ERLANKYZY AKERKE) (тел. …)»)."""
        if lang == "ru":
            if sex is None:
                # «гражданин» or «гражданка» would tell a sex nothing records: the
                # citizenship goes in the brackets that identify the person.
                inside = [passport] if passport else []
                inside.append("гражданство Республики Казахстан")
                text = f"{name_ru(case)} ({', '.join(inside)})"  # type: ignore[arg-type]
                return text + identity + (f", {also}" if also else "")
            noun = _RU_CITIZEN[sex][case]
            text = f"{noun} Республики Казахстан {name_ru(case)}"  # type: ignore[arg-type]
        elif lang == "kk":
            # A definite object takes the accusative: «…Болатқызын жолдап» (a referral).
            text = (
                kk_citizen(person.full_name, case)  # type: ignore[arg-type]
                if case in ("gen", "acc")
                else f"Қазақстан Республикасының азаматы {person.full_name}"
            )
        else:
            title = {"female": "Ms ", "male": "Mr ", None: ""}[sex]
            text = f"{title}{latin}, a citizen of the Republic of Kazakhstan"
        if lang == "kk":
            # The genitive stays on the name; what identifies the person goes in brackets.
            inside = [passport] if passport else []
            inside += [part for part in identity.split(", ") if part]
            inside += [also] if also else []
            return text + (f" ({', '.join(inside)})" if inside else "")
        if lang != "en" and passport:
            text += f" ({passport})"
        return text + identity + (f", {also}" if also else "")

    def g(male: str, female: str, neither: str | None = None) -> str:
        """The form for the person's sex; ``neither`` where nothing records it ("the worker",
        «обратившегося лица»; "" where the sentence reads as well without the word)."""
        if sex is None:
            if neither is None:
                raise QorgauError(
                    _(
                        "Letter template error: no wording for a person of unknown sex: {male}"
                    ).format(male=male)
                )
            return neither
        return female if sex == "female" else male

    return {
        "g": g,
        "sex_known": sex is not None,
        "citizen": citizen,
        "name_ru": name_ru,
        "name_latin": latin,
        "name_kk_gen": kk_suffix(person.full_name, "gen"),
        "identity": identity,
        # ru: an apposition with identity details is closed by a comma before the verb.
        "id_comma": "," if identity else "",
    }


def _template_variables(context: LetterContext) -> dict[str, Any]:
    lang = context.lang
    short, short_genitive, short_dative = mission_forms(context.mission, lang)
    host = (context.host_country or context.mission.country).upper()
    employer = context.employer
    return {
        "ctx": context,
        **_person_phrases(context),
        "state": lambda iso2, case="nom": state_name(iso2, lang, case),
        "state_located": lambda iso2: kk_located(state_name(iso2, "kk", "loc")),
        "state_bare": lambda iso2: (
            state_name_en_bare(iso2) if lang == "en" else state_name(iso2, lang)
        ),
        "host": host,
        "mission_short": short,
        "mission_short_genitive": short_genitive,
        "mission_short_dative": short_dative,
        "lang": lang,
        "number": context.outgoing_number,
        "mission_name": context.mission.text("name", lang),
        # Who the worker turned to: the mission that transferred the case here, else this one.
        "applied_to": context.transferred_from or context.mission.text("name", lang),
        "applied_to_dative": (
            kk_dative_organisation(context.transferred_from)
            if context.transferred_from
            else short_dative
        ),
        "mission_name_dative": kk_dative_organisation(context.mission.text("name", lang)),
        # Who assists: named in full after another mission has been named, or it is ambiguous.
        "assisting": context.mission.text("name", lang) if context.transferred_from else short,
        "mission_city": context.mission.text("city", lang),
        "addressee_dative": addressee_dative(context),
        "addressee_lines": addressee_block(context),
        "addressee_place": addressee_lines(context.addressee, whole=False),
        "with_the": with_the,
        "quoted": quoted,
        "full_stop": full_stop,
        "minor": is_minor(context.person.birth_date, context.letter_date),
        "closing_dative": closing_dative(context),
        "forward_to_dative": {
            "ru": context.forward_to_dative or context.forward_to,
            "kk": kk_dative_organisation(context.forward_to),
            "en": f"the {context.forward_to}",
        }[lang],
        "employer_name": employer.name if employer else "",
        "employer_state": (employer.country if employer else host).upper(),
        "incoming": _incoming(context),
        "claims": _claims(context),
        "facts_blocks": field_blocks(context.facts),
        "request_items": request_items(context.requests),
        # Laid out as the facts are: a line the officer starts with a dash is a bulleted item.
        "free_blocks": field_blocks(context.free_text),
        # Other kinds: the officer's own request replaces the standard one when given.
        "request_blocks": (
            field_blocks(context.requests) if context.kind != "employer_letter" else []
        ),
        "categories": [lower_first(text, lang) for text in context.case_categories],
        "signatory_short": short_name(context.signatory.name),
        "signatory_initials": initials(context.signatory.name),
        "kind_label": kind_label(context.kind, lang),
    }


_QUOTES = '«»„“”"'
_STRAIGHT_PAIR = re.compile(r'"([^"]*)"')


def quoted(name: str) -> str:
    """An organisation's name in Russian or Kazakh running text: «Ansan Migrant Shelter». One
    with quotes of its own (ООО «Ромашка», ТОО "Алма") takes no second pair around them
    («ООО «Ромашка»»), its straight quotes made «»."""
    if not name:
        return name
    if any(mark in name for mark in _QUOTES):
        return _STRAIGHT_PAIR.sub(r"«\1»", name)
    return f"«{name}»"


def is_minor(birth_date: date | None, on: date) -> bool:
    """Whether a person born on ``birth_date`` is under 18 on ``on`` (False when not known)."""
    if birth_date is None:
        return False
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return age < 18


def full_stop(sentence: str) -> str:
    """The sentence with its closing stop, which an abbreviation's at its end already is: not
    «05.01.1999 г. р..»."""
    sentence = sentence.rstrip()
    return sentence if sentence.endswith(".") else sentence + "."


def lower_first(text: str, lang: str) -> str:
    """A label mid-sentence: «Невыплата зарплаты» → «невыплата зарплаты» (not an acronym)."""
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


def _template_functions(lang: str) -> dict[str, Callable[..., str]]:
    return {
        "date_long": lambda value: date_long(value, lang),
        "date_attr": lambda value: date_attributive(value, lang),
        "date_when": lambda value: date_when(value, lang),
        "date_from": lambda value: date_from(value, lang),
        "date_numeric": date_numeric,
    }


def render_letter(context: LetterContext, *, font_dir: Path | None = None) -> bytes:
    """The letter as PDF bytes; ``letter_hash_for_qr``, when set, must be its content digest."""
    if context.letter_hash_for_qr is not None and context.letter_hash_for_qr != content_digest(
        context
    ):
        raise ValidationError(
            _("The letter's check code does not match its content; render it again."),
            field="letter_hash_for_qr",
        )
    markup = render_markup(
        context.kind, context.lang, _template_variables(context), _template_functions(context.lang)
    )
    builder = DocumentBuilder(
        context.lang,
        context.mission,
        document_title(context),
        subject=kind_label(context.kind, context.lang),
        draft=context.is_draft,
        qr_text=(
            qr_payload(context.outgoing_number, context.letter_hash_for_qr)
            if context.letter_hash_for_qr
            else None
        ),
        font_dir=font_dir,
    )
    _add_blocks(builder, parse_blocks(markup))
    return builder.build()


# How a draft's title stands in the XMP metadata of its PDF (``document_title``).
_DRAFT_TITLE = re.compile(
    r'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">(?:{}) — '.format(
        "|".join(_DRAFT_MARK.values())
    ).encode()
)


def is_draft_pdf(content: bytes) -> bool:
    """Whether ``content`` is a draft Qorgau made (watermarked, without a number)."""
    return _DRAFT_TITLE.search(content) is not None


def document_title(context: LetterContext) -> str:
    """PDF Title: number and kind («№ SEL-2026/0001 — Письмо работодателю»), never a name."""
    number = context.outgoing_number
    prefix = {"kk": "№", "ru": "№", "en": "No."}[context.lang]
    head = f"{prefix}\u00a0{number}" if number else _DRAFT_MARK[context.lang]
    return f"{head} — {kind_label(context.kind, context.lang)}"


def _add_blocks(builder: DocumentBuilder, blocks: list[Block]) -> None:
    for block in blocks:
        cells = tuple(typeset(cell) for cell in block.cells)
        if block.tag == "row":
            builder.row(cells, block.style)
        elif block.style == "bottom":
            builder.at_bottom(cells[0])
        elif block.style == "first_page_bottom":
            builder.first_page_bottom(cells[0])
        else:
            builder.markup(cells[0], block.style)


def render_document(
    lang: str,
    mission: MissionInfo | None,
    title: str,
    build: Callable[[DocumentBuilder], object],
    *,
    subject: str = "",
    font_dir: Path | None = None,
) -> bytes:
    """For reports: ``render_document(lang, mission, title, lambda b: b.table(rows))``."""
    builder = DocumentBuilder(lang, mission, title, subject=subject, font_dir=font_dir)
    build(builder)
    return builder.build()
