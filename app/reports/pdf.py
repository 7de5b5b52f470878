"""The statistical report as PDF, in Kazakh, Russian or English, with its charts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from app.i18n import DOCUMENTS_DOMAIN, LANGUAGES, format_date, format_number, translator
from app.letters import DocumentBuilder, MissionInfo, PrintedPdf
from app.letters.renderer import FRAME_WIDTH, date_long, money_text
from app.letters.states import official_name
from app.reports import charts
from app.reports.disclosure import Coarse
from app.reports.published import published
from app.reports.tables import (
    Month,
    ReportTable,
    indicator_tables,
    key_figures,
    number_text,
    open_text_key,
    selection_lines,
)
from app.reports.texts import (
    WAGES_IN_CASES,
    category_name,
    ilo_name,
    status_name,
    text,
    texts,
)
from app.services.stats import Count, Indicators


def _cells(table: ReportTable, lang: str) -> list[list[str]]:
    def show(value: object) -> str:
        if value is None:
            return "—"
        if isinstance(value, Coarse):
            return _number(value, lang)
        if isinstance(value, Month):
            return value.isoformat()
        if isinstance(value, date):
            return format_date(value, None, lang)
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return number_text(value, lang)
        return str(value)

    return [list(table.headers)] + [[show(cell) for cell in row] for row in table.rows]


def _number(value: int, lang: str) -> str:
    """A count as the reader sees it: a published one as published ("<11"), else in full."""
    if isinstance(value, Coarse) and value.small:
        return value.text
    return format_number(value, lang)


def _drawable(count: int) -> bool:
    """False for a published count under k: it has no true length to draw."""
    return not (isinstance(count, Coarse) and count.small)


def _drawn(counts: Sequence[Count]) -> list[Count]:
    return [c for c in counts if _drawable(c.count)]


def _columns(rows: Sequence[object], *fields: str) -> list[list[int]]:
    """One list of figures per field, across the rows (a chart's series)."""
    return [[getattr(row, field) for row in rows] for field in fields]


# Reportlab's default cell padding, left and right, in points.
_CELL_PADDING = 6


def label_value_widths(builder: DocumentBuilder, rows: Sequence[Sequence[str]]) -> list[float]:
    """The widths (mm) of a two-column table of labels and values: the value column as wide as
    its widest cell needs, at least 45 mm, at most half the frame; the label takes the rest.
    (A fixed 45 mm wrapped «26 400 000 KRW (5 іс бойынша)» over two lines.)"""
    needed = 0.0
    for i, row in enumerate(rows):
        style = builder.styles["cell_head" if i == 0 else "cell"]
        width = stringWidth(row[-1], style.fontName, style.fontSize)
        needed = max(needed, width + 2 * _CELL_PADDING + 1)  # 1 pt: rounding never wraps it
    frame = FRAME_WIDTH / mm
    value = min(max(45.0, needed / mm), frame / 2)
    return [frame - value, value]


# The headings' styles a table of many columns tries, the first whose words all fit.
_HEAD_STYLES = ("cell_head", "cell_head_small")


def whole_word_widths(
    builder: DocumentBuilder, rows: Sequence[Sequence[str]]
) -> tuple[list[float], str]:
    """The widths (mm) of a table of several columns in which no word is broken, and the style
    of its headings: each column at least as wide as its longest word (in a smaller heading
    where the normal one's do not fit), the frame's room left shared out as the cells' whole
    text wants it, then evenly. (Seven equal columns broke the Russian headings into
    «Загрануче|ждение», «Урегулир|овано», the Kazakh into «Жабылға|н».)"""
    for head in _HEAD_STYLES:

        def width(cell: str, row: int, head: str = head) -> float:
            style = builder.styles[head if row == 0 else "cell"]
            return stringWidth(cell, style.fontName, style.fontSize) + 2 * _CELL_PADDING + 1

        columns = range(max(len(row) for row in rows))
        least = [
            max(width(word, r) for r, row in enumerate(rows) for word in row[c].split() or [""])
            for c in columns
        ]
        spare = FRAME_WIDTH - sum(least)
        if spare >= 0:
            break
    else:
        return [w / mm for w in least], head  # scaled down to the frame: words break
    wants = [max(width(row[c], r) for r, row in enumerate(rows)) for c in columns]
    more = [max(w - low, 0.0) for w, low in zip(wants, least, strict=True)]
    share = min(1.0, spare / sum(more)) if sum(more) else 0.0
    widths = [low + extra * share for low, extra in zip(least, more, strict=True)]
    even = (FRAME_WIDTH - sum(widths)) / len(widths)
    return [(w + even) / mm for w in widths], head


def _table(
    builder: DocumentBuilder, table: ReportTable, lang: str, widths: list[float] | None = None
) -> None:
    """A table under its heading; without ``widths``, a label and a value a row."""
    builder.heading(table.title)
    if table.rows:
        cells = _cells(table, lang)
        builder.table(cells, widths or label_value_widths(builder, cells))
    else:
        builder.paragraph(text("no_data", lang), "plain")


def render_stats_report(
    ind: Indicators,
    lang: str,
    mission: MissionInfo | None,
    *,
    hide_names: bool = False,
    prepared_on: date | None = None,
    font_dir: Path | None = None,
) -> PrintedPdf:
    """The report's PDF bytes; ``hide_names`` leaves out every person's name.

    A report is printed to be handed on: its counts are always the published ones
    (``app.reports.published``), whatever ``ind`` holds."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language: {lang}")
    ind = published(ind)
    builder = DocumentBuilder(
        lang, mission, text("title", lang), subject=text("title", lang), font_dir=font_dir
    )
    tables = {t.key: t for t in indicator_tables(ind, lang)}
    _heading_lines(builder, ind, lang, hide_names)
    _table(builder, key_figures(ind, lang), lang)
    _charts(builder, ind, lang)
    _outcomes(builder, ind, lang)
    _table(builder, tables["top_employers"], lang, [95, 45, 25])
    _table(builder, tables["top_agencies"], lang, [95, 45, 25])
    _table(builder, tables["letters_by_kind"], lang, [140, 25])
    _table(builder, tables["reviews_by_risk"], lang, [140, 25])
    _returnees(builder, tables, lang)
    if ind.by_mission:
        _by_mission(builder, ind, lang, tables["by_mission"])
    builder.at_bottom(text("prepared", lang).format(date=date_long(prepared_on or ind.today, lang)))
    return builder.build()


def _heading_lines(builder: DocumentBuilder, ind: Indicators, lang: str, hide_names: bool) -> None:
    """The title, what the figures were selected by, and the date they stand at."""
    builder.paragraph(text("title", lang), "title")
    for line in selection_lines(ind, lang, hide_names):
        builder.paragraph(line, "plain")
    if hide_names:
        builder.paragraph(text("names_hidden", lang), "plain")
    if ind.published_k:
        builder.paragraph(text("small_counts", lang).format(k=ind.published_k), "plain")


def _charts(builder: DocumentBuilder, ind: Indicators, lang: str) -> None:
    """The five charts: monthly trend, open by status, categories, ILO indicators, countries."""
    fonts = builder.fonts
    months = _columns(ind.monthly, "opened", "resolved", "closed")
    builder.heading(text("monthly", lang))
    builder.flowable(
        charts.trend_lines(
            charts.month_names([p.month for p in ind.monthly], lang),
            months,
            texts(lang, "opened_short", "resolved_short", "closed_short"),
            fonts,
            _nothing_drawn([v for line in months for v in line], ind, lang),
        )
    )

    open_by_status = _drawn(ind.open_by_status)
    builder.heading(text("open_by_status", lang))
    builder.flowable(
        charts.vertical_bars(
            [status_name(c.key, lang) for c in open_by_status],
            [[c.count for c in open_by_status]],
            [text("cases", lang)],
            fonts,
            _nothing_drawn([c.count for c in ind.open_by_status], ind, lang),
        )
    )

    used = [c for c in _drawn(ind.categories) if c.count]
    builder.heading(text("categories", lang))
    builder.flowable(
        charts.horizontal_bars(
            [category_name(c.key, lang) for c in used],
            [c.count for c in used],
            fonts,
            _nothing_drawn([c.count for c in ind.categories], ind, lang),
        )
    )

    # Numbered as the ILO numbers them, whichever are drawn.
    numbered = list(enumerate(ind.ilo_indicators, start=1))
    drawn = [(n, c) for n, c in numbered if _drawable(c.count)]
    builder.heading(text("ilo", lang))
    builder.flowable(
        charts.horizontal_bars(
            [f"{n}. {ilo_name(c.key, lang)}" for n, c in drawn],
            [c.count for _n, c in drawn],
            fonts,
            _nothing_drawn([c.count for c in ind.ilo_indicators], ind, lang),
        )
    )

    builder.heading(text("host_countries", lang))
    builder.flowable(
        charts.pie(
            [official_name(c.key, lang) for c in ind.host_countries],
            [c.count for c in ind.host_countries],
            fonts,
            _nothing_drawn([c.count for c in ind.host_countries], ind, lang),
        )
    )


def _nothing_drawn(counts: Sequence[int], ind: Indicators, lang: str) -> str:
    """What a chart says in place of its bars: "No data", unless its counts are there but
    each under k (then saying "No data" would tell a reader there were none)."""
    if any(not _drawable(count) for count in counts):
        return text("all_small", lang).format(k=ind.published_k)
    return text("no_data", lang)


def _outcomes(builder: DocumentBuilder, ind: Indicators, lang: str) -> None:
    """Documents returned, people repatriated and referred, wages recovered per currency."""
    builder.heading(text("outcomes", lang))
    rows = [
        [text("indicator", lang), text("value", lang)],
        [text("documents_returned", lang), _number(ind.documents_returned, lang)],
        [text("repatriated", lang), _number(ind.repatriated, lang)],
        [text("referred", lang), _number(ind.referred, lang)],
    ] + [
        [
            text("wages_recovered", lang),
            translator(DOCUMENTS_DOMAIN, lang)
            .ngettext(*WAGES_IN_CASES, m.cases)
            .format(amount=money_text(m.amount, m.currency, lang), n=_number(m.cases, lang)),
        ]
        for m in ind.wages_recovered
    ]
    builder.table(rows, label_value_widths(builder, rows))


def _returnees(builder: DocumentBuilder, tables: dict[str, ReportTable], lang: str) -> None:
    """Who came home in the period and the help they want, then by occupation, country of
    work and region of return (an empty breakdown says "No data" under its heading)."""
    _table(builder, tables["returnees"], lang)
    for key in ("returnees_by_occupation", "returnees_by_country", "returnees_by_region"):
        _table(builder, tables[key], lang, [105, 30, 30])


def _by_mission(builder: DocumentBuilder, ind: Indicators, lang: str, table: ReportTable) -> None:
    """HQ's chart and table of the figures per mission."""
    builder.heading(text("by_mission", lang))
    builder.flowable(
        charts.vertical_bars(
            [m.mission for m in ind.by_mission],
            _columns(ind.by_mission, "opened", "resolved", "open_now"),
            texts(lang, "opened_short", "resolved_short", open_text_key(ind)),
            builder.fonts,
            _nothing_drawn([n for m in ind.by_mission for n in (m.opened, m.resolved)], ind, lang),
        )
    )
    cells = _cells(table, lang)
    widths, head = whole_word_widths(builder, cells)
    builder.table(cells, widths, head_style=head)
