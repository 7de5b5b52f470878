"""The dashboard: the indicators of a period as tiles and charts, each clickable to its cases.

A click on a tile, a bar, a pie slice or a point of the trend emits ``cases_requested`` with a
``Drilldown`` (its ``case_filter(today)`` gives the case list's filter where one can say it); by
default the page answers by showing those cases in a ``CaseListDialog``. A returnee figure's
cell emits ``returnees_requested`` with the register's filter that lists its records (the
main window opens the Returnees area with it; HQ's, where that area is).
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QPieSeries,
    QPieSlice,
    QValueAxis,
)
from PySide6.QtCore import QDate, QEvent, QLocale, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QPainter, QPalette, QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import CaseStatus, Category, IloIndicator, LetterKind, RiskLevel, label
from app.errors import QorgauError
from app.i18n import (
    LANGUAGES,
    _,
    country_name,
    current_language,
    format_date,
    format_datetime,
    format_number,
)
from app.letters import PrintedPdf
from app.reports import indicator_tables, render_stats_report
from app.reports.charts import count_axis as axis_end_and_step
from app.reports.charts import month_name, month_names
from app.reports.export import write_bytes, write_csv, write_xlsx
from app.reports.published import published
from app.reports.tables import ReportTable, export_about, open_text_key
from app.reports.texts import text as report_text
from app.reports.texts import texts as report_texts
from app.services.changes import DataChanged
from app.services.returnees import ReturneeFilter, behind_figure
from app.services.stats import (
    NAMED_PERIODS,
    Count,
    Drilldown,
    Indicators,
    ReturneeCount,
    StatsFilter,
    StatsService,
    named_period,
)
from app.services.workspace import Workspace
from ui.changes import Coalesced, listen_to_changes
from ui.i18n_bridge import LANGUAGE_NAMES, LanguageBridge
from ui.letters.preview import HAVE_QTPDF
from ui.letters.printing import PrintedThing, print_pdf
from ui.reports.case_list import CaseListDialog
from ui.reports.figure_table import DrillAt, FigureTable
from ui.tasks import BackgroundTask, LatestOnly, TaskContext, show_error, show_refusal
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import (
    ErrorLabel,
    fit_first_entry,
    lines_high,
    widget_row,
    word_wrapped,
)
from ui.widgets.country_combo import CountryCombo
from ui.widgets.fields import qt_date_format
from ui.widgets.file_dialogs import in_documents
from ui.widgets.flow import FlowLayout
from ui.widgets.text_size import SUBTITLE, heading, sized_text

T = TypeVar("T")
CHART_HEIGHT = 300
LEGEND_LINE = 1.5  # a line of a chart's legend, in lines of text: its marker and spacing
LABEL_GAP = 8  # pixels between two month names on the trend's axis
# What the figures are counted from: a change to one of these counts them again (a person's
# consent to the returnees' register among them).
COUNTED_TABLES = ("case", "case_event", "case_category", "letter", "returnee", "person")
FILTER_PAUSE_MS = 400  # a filter left alone this long is counted
# Counting takes about 2 s off the GUI thread at two million cases, and at an HQ on a server
# every desktop hears every other's writes: counted again at each, an import's stream of
# notices kept each analyst's page counting. Changes heard while the page is shown are
# counted at most once a RECOUNT_S, and only once no change came for QUIET_S (an import's
# batches come a second or so apart: counted once it has ended), yet never later than
# LONGEST_WAIT_S after the first change waiting. Heard while hidden: counted once, when shown.
RECOUNT_S = 60.0
QUIET_S = 5.0
LONGEST_WAIT_S = 300.0
TILES = ("opened", "resolved", "closed", "open", "overdue", "median")
# The outcomes of the cases resolved (or referred) in the period: a second row of tiles.
OUTCOME_TILES = ("referred", "documents_returned", "repatriated")
# The report's text (app.reports.texts) naming each tile's figure, as the PDF's key figures do.
FIGURE_TEXTS = {
    "opened": "opened",
    "resolved": "resolved",
    "closed": "closed",
    "open": "open_now",
    "overdue": "overdue",
    "referred": "referred",
    "documents_returned": "documents_returned",
    "repatriated": "repatriated",
}
# The columns of HQ's side-by-side table (app.reports.tables._by_mission) and the figure each
# one's cell lists; the median's cases are those resolved, as on its tile.
MISSION_COLUMNS = ("opened", "opened", "resolved", "closed", "open", "overdue", "resolved")
REFERRAL_COLUMN = 2  # of a returnees' breakdown (app.reports.tables._returnees_by)


def _qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)


def _pydate(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def month_labels(
    months: Sequence[str], language: str | None = None, step: int | None = None
) -> list[str]:
    """Short month names for the trend's axis in the UI language ("Dec", "дек.", "жел."), the
    year under the first month and each January, as the PDF's axis names them
    (``app.reports.charts.month_names``); with ``step``, every ``step``-th month only."""
    return [html.escape(name).replace("\n", "<br>") for name in month_names(months, language, step)]


def label_width(text: str, metrics: QFontMetrics) -> int:
    """The width of an axis label's longest line (its HTML's ``<br>`` breaks the lines)."""
    return max(metrics.horizontalAdvance(html.unescape(line)) for line in text.split("<br>"))


def month_step(
    months: Sequence[str], plot_width: float, metrics: QFontMetrics, language: str | None = None
) -> int:
    """Name every month where each name fits its month's share of ``plot_width``, else every
    second, third... : in Russian at 1366 pixels the names ran together («июньиюль»)."""
    if len(months) <= 1:
        return 1
    share = plot_width / len(months)
    steps = [1, 2, 3, 4, 6, *range(12, len(months) + 12, 12)]
    for step in steps:
        named = [name for name in month_labels(months, language, step) if name]
        if max(label_width(name, metrics) for name in named) + LABEL_GAP <= step * share:
            return step
    return steps[-1]


def _short(text: str, limit: int = 34) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def wrapped(text: str, width: int) -> str:
    """``text`` as axis-label HTML on at most two lines of about ``width`` characters.

    Qt Charts elides a category label that is wider than its slot to "..."; two short lines
    fit where one long line does not. A label longer than two lines is shortened with "…".
    """
    lines = textwrap.wrap(text, width, break_long_words=False)
    if len(lines) > 2:
        lines = [lines[0], _short(" ".join(lines[1:]), width)]
    return "<br>".join(html.escape(line) for line in lines)


def count_axis(top: int) -> QValueAxis:
    """An axis of counts up to ``top`` with a label at each whole step, as the PDF's charts
    have (``app.reports.charts.count_axis``): Qt's "nice numbers" put five ticks on 0-1.2,
    printed "0, 0, 0, 1, 1" at small counts."""
    end, step = axis_end_and_step(top)
    axis = QValueAxis()
    axis.setRange(0, end)
    axis.setTickCount(end // step + 1)
    axis.setLabelFormat("%d")
    return axis


def _chart(title: str) -> QChart:
    """An empty chart titled ``title``, drawn without animation."""
    chart = QChart()
    chart.setTitle(title)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    return chart


class ChartPanel(QChartView):
    """One chart; ``segments`` are the drilldown keys of its bars/slices/points in order."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(name)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(CHART_HEIGHT)
        self.measure = ""
        self.segments: list[str] = []
        self.series: QBarSeries | QHorizontalBarSeries | QPieSeries | None = None
        self.lines: list[QLineSeries] = []
        self.labels: list[str] = []

    def show_tip(self, index: int, values: Sequence[int], hovering: bool) -> None:
        """The full label and the count of the bar under the mouse as the view's tooltip."""
        if hovering and 0 <= index < len(self.labels):
            self.setToolTip(f"{self.labels[index]}: {format_number(values[index])}")
        else:
            self.setToolTip("")

    def replace_chart(self, chart: QChart) -> None:
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()


