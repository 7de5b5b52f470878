"""Charts for the PDF report, drawn with reportlab.graphics (vector, fonts embedded).

Each function returns a ``Drawing`` sized for the A4 frame of ``DocumentBuilder``; a
``Drawing`` is a flowable, so the builder places it like a paragraph.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm

from app.i18n import current_language, format_date
from app.letters.fonts import FontSet

WIDTH = 165 * mm
PALETTE = (
    colors.HexColor("#1F6FB2"),
    colors.HexColor("#E08A1E"),
    colors.HexColor("#3A9D5D"),
    colors.HexColor("#C8453B"),
    colors.HexColor("#7D5BA6"),
    colors.HexColor("#8C6D46"),
    colors.HexColor("#D16BA5"),
    colors.HexColor("#6E7F80"),
    colors.HexColor("#B5A33A"),
    colors.HexColor("#2BA3B5"),
    colors.HexColor("#444444"),
)
MAX_LABEL = 48  # characters of 7.5 pt beside a bar, under a column
MAX_LEGEND = 64  # a legend has the width right of the pie


def _short(label: str, limit: int = MAX_LABEL) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _two_lines(label: str) -> str:
    """A long bar label on two lines, broken at the last space that lets the first fit: an
    indicator's name («Жеке басты куәландыратын құжаттарды ұстап қалу») was cut short."""
    if len(label) <= MAX_LABEL:
        return label
    space = label.rfind(" ", 0, MAX_LABEL + 1)
    if space <= 0:
        return _short(label)
    return f"{label[:space]}\n{_short(label[space + 1 :])}"


def _step(top: int) -> int:
    """A round value step giving about five grid lines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if top / step <= 6:
            return step
    return max(1, top // 5)


def count_axis(top: int) -> tuple[int, int]:
    """The end and the step of an axis of counts whose largest is ``top``: whole steps, the end
    the first step a tenth above ``top`` (room for a bar's count over it), so the labels never
    repeat. Shared by the dashboard and the PDF: a step of 0.3 printed as whole numbers read
    "0, 0, 1, 1"."""
    top = max(int(top), 0)
    step = _step(top)
    return ((top + top // 10) // step + 1) * step, step


def month_names(
    months: Sequence[str], lang: str | None = None, step: int | None = None
) -> list[str]:
    """Short month names in ``lang`` for a trend's axis ("Dec", "дек.", "жел.") from the
    statistics' ``YYYY-MM``, shared by the dashboard and the PDF (which printed "2026-07").

    Up to thirteen months (the last twelve months touch thirteen calendar months) each month
    is named and the year goes on a second line under the first month and each January; over
    a longer period only every few months are named (the others get ``""``), each with its
    year, so the labels never crowd and never repeat. A ``step`` names every ``step``-th month
    only (an axis too narrow for them all), the year under the first named of each year.
    """
    chosen = step is not None
    if step is None:
        step = 1 if len(months) <= 13 else -(-len(months) // 12)
    names: list[str] = []
    last_year = ""
    for index, month in enumerate(months):
        year, number = month.split("-")
        if index % step:
            names.append("")
            continue
        name = format_date(date(int(year), int(number), 1), "LLL", lang)
        with_year = (step > 1 and not chosen) or year != last_year
        last_year = year
        names.append(f"{name}\n{year}" if with_year else name)
    return names


def month_name(month: str, lang: str | None = None) -> str:
    """One month of the statistics' ``YYYY-MM`` as a reader writes it: kk "2026 жылғы
    қараша", ru "ноябрь 2026 г.", en "November 2026" (a figure's case list was titled
    "Тіркелген істер: 2026-11")."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    language = lang or current_language()
    if language == "kk":  # CLDR's "2026 ж. қараша"; documents write the year out
        return f"{year} жылғы {format_date(first, 'MMMM', 'kk')}"
    return format_date(first, "LLLL y 'г'." if language == "ru" else "LLLL y", language)


def _drawing(height: float, fonts: FontSet) -> Drawing:
    """An empty chart area whose text starts in the embedded sans font: reportlab's graphics
    otherwise open every drawing with Helvetica, which is never embedded (no PDF/A)."""
    drawing = Drawing(WIDTH, height)
    drawing.initialFontName = fonts.sans
    return drawing


def _no_data(fonts: FontSet, message: str, height: float = 20 * mm) -> Drawing:
    drawing = _drawing(height, fonts)
    drawing.add(String(0, height / 2, message, fontName=fonts.sans, fontSize=9))
    return drawing


def horizontal_bars(
    labels: Sequence[str], values: Sequence[int], fonts: FontSet, no_data: str
) -> Drawing:
    """One bar per label, largest first as given; long labels get the left third."""
    if not values or not any(values):
        return _no_data(fonts, no_data)
    names = [_two_lines(label) for label in labels]
    bar = (7.6 if any("\n" in name for name in names) else 5.2) * mm
    height = bar * len(values) + 14 * mm
    drawing = _drawing(height, fonts)
    chart = HorizontalBarChart()
    chart.x = 62 * mm
    chart.y = 8 * mm
    chart.width = WIDTH - chart.x - 8 * mm
    chart.height = bar * len(values)
    # reportlab draws the first category at the bottom: reverse so the list reads top-down.
    chart.data = [list(reversed(values))]
    chart.categoryAxis.categoryNames = list(reversed(names))
    chart.categoryAxis.labels.fontName = fonts.sans
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.leading = 8.6
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.textAnchor = "end"  # a wrapped name's lines end at the axis
    chart.categoryAxis.labels.dx = -3
    top = max(values)
    _value_axis(chart.valueAxis, top, fonts)
    chart.bars[0].fillColor = PALETTE[0]
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = fonts.sans
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 2
    drawing.add(chart)
    return drawing