class FigureTile(QPushButton):
    """A key figure under its name, in a font a little larger than the application's: set in
    points by a style sheet (11 pt), it kept that size whatever the system's text size."""

    TEXT_SCALE = SUBTITLE  # the 11 pt it had beside Windows' usual 9 pt

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("text-align: center;")
        sized_text(self, self.TEXT_SCALE)
        self._fit_height()

    def _fit_height(self) -> None:
        self.setMinimumHeight(lines_high(self, 3.2))  # the name, the figure, a margin

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        # Its font follows the application's (ui.widgets.text_size): the height follows it.
        if event.type() == QEvent.Type.FontChange:
            self._fit_height()
        super().changeEvent(event)


class DashboardPage(QWidget):
    cases_requested = Signal(object)  # Drilldown
    refreshed = Signal()
    exported = Signal(object)  # the Path an export wrote
    printed = Signal()  # the report went to the printer
    case_opened = Signal(str)  # a case chosen in a drill-down list
    returnees_requested = Signal(object)  # ReturneeFilter: the records behind a figure

    def __init__(
        self,
        workspace: Workspace,
        bridge: LanguageBridge | None = None,
        today: date | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.service = StatsService(workspace, today)
        # The register is listed in the Returnees area, which is HQ's (ui/returnees).
        self.lists_returnees = workspace.mission.is_hq
        self.figures: Indicators | None = None
        self.dialog: CaseListDialog | None = None
        self._stale = False  # the data changed while the page was hidden
        self.counted_at: datetime | None = None  # when the figures shown were counted
        # The count that changes heard while shown wait for.
        self.recount = Coalesced(self, self._recount_due, RECOUNT_S, QUIET_S, LONGEST_WAIT_S)
        # The figures are counted off the GUI thread (a second and more at 100k cases, cold):
        # a newer refresh (a filter changed) supersedes one still counting.
        self._reader = LatestOnly(self, workspace.db.interrupt, resume=workspace.db.resume)
        self._reader.answered.connect(lambda _step, found: self._counted(*found))
        self._reader.refused.connect(self._refused)
        self.loading = False
        self._exportable = False
        self._exporting: BackgroundTask[Any] | None = None
        listen_to_changes(self, workspace, self._data_changed)
        first, last = self.service.normalise(None).date_from, self.service.today
        assert first is not None

        self._build_controls(first, last)
        self._exports_enabled(False)  # until the figures come
        filters, more = self._filter_and_export_rows()
        tiles = self._build_tiles()
        self._build_charts()
        tables = self._build_tables()
        content = QWidget()
        inner = QVBoxLayout(content)
        # The count's indicator beside the title: in the filters' row, in Kazakh, it made the
        # page scroll sideways while it showed.
        title_row = widget_row(self.title, self.as_of, self.busy)
        # The free width is the time's, right-aligned, to wrap in only when it lacks room.
        title_row.setStretchFactor(self.as_of, 1)
        inner.addLayout(title_row)
        inner.addLayout(filters)
        inner.addLayout(more)
        inner.addWidget(self.error)
        inner.addWidget(self.period_note)
        inner.addLayout(tiles)
        inner.addLayout(self.grid)
        inner.addLayout(tables)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        QVBoxLayout(self).addWidget(scroll)

        self.cases_requested.connect(self.show_cases)
        if bridge is not None:
            bridge.language_changed.connect(self.retranslate_ui)
        self._fill_choices()
        self.retranslate_ui()
        # A filter changed is counted again by itself, after a pause (dates are typed digit by
        # digit): with "Refresh" alone, the tiles under a mission just chosen still counted
        # every mission.
        self.filters_settled = QTimer(self)
        self.filters_settled.setSingleShot(True)
        self.filters_settled.setInterval(FILTER_PAUSE_MS)
        self.filters_settled.timeout.connect(self.refresh)
        self.mission.currentIndexChanged.connect(self._fill_officers)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._show_period_name)
        for changed in (
            self.date_from.dateChanged,
            self.date_to.dateChanged,
            self.country.currentIndexChanged,
            self.category.currentIndexChanged,
            self.officer.currentIndexChanged,
            self.mission.currentIndexChanged,
        ):
            changed.connect(self._filters_changed)

    def _build_controls(self, first: date, last: date) -> None:
        """The filters, the export choices and their buttons."""
        self.title = QLabel()
        heading(self.title)
        # A month, a quarter or a year by name: a quarterly report took four date fields
        # typed by hand, and a slip (30.09 against 31.09) went unseen.
        self.period = QComboBox()
        self.period.setObjectName("period")
        self.period.activated.connect(self._period_chosen)
        self.from_label, self.to_label = QLabel(), QLabel()
        self.date_from = QDateEdit(_qdate(first))
        self.date_to = QDateEdit(_qdate(last))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
        self.country = CountryCombo([], any_text="")
        self.category = QComboBox()
        self.officer = QComboBox()
        self.mission = QComboBox()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.refresh)
        self.busy = BusyIndicator()
        # When the figures were counted: changes are counted again only now and then.
        self.as_of = QLabel()
        self.as_of.setTextFormat(Qt.TextFormat.RichText)
        # On more lines beside the title where the page is narrow: on one (303 pixels in
        # Kazakh) the page scrolled 43 pixels sideways on a 1024-pixel screen at 150 %.
        self.as_of.setWordWrap(True)
        self.as_of.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.as_of.linkActivated.connect(lambda _link: self.refresh())
        self.hide_names = QCheckBox()
        self.report_lang = QComboBox()
        for code in LANGUAGES:
            self.report_lang.addItem(LANGUAGE_NAMES[code], code)
        self.report_lang.setCurrentIndex(LANGUAGES.index(current_language()))
        self.pdf_button = QPushButton()
        self.pdf_button.clicked.connect(self._ask_pdf)
        self.tables_button = QPushButton()
        self.tables_button.clicked.connect(self._ask_tables)
        self.print_button = QPushButton()
        self.print_button.clicked.connect(self.print_report)
        # Pages go to the printer drawn by QtPdf. Hidden only where it is missing: made
        # visible before a layout holds it, a button without a parent shows as a window.
        if not HAVE_QTPDF:
            self.print_button.hide()
        self.error = ErrorLabel()
        self.period_note = word_wrapped(QLabel())

    def _filter_and_export_rows(self) -> tuple[FlowLayout, FlowLayout]:
        """The period and the first filters on one row; the other filters, "Refresh" and the
        exports on the next (all filters on one row did not fit 1280 pixels in Kazakh). HQ's
        mission list closes the first row: on the second it pushed the exports off a 1366-pixel
        window in Kazakh. The first row wraps too where the page is narrower, the period kept
        whole: with the period's name before its dates it ran past 1280 pixels at HQ."""
        period = QWidget()
        period_row = widget_row(
            self.period, self.from_label, self.date_from, self.to_label, self.date_to
        )
        period_row.setContentsMargins(0, 0, 0, 0)
        period.setLayout(period_row)
        filters = FlowLayout(one_row=True)
        for widget in (period, self.country, self.category, self.mission):
            filters.addWidget(widget)
        # Wrapping where the page is narrower: at 150 % display scaling in Kazakh its exports
        # lay past the page's right edge, and it scrolled sideways.
        more = FlowLayout(one_row=True)
        for widget in (
            self.officer,
            self.refresh_button,
            self.hide_names,
            self.report_lang,
            self.pdf_button,
            self.print_button,
            self.tables_button,
        ):
            more.addWidget(widget)
        return filters, more

    def _build_tiles(self) -> QVBoxLayout:
        """One tile per key figure, the outcomes on a second row; a click lists the cases
        behind it."""
        self.tiles: dict[str, QPushButton] = {}
        rows = QVBoxLayout()
        for keys in (TILES, OUTCOME_TILES):
            # Sharing the page's width, and wrapping where it is narrower than they are: six
            # tiles in a row took 1,050 pixels in Kazakh, past a page at 150 % scaling.
            row = FlowLayout(one_row=True, fill=True)
            for key in keys:
                tile = FigureTile()
                tile.setObjectName(f"tile_{key}")
                tile.clicked.connect(lambda _checked=False, k=key: self._tile_clicked(k))
                self.tiles[key] = tile
                row.addWidget(tile)
            rows.addLayout(row)
        return rows

    def _build_tables(self) -> QBoxLayout:
        """The report's lists as tables under the charts: HQ's missions side by side across
        the page, then three narrow tables and the two lists of organisations."""
        self.missions_table = FigureTable("missions_table")
        self.wages_table = FigureTable("wages_table")
        self.letters_table = FigureTable("letters_table")
        self.reviews_table = FigureTable("reviews_table")
        self.employers_table = FigureTable("employers_table")
        self.agencies_table = FigureTable("agencies_table")
        # The returnees' register: who came home in the period and the help they want.
        self.returnees_table = FigureTable("returnees_table")
        self.returnee_tables = {
            key: FigureTable(f"{key}_table")
            for key in ("returnees_by_occupation", "returnees_by_country", "returnees_by_region")
        }
        for table in self._figure_tables():
            table.cases_requested.connect(self.cases_requested)
            table.returnees_requested.connect(self.returnees_requested)
        small = widget_row(self.wages_table, self.letters_table, self.reviews_table)
        organisations = widget_row(self.employers_table, self.agencies_table)
        by_occupation, by_country, by_region = self.returnee_tables.values()
        returnees = widget_row(self.returnees_table, by_occupation)
        returnees_where = widget_row(by_country, by_region)
        tables = QVBoxLayout()
        tables.addWidget(self.missions_table)
        for row in (small, organisations, returnees, returnees_where):
            for column in range(row.count()):
                row.setStretch(column, 1)  # equal widths, whatever the titles' lengths
            tables.addLayout(row)
        return tables

    def _figure_tables(self) -> tuple[FigureTable, ...]:
        return (
            self.missions_table,
            self.wages_table,
            self.letters_table,
            self.reviews_table,
            self.employers_table,
            self.agencies_table,
            self.returnees_table,
            *self.returnee_tables.values(),
        )

    def _build_charts(self) -> None:
        """The six chart panels in a grid of two columns."""
        self.status_chart = ChartPanel("status_chart")
        self.category_chart = ChartPanel("category_chart")
        self.trend_chart = ChartPanel("trend_chart")
        self.month_axis: QCategoryAxis | None = None
        self.month_step = 0  # every how many months the trend's axis names one
        self.country_chart = ChartPanel("country_chart")
        self.ilo_chart = ChartPanel("ilo_chart")
        self.mission_chart = ChartPanel("mission_chart")
        self.grid = grid = QGridLayout()
        grid.addWidget(self.trend_chart, 0, 0)
        grid.addWidget(self.status_chart, 0, 1)
        grid.addWidget(self.category_chart, 1, 0)
        grid.addWidget(self.ilo_chart, 1, 1)
        # The country pie has a row of its own: its legend, beside the missions' bars at HQ,
        # had a fifth of a 1024-pixel window and read "126 · Оңтү…" for every country.
        grid.addWidget(self.country_chart, 2, 0, 1, 2)
        grid.addWidget(self.mission_chart, 3, 0, 1, 2)

    # -- filters -------------------------------------------------------------------------

    def _fill_choices(self) -> None:
        choices = self.service.filter_choices()
        self.country.set_codes(list(choices.countries))
        self._choices = choices
        self._officers = choices.officers
        self._missions = choices.missions
        self.mission.setVisible(self.workspace.mission.is_hq or len(choices.missions) > 1)

    def _refill_combo(
        self, combo: QComboBox, any_text: str, items: Sequence[tuple[str, str]]
    ) -> None:
        current = combo.currentData() or ""
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(any_text, "")
        for code, text in items:
            combo.addItem(text, code)
        index = combo.findData(current)
        combo.setCurrentIndex(max(0, index))
        combo.blockSignals(False)
        # As wide as "All …", not as the longest category: in Kazakh the filters and the
        # figures did not fit a 1366-pixel screen.
        fit_first_entry(combo, 12)

    def _period_names(self) -> dict[str, str]:
        return {
            "last_12_months": _("Last 12 months"),
            "this_month": _("This month"),
            "last_month": _("Last month"),
            "this_quarter": _("This quarter"),
            "last_quarter": _("Last quarter"),
            "this_year": _("This year"),
            "last_year": _("Last year"),
        }

    def _period_chosen(self, index: int) -> None:
        """Set the dates of the period chosen by name (the dates set by hand name none)."""
        name = self.period.itemData(index)
        if name:
            first, last = named_period(name, self.service.today)
            self.date_from.setDate(_qdate(first))
            self.date_to.setDate(_qdate(last))

    def _show_period_name(self, *_args: object) -> None:
        """Name the period the dates make, or "Other period" where they make none."""
        chosen = (_pydate(self.date_from.date()), _pydate(self.date_to.date()))
        today = self.service.today
        name = next((n for n in NAMED_PERIODS if named_period(n, today) == chosen), "")
        self.period.setCurrentIndex(max(0, self.period.findData(name)))

    def _fill_officers(self) -> None:
        """At HQ, the officers of the mission chosen: a user name is a mission's own, and
        "aigerim" of all missions counted two missions' officers as one person."""
        if not self.workspace.mission.is_hq:
            officers = self._officers
        else:
            mission = self.mission.currentData() or ""
            officers = self._choices.officers_of(mission) if mission else ()
            self.officer.setEnabled(bool(mission))
            self.officer.setToolTip(
                ""
                if mission
                else _(
                    "Choose a mission first: each mission names its own officers, and two "
                    "missions may each have one of the same name."
                )
            )
        self._refill_combo(self.officer, _("All officers"), [(o, o) for o in officers])

    def scope(self) -> StatsFilter:
        return StatsFilter(
            date_from=_pydate(self.date_from.date()),
            date_to=_pydate(self.date_to.date()),
            host_country=self.country.code() or None,
            category=self.category.currentData() or None,
            officer=self.officer.currentData() or None,
            mission=self.mission.currentData() or None,
        )

    # -- figures -------------------------------------------------------------------------

    def _data_changed(self, change: DataChanged) -> None:
        # A returnee's record, or a person's consent to the register, changes its figures.
        if not change.touches(*COUNTED_TABLES):
            return
        if not self.isVisible():
            self._stale = True
            return
        self.recount.heard()
        self._say_as_of()

    def _recount_due(self) -> None:
        if self.isVisible():
            self.refresh()
        else:  # hidden meanwhile: counted when shown
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh()

    def _say_as_of(self) -> None:
        """When the figures shown were counted, and a link that counts them now."""
        if self.counted_at is None:
            self.as_of.clear()
            return
        when = format_datetime(self.counted_at, "HH:mm")
        text = (
            _("Figures as of {time}; cases have changed since")
            if self.recount.waiting
            else _("Figures as of {time}")
        ).format(time=when)
        link = html.escape(_("refresh"))
        self.as_of.setText(f'{html.escape(text)} — <a href="refresh">{link}</a>')

    def _filters_changed(self, *_args: object) -> None:
        self._exports_enabled(False)  # the figures drawn are not the filters' any more
        self.filters_settled.start()

    def refresh(self) -> None:
        """Count the figures for the chosen filters off the GUI thread; they are drawn, and
        ``refreshed`` emitted, when they come. Counted on the GUI thread, the window froze
        for 0.8-3 s at 100k cases when Reports opened, and at every refresh."""
        service, scope = self.service, self.scope()
        try:
            service.normalise(scope)  # a bad period is said at once, before any counting
        except QorgauError as exc:
            self._reader.cancel()  # an earlier count must not draw over the message
            self._stop_counting()
            self._exports_enabled(False)  # the figures shown are not the filters' any more
            refusal = exc  # said again after a language switch while it is on screen
            self.error.show_message(lambda: str(refusal))
            return
        self.loading = True
        self.recount.reading()  # the changes waiting are in this count
        counted_at = datetime.now().astimezone()
        self._exports_enabled(False)  # an export now would carry the previous filters' figures
        self._say_busy()
        if self.figures is None:  # the first count: the tiles named, their figures to come
            self._set_tiles({})
        self._reader.submit([lambda: (counted_at, service.indicators(scope))])

    def _refused(self, exc: object) -> None:
        self._stop_counting()
        if isinstance(exc, QorgauError):
            refusal = exc
            self.error.show_message(lambda: str(refusal))
        else:
            show_error(self, cast(BaseException, exc))

    def _stop_counting(self) -> None:
        self.loading = False
        self._say_busy()

    def _say_busy(self) -> None:
        """The indicator says what is under way: an export written, the figures counted."""
        if self._exporting is not None:
            self.busy.start(_("Writing the file…"))
        elif self.loading:
            self.busy.start(_("Counting the figures…"))
        else:
            self.busy.stop()

    def _exports_enabled(self, enabled: bool) -> None:
        """Whether the figures drawn may be exported; the buttons also wait for an export
        being written."""
        self._exportable = enabled
        for button in (self.pdf_button, self.print_button, self.tables_button):
            button.setEnabled(enabled and self._exporting is None)

    def _counted(self, at: datetime, figures: Indicators) -> None:
        self.counted_at = at
        self._shown(figures)
        self._say_as_of()

    def _shown(self, figures: Indicators) -> None:
        self._stop_counting()
        self._exports_enabled(True)
        self.figures = figures
        self.error.clear_message()
        self._draw()
        self.refreshed.emit()

    def _figures_now(self) -> Indicators:
        """The figures of the filters chosen, counted here if they have not come yet (an export
        asked for by a caller other than its buttons, which wait for them)."""
        if self.figures is None or self.loading:
            self._reader.cancel()
            self._counted(datetime.now().astimezone(), self.service.indicators(self.scope()))
        assert self.figures is not None
        return self.figures

    def _draw(self) -> None:
        f = self.figures
        if f is None:
            return
        note = _("Open and overdue cases as of {today}; other figures for the period.").format(
            today=format_date(f.as_of)
        )
        if self.workspace.mission.is_hq:
            # A transferred case is in two missions' figures: say which figure goes where.
            note += " " + _(
                "By mission: open and overdue cases, and returnees, count at the mission "
                "handling the case now; cases opened, resolved and closed in the period at "
                "the mission that opened them."
            )
        self.period_note.setText(note)
        values = {
            "opened": f.opened,
            "resolved": f.resolved,
            "closed": f.closed,
            "open": f.open_now,
            "overdue": f.overdue,
        }
        median = "—" if f.median_days is None else format_number(round(f.median_days, 1))
        p90 = "—" if f.p90_days is None else format_number(round(f.p90_days, 1))
        values.update(
            referred=f.referred,
            documents_returned=f.documents_returned,
            repatriated=f.repatriated,
        )
        shown = {key: format_number(value) for key, value in values.items()}
        self._set_tiles({**shown, "median": f"{median} / {p90}"})
        self._bars(
            self.status_chart,
            report_text("open_by_status", current_language()),
            "open",
            [c.key for c in f.open_by_status],
            [label(CaseStatus(c.key)) for c in f.open_by_status],
            [c.count for c in f.open_by_status],
            horizontal=False,
        )
        used = [c for c in f.categories if c.count][:10]
        self._bars(
            self.category_chart,
            _("Complaint categories (top 10)"),
            "category",
            [c.key for c in used],
            [label(Category(c.key)) for c in used],
            [c.count for c in used],
            horizontal=True,
        )
        self._bars(
            self.ilo_chart,
            _("ILO indicators of forced labour"),
            "ilo",
            [c.key for c in f.ilo_indicators],
            [f"{n}. {label(IloIndicator(c.key))}" for n, c in enumerate(f.ilo_indicators, 1)],
            [c.count for c in f.ilo_indicators],
            horizontal=True,
        )
        self._trend()
        self._pie()
        self.mission_chart.setVisible(bool(f.by_mission))
        if f.by_mission:
            self._bars(
                self.mission_chart,
                _("Cases opened by mission"),
                "mission",
                [m.mission for m in f.by_mission],
                [m.mission for m in f.by_mission],
                [m.opened for m in f.by_mission],
                horizontal=False,
            )
        self._tables()

    def _tables(self) -> None:
        """The report's own tables (``indicator_tables``, in the interface's language), each
        counted cell listing its cases."""
        f = self.figures
        assert f is not None
        tables = {t.key: t for t in indicator_tables(f, current_language())}
        no_rows = report_text("no_data", current_language())

        def by_row(measure: str, keys: Sequence[str], counts: Sequence[int]) -> DrillAt:
            def drill_at(row: int, _column: int) -> Drilldown | None:
                if not counts[row]:
                    return None  # nothing to list
                return Drilldown(f.scope, measure, keys[row])

            return drill_at

        def by_count(measure: str, counts: Sequence[Count]) -> DrillAt:
            return by_row(measure, [c.key for c in counts], [c.count for c in counts])

        def mission_cell(row: int, column: int) -> Drilldown | None:
            table = tables["by_mission"]
            if not table.rows[row][column]:  # no cases, or no median
                return None
            scope = replace(f.scope, mission=f.by_mission[row].mission)
            return Drilldown(scope, MISSION_COLUMNS[column])

        wages, employers, agencies = f.wages_recovered, f.top_employers, f.top_agencies
        shown: list[tuple[FigureTable, ReportTable, DrillAt]] = [
            (
                self.wages_table,
                tables["wages_recovered"],
                by_row("wages", [m.currency for m in wages], [m.cases for m in wages]),
            ),
            (self.letters_table, tables["letters_by_kind"], by_count("letter", f.letters_by_kind)),
            (self.reviews_table, tables["reviews_by_risk"], by_count("review", f.reviews_by_risk)),
            (
                self.employers_table,
                tables["top_employers"],
                by_row("employer", [o.id for o in employers], [o.count for o in employers]),
            ),
            (
                self.agencies_table,
                tables["top_agencies"],
                by_row("agency", [o.id for o in agencies], [o.count for o in agencies]),
            ),
        ]
        for widget, table, drill_at in shown:
            widget.show_table(table, drill_at, no_rows)
        # The returnees' figures list records of the register, not cases (a record made at HQ
        # for a returnee who contacted it has none).
        self.returnees_table.show_table(tables["returnees"], self._returnee_total_at, no_rows)
        returnees = f.returnees
        for (key, widget), row, counts in zip(
            self.returnee_tables.items(),
            ("occupation", "country", "region"),
            (returnees.by_major_group, returnees.by_country, returnees.by_region),
            strict=True,
        ):
            widget.show_table(tables[key], self._returnee_row_at(row, counts), no_rows)
        self.missions_table.setVisible(bool(f.by_mission))
        if f.by_mission:
            self.missions_table.show_table(tables["by_mission"], mission_cell, no_rows)

    def _returnee_total_at(self, row: int, _column: int) -> ReturneeFilter | None:
        """The summary's rows, as ``returnee_tables`` writes them: returned in the period,
        of them wanting a referral, and those without a day of return."""
        f = self.figures
        if f is None or not self.lists_returnees:
            return None
        stats = f.returnees
        figure, wanting, n = (
            ("returned", False, stats.total),
            ("returned", True, stats.wants_referral),
            ("undated", False, stats.undated),
        )[row]
        return behind_figure(f.scope, figure, wanting=wanting) if n else None

    def _returnee_row_at(self, figure: str, counts: Sequence[ReturneeCount]) -> DrillAt:
        """A breakdown's row: its records, or (the referral column) those wanting one."""

        def drill_at(row: int, column: int) -> ReturneeFilter | None:
            f = self.figures
            wanting = column == REFERRAL_COLUMN
            n = counts[row].wants_referral if wanting else counts[row].n
            if f is None or not self.lists_returnees or not n:
                return None
            return behind_figure(f.scope, figure, counts[row].key, wanting)

        return drill_at

    def _bars(
        self,
        panel: ChartPanel,
        title: str,
        measure: str,
        keys: list[str],
        labels: list[str],
        values: list[int],
        horizontal: bool,
    ) -> None:
        chart = _chart(title)
        chart.legend().hide()
        series: QBarSeries | QHorizontalBarSeries = (
            QHorizontalBarSeries() if horizontal else QBarSeries()
        )
        # Horizontal bars are drawn from the bottom up: reverse them so the list reads down.
        order = list(reversed(range(len(keys)))) if horizontal else list(range(len(keys)))
        bars = QBarSet(title)
        bars.append([float(values[i]) for i in order])
        series.append(bars)
        series.setLabelsVisible(True)
        # Outside the bar, so a count of a short bar stays readable.
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        bars.setLabelColor(panel.palette().color(QPalette.ColorRole.WindowText))
        chart.addSeries(series)
        categories = QBarCategoryAxis()
        # Labels go on two lines rather than being elided; the full text is in the tooltip.
        categories.setTruncateLabels(False)
        categories.append([wrapped(labels[i], 26 if horizontal else 14) for i in order] or [""])
        numbers = count_axis(max(values, default=0))
        chart.addAxis(
            categories, Qt.AlignmentFlag.AlignLeft if horizontal else Qt.AlignmentFlag.AlignBottom
        )
        chart.addAxis(
            numbers, Qt.AlignmentFlag.AlignBottom if horizontal else Qt.AlignmentFlag.AlignLeft
        )
        series.attachAxis(categories)
        series.attachAxis(numbers)
        if horizontal:
            # Room for two-line labels: about 32 px a bar.
            panel.setMinimumHeight(max(CHART_HEIGHT, 110 + 32 * len(keys)))
        panel.measure = measure
        panel.segments = [keys[i] for i in order]
        panel.labels = [labels[i] for i in order]
        panel.series = series
        bars.clicked.connect(lambda index: self._segment_clicked(panel, index))
        bars.hovered.connect(
            lambda status, index: panel.show_tip(index, [values[i] for i in order], status)
        )
        panel.replace_chart(chart)

    def _trend(self) -> None:
        f = self.figures
        assert f is not None
        chart = _chart(report_text("monthly", current_language()))
        months = [p.month for p in f.monthly]
        categories = QCategoryAxis()
        categories.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        categories.setTruncateLabels(False)
        categories.setRange(-0.5, max(len(months), 1) - 0.5)
        self.month_axis = categories
        self.month_step = 0  # none named yet
        numbers = count_axis(max([0] + [max(p.opened, p.resolved, p.closed) for p in f.monthly]))
        chart.addAxis(categories, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(numbers, Qt.AlignmentFlag.AlignLeft)
        self.trend_chart.lines = []
        # Each line drills into its own figure: a point on "Closed" lists the month's closures.
        # The legend of the PDF's trend, in the same words (kk «Тіркелген» against «Тіркелді»).
        names = report_texts(current_language(), "opened_short", "resolved_short", "closed_short")
        for measure, name, values in (
            ("month", names[0], [p.opened for p in f.monthly]),
            ("resolved", names[1], [p.resolved for p in f.monthly]),
            ("closed", names[2], [p.closed for p in f.monthly]),
        ):
            line = QLineSeries()
            line.setName(name)
            line.setPointsVisible(True)
            for x, value in enumerate(values):
                line.append(QPointF(x, value))
            chart.addSeries(line)
            line.attachAxis(categories)
            line.attachAxis(numbers)
            line.clicked.connect(lambda point, measure=measure: self._month_clicked(measure, point))
            self.trend_chart.lines.append(line)
        self.trend_chart.segments = months
        self.trend_chart.replace_chart(chart)
        self._name_months()
        # Named again as the chart's width changes (the window resized, a language switch).
        chart.plotAreaChanged.connect(self._name_months)

    def _name_months(self) -> None:
        """Name as many months along the trend's axis as fit its width, each whole."""
        axis, months = self.month_axis, self.trend_chart.segments
        chart = self.trend_chart.chart()
        if axis is None or chart is None or axis not in chart.axes():
            return
        width = chart.plotArea().width() or self.trend_chart.width() * 0.8  # before a layout
        step = month_step(months, width, QFontMetrics(axis.labelsFont()))
        if step == self.month_step:
            return
        self.month_step = step
        for name in axis.categoriesLabels():
            axis.remove(name)
        for index, name in enumerate(month_labels(months, step=step)):
            if name:
                axis.append(name, index)

    def _pie(self) -> None:
        f = self.figures
        assert f is not None
        chart = _chart(report_text("host_countries", current_language()))
        legend = chart.legend()
        legend.setAlignment(Qt.AlignmentFlag.AlignRight)
        # Qt gives a legend on the right at most 40 % of the chart and cuts a longer label at
        # its end: "Біріккен Араб Әмірлі…" lost its count. The count goes first, the name
        # cut if need be and shown whole under the mouse.
        legend.setShowToolTips(True)
        series = QPieSeries()
        keys = []
        for c in f.host_countries:
            if c.count:
                series.append(f"{format_number(c.count)} · {country_name(c.key)}", c.count)
                keys.append(c.key)
        chart.addSeries(series)
        # Tall enough for every country's line of the legend: past the panel's height Qt
        # dropped the last countries from it.
        needed = lines_high(self, LEGEND_LINE * len(keys) + 5)  # and the title's
        self.country_chart.setMinimumHeight(max(CHART_HEIGHT, needed))
        self.country_chart.measure = "country"
        self.country_chart.segments = keys
        self.country_chart.series = series
        series.clicked.connect(self._slice_clicked)
        self.country_chart.replace_chart(chart)

    # -- clicks --------------------------------------------------------------------------

    def _drill(self, measure: str, key: str = "") -> None:
        if self.figures is not None:
            self.cases_requested.emit(Drilldown(self.figures.scope, measure, key))

    def _segment_clicked(self, panel: ChartPanel, index: int) -> None:
        if 0 <= index < len(panel.segments):
            self._drill(panel.measure, panel.segments[index])

    def _slice_clicked(self, piece: QPieSlice) -> None:
        series = self.country_chart.series
        if isinstance(series, QPieSeries):
            self._segment_clicked(self.country_chart, series.slices().index(piece))

    def _month_clicked(self, measure: str, point: QPointF) -> None:
        months = self.trend_chart.segments
        index = round(point.x())
        if 0 <= index < len(months):
            self._drill(measure, months[index])

    def _tile_clicked(self, key: str) -> None:
        self._drill("resolved" if key == "median" else key)

    def show_cases(self, drill: Drilldown) -> None:
        if self.dialog is not None:
            self.dialog.close()
        hide_names = self.hide_names.isChecked()
        # The title follows a language switch: the list stays open beside the window.
        title = partial(self.describe, drill)
        self.dialog = CaseListDialog(self.service, drill, title, hide_names, self)
        self.dialog.case_opened.connect(self.case_opened)
        self.dialog.show()

    def describe(self, drill: Drilldown) -> str:
        """The clicked figure in words, for the dialog's title; a cell of HQ's side-by-side
        table is named with its mission."""
        said = self._described(drill)
        mission = drill.scope.mission
        if mission and self.figures is not None and mission != self.figures.scope.mission:
            return f"{mission}: {said}"
        return said

    def _described(self, drill: Drilldown) -> str:
        names = self._tile_names()
        key = drill.key
        lang = current_language()
        if drill.measure in ("employer", "agency") and self.figures is not None:
            listed = self.figures.top_employers + self.figures.top_agencies
            return next((o.name for o in listed if o.id == key), key)
        if drill.measure == "wages":
            return f"{report_text('wages_recovered', lang)}: {key}"
        if drill.measure == "letter":
            return f"{report_text('letters', lang)}: {label(LetterKind(key))}"
        if drill.measure == "review":
            return f"{report_text('reviews', lang)}: {label(RiskLevel(key))}"
        if drill.measure == "open" and key:
            return f"{names['open']}: {label(CaseStatus(key))}"
        if drill.measure == "category":
            return label(Category(key))
        if drill.measure == "ilo":
            return label(IloIndicator(key))
        if drill.measure == "country":
            return country_name(key)
        if drill.measure == "mission":
            return f"{names['opened']}: {key}"
        if drill.measure == "month":
            return f"{names['opened']}: {month_name(key, lang)}"
        if drill.measure in ("resolved", "closed") and key:  # one month of the trend
            return f"{names[drill.measure]}: {month_name(key, lang)}"
        return names.get(drill.measure, drill.measure)

    # -- exports -------------------------------------------------------------------------

    def export_tables(self, path: Path, lang: str | None = None) -> BackgroundTask[Path]:
        """Write the figures' tables in ``lang`` (the chosen report language by default, as
        the PDF beside them: they were in the interface's) off the GUI thread (``exported``
        when done): a workbook, or for a ``.csv`` path one CSV file per table beside it,
        named as ``stats --csv`` names them."""
        figures, service = self._figures_now(), self.service
        lang = lang or self.report_lang.currentData()
        # A file leaves the screen: its counts are the published ones, as the PDF's.
        figures = published(figures)
        about = export_about(figures, lang, self.hide_names.isChecked(), service.mission_info())

        def work(_context: TaskContext) -> Path:
            tables = indicator_tables(figures, lang)
            title = report_text("title", lang)
            if path.suffix.lower() == ".csv":
                written = write_csv(tables, path, title=title, about=about)
            else:
                written = [write_xlsx(tables, path, title=title, lang=lang, about=about)]
            service.record_export("tables", {"files": [p.name for p in written], "lang": lang})
            return written[0]

        return self._export(work)

    def export_pdf(self, path: Path, lang: str | None = None) -> BackgroundTask[Path]:
        """Write the report in ``lang`` (the chosen report language by default) to ``path``
        off the GUI thread (``exported`` when done): 0.2-0.3 s at 100k cases."""
        figures, service = self._figures_now(), self.service
        lang = lang or self.report_lang.currentData()
        hide_names = self.hide_names.isChecked()

        warnings: list[str] = []

        def work(_context: TaskContext) -> Path:
            pdf = render_stats_report(figures, lang, service.mission_info(), hide_names=hide_names)
            write_bytes(path, pdf)
            service.record_export("pdf", {"lang": lang, "hide_names": hide_names})
            warnings.append(pdf.warning())
            return path

        return self._export(work, warnings)

    def print_report(self) -> BackgroundTask[PrintedPdf]:
        """Print the report in the chosen language: made off the GUI thread, then the print
        dialog. The consul printing the quarter's report for the file saved it as a PDF and
        opened it elsewhere: Reports had no Print."""
        figures, service = self._figures_now(), self.service
        lang = self.report_lang.currentData()
        hide_names = self.hide_names.isChecked()

        def work(_context: TaskContext) -> PrintedPdf:
            return render_stats_report(figures, lang, service.mission_info(), hide_names=hide_names)

        details = {"lang": lang, "hide_names": hide_names}
        return self._export(work, done=lambda pdf: self._ask_printer(pdf, details))

    def _ask_printer(self, pdf: PrintedPdf, details: dict[str, object]) -> None:
        """The print dialog for ``pdf``; what was printed is audited as an export is."""
        if pdf.warning():  # characters its fonts lack, said before the paper is used
            self.error.show_message(pdf.warning())
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.file_stem())  # the job in the printer's queue
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            print_pdf(pdf, printer, PrintedThing.REPORT)
        except QorgauError as exc:  # PrintFailed among them
            show_refusal(self, self.error, exc)
            return
        finally:
            QApplication.restoreOverrideCursor()
        service = self.service
        task: BackgroundTask[None] = BackgroundTask(
            self, lambda _context: service.record_export("print", details)
        )
        task.success(lambda _none: self.printed.emit()).run_in_background()

    def _export(
        self,
        work: Callable[[TaskContext], T],
        warnings: Sequence[str] = (),
        done: Callable[[T], None] | None = None,
    ) -> BackgroundTask[T]:
        """One export at a time: the buttons wait for it, the indicator says it is written;
        ``warnings``, filled by ``work``, are said once it is done, and ``done`` is given what
        it made (by default, a file's path is said by ``exported``)."""
        task: BackgroundTask[T] = BackgroundTask(self, work)
        self._exporting = task
        self._exports_enabled(self._exportable)
        self.error.clear_message()
        self._say_busy()

        def written(made: T) -> None:
            said = " ".join(w for w in warnings if w)
            if said:
                self.error.show_message(said)
            if done is not None:
                done(made)
            else:
                self.exported.emit(made)

        task.success(written)
        task.failure(lambda exc: show_refusal(self, self.error, exc))
        task.finished.connect(self._export_done)
        return task.run_in_background()

    def _export_done(self) -> None:
        self._exporting = None
        self._exports_enabled(self._exportable)
        self._say_busy()

    def _ask_tables(self) -> None:
        self._ask(
            _("Export the tables"),
            _("Excel workbook (*.xlsx);;CSV (*.csv)"),
            (".xlsx", ".csv"),
            self.export_tables,
            f"{self.file_stem()}-{self.report_lang.currentData()}",
        )

    def _ask_pdf(self) -> None:
        stem = f"{self.file_stem()}-{self.report_lang.currentData()}"
        self._ask(_("Save the report"), "PDF (*.pdf)", (".pdf",), self.export_pdf, stem)

    def file_stem(self) -> str:
        """The name offered for an export, with its period: every report was offered as
        "qorgau-stats", so a quarter's report (or its Kazakh copy) replaced the last one."""
        scope = self.figures.scope if self.figures is not None else self.scope()
        period = f"{scope.date_from}_{scope.date_to}"
        return (
            f"qorgau-stats-{scope.mission}-{period}" if scope.mission else f"qorgau-stats-{period}"
        )

    def _ask(
        self,
        title: str,
        pattern: str,
        suffixes: tuple[str, ...],
        action: Callable[[Path], object],
        stem: str,
    ) -> None:
        """Ask where to save, offering ``stem``; a name typed without one of ``suffixes`` gets
        the first."""
        name, _chosen = QFileDialog.getSaveFileName(
            self, title, in_documents(f"{stem}{suffixes[0]}"), pattern
        )
        if name:
            path = Path(name)
            action(path if path.suffix.lower() in suffixes else Path(name + suffixes[0]))

    # -- text ----------------------------------------------------------------------------

    def _set_tiles(self, shown: dict[str, str]) -> None:
        """Each tile's name over its figure (``shown``; "…" for one not counted yet)."""
        names = self._tile_names()
        for key, tile in self.tiles.items():
            figure = shown.get(key, "…")
            if key == "median":
                # The figures beside the bracket, not under a long one-line name: in Kazakh
                # the name alone would widen the window past 1366 px.
                head, bracket, rest = names[key].rpartition(" (")
                tile.setText(f"{head}\n{figure} ({rest}" if bracket else f"{names[key]}\n{figure}")
                tile.setToolTip(_("Median and 90th percentile of days to resolution"))
            else:
                tile.setText(f"{names[key]}\n{figure}")

    def _tile_names(self) -> dict[str, str]:
        """Each figure named as the printed report names it (one msgid, ``report_text``): the
        screen's own words had drifted from the paper's (ru «Репатриировано» on a tile,
        «Возвращены на родину» in the PDF handed to HQ)."""
        lang = current_language()
        names = {tile: report_text(key, lang) for tile, key in FIGURE_TEXTS.items()}
        if self.figures is not None:
            names["open"] = report_text(open_text_key(self.figures), lang)
        names["median"] = _("Days to resolution (median / 90%)")
        return names

    def retranslate_ui(self, _language: str | None = None) -> None:
        for edit in (self.date_from, self.date_to):
            edit.setLocale(QLocale())  # month names in the interface's language
            edit.setDisplayFormat(qt_date_format())
        self.title.setText(_("Reports and statistics"))
        self.error.retranslate()  # a refusal of the filters, in the language chosen now
        self.from_label.setText(_("From"))
        self.to_label.setText(_("to"))
        self._refill_combo(self.period, _("Other period"), list(self._period_names().items()))
        # As wide as its longest period: a few short names, and the one chosen is read whole
        # («Последние 12 месяцев» ran under the arrow when sized to «Другой период»).
        self.period.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._show_period_name()
        self.period.setToolTip(_("Choose a month, a quarter or a year, or set the dates beside it"))
        self.country.set_any_text(_("All host countries"))
        self.country.refill()
        self._refill_combo(
            self.category,
            _("All categories"),
            [(c.value, _short(label(c), 40)) for c in Category],
        )
        self._refill_combo(self.mission, _("All missions"), [(m, m) for m in self._missions])
        self._fill_officers()
        self.refresh_button.setText(_("Refresh"))
        self._say_as_of()
        self.hide_names.setText(_("Hide names"))
        self.hide_names.setToolTip(_("Leave people's names out of exports, printouts and lists"))
        self.pdf_button.setText(_("Report as PDF…"))
        self.print_button.setText(_("&Print…"))
        self.print_button.setToolTip(_("Print the report in the language chosen for it"))
        self.tables_button.setText(_("Export tables…"))
        self.tables_button.setToolTip(
            _(
                "The tables as an Excel workbook, or as CSV files: one per table, named "
                "after the file chosen"
            )
        )
        self.report_lang.setToolTip(_("Language of the report and of its tables"))
        if self.figures is not None:
            self._draw()
        elif self.loading:
            self._set_tiles({})
        self._say_busy()