def _value_axis(axis: Any, top: int, fonts: FontSet) -> None:
    """Counts from zero to a round step above the largest, with a light grid."""
    axis.valueMin = 0
    axis.valueMax, axis.valueStep = count_axis(top)
    axis.labels.fontName = fonts.sans
    axis.labels.fontSize = 7.5
    axis.visibleGrid = True
    axis.gridStrokeColor = colors.HexColor("#DDDDDD")


def _category_labels(labels: Any, fonts: FontSet, size: float, angle: int) -> None:
    """The category names: tilted by ``angle`` (hung from their end) or level."""
    labels.fontName = fonts.sans
    labels.fontSize = size
    labels.angle = angle
    labels.boxAnchor = "ne" if angle else "n"


def _series_chart(
    chart: VerticalBarChart | HorizontalLineChart,
    categories: list[str],
    series: Sequence[Sequence[int]],
    names: Sequence[str],
    fonts: FontSet,
    no_data: str,
    right: float,
) -> Drawing:
    """A styled chart with categories along the bottom, in a drawing that leaves ``right`` free
    for the legend of ``names`` (none if empty), with its data and a value axis up to the
    highest value; ``no_data`` instead where there are no categories or only zeros."""
    if not categories or not any(v for s in series for v in s):
        return _no_data(fonts, no_data)
    height = 62 * mm
    drawing = _drawing(height, fonts)
    chart.x = 12 * mm
    chart.y = 14 * mm
    chart.width = WIDTH - chart.x - right
    chart.height = height - chart.y - 6 * mm
    chart.data = [list(s) for s in series]
    chart.categoryAxis.categoryNames = categories
    _value_axis(chart.valueAxis, max(max(s) for s in series), fonts)
    drawing.add(chart)
    if names:
        drawing.add(_legend(names, fonts, WIDTH - 36 * mm, height - 8 * mm))
    return drawing


def vertical_bars(
    labels: Sequence[str],
    series: Sequence[Sequence[int]],
    names: Sequence[str],
    fonts: FontSet,
    no_data: str,
) -> Drawing:
    """Grouped columns: one group per label, one column per series (with a legend)."""
    chart = VerticalBarChart()
    _category_labels(chart.categoryAxis.labels, fonts, 7.5, 30 if len(labels) > 5 else 0)
    for index in range(len(series)):
        chart.bars[index].fillColor = PALETTE[index % len(PALETTE)]
        chart.bars[index].strokeColor = None
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = fonts.sans
    chart.barLabels.fontSize = 6.5
    chart.barLabels.dy = 3
    categories = [_short(label) for label in labels]
    legend, right = (names, 40 * mm) if len(series) > 1 else ((), 4 * mm)  # one series: none
    return _series_chart(chart, categories, series, legend, fonts, no_data, right)


def trend_lines(
    months: Sequence[str],
    series: Sequence[Sequence[int]],
    names: Sequence[str],
    fonts: FontSet,
    no_data: str,
) -> Drawing:
    """The monthly trend: one line per series over the months of the period."""
    chart = HorizontalLineChart()
    _category_labels(chart.categoryAxis.labels, fonts, 7, 45 if len(months) > 6 else 0)
    chart.joinedLines = True
    for index in range(len(series)):
        chart.lines[index].strokeColor = PALETTE[index % len(PALETTE)]
        chart.lines[index].strokeWidth = 1.6
    return _series_chart(chart, list(months), series, names, fonts, no_data, 40 * mm)


def pie(labels: Sequence[str], values: Sequence[int], fonts: FontSet, no_data: str) -> Drawing:
    """Shares of a whole (e.g. host countries), with a legend giving each count."""
    pairs = [(label, value) for label, value in zip(labels, values, strict=True) if value > 0]
    if not pairs:
        return _no_data(fonts, no_data)
    height = 58 * mm
    drawing = _drawing(height, fonts)
    chart = Pie()
    chart.x = 8 * mm
    chart.y = 4 * mm
    chart.width = chart.height = 50 * mm
    chart.data = [value for _label, value in pairs]
    chart.labels = None
    chart.slices.strokeColor = colors.white
    chart.slices.strokeWidth = 0.6
    for index in range(len(pairs)):
        chart.slices[index].fillColor = PALETTE[index % len(PALETTE)]
    drawing.add(chart)
    names = [f"{_short(label, MAX_LEGEND)} — {value}" for label, value in pairs]
    drawing.add(_legend(names, fonts, 70 * mm, height - 4 * mm))
    return drawing


def _legend(names: Sequence[str], fonts: FontSet, x: float, y: float) -> Legend:
    legend = Legend()
    legend.x = x
    legend.y = y
    legend.fontName = fonts.sans
    legend.fontSize = 8
    legend.alignment = "right"
    legend.columnMaximum = 12
    legend.dx = legend.dy = 7
    legend.deltay = 10
    legend.colorNamePairs = [
        (PALETTE[index % len(PALETTE)], name) for index, name in enumerate(names)
    ]
    return legend
