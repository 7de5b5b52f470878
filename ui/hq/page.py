"""HQ's consolidation views: a tab each for missions, overdue cases and repeats.

Read off the GUI thread (``ui.tasks``); the missions and repeats are plain tables filled from
the service's dataclasses, the overdue cases a paged model (``ui.hq.overdue``): there may be
tens of thousands. Statistics across missions, with a mission filter, are in the Reports area.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.labels import case_status, urgency
from app.i18n import (
    _,
    country_name,
    current_language,
    format_datetime,
    format_number,
    ngettext,
)
from app.letters.states import official_name
from app.reports.export import StreamedTable, stream_csv_tables, stream_xlsx_tables
from app.reports.tables import Cell as FileCell
from app.reports.tables import ReportTable
from app.services.changes import DataChanged
from app.services.consolidation import (
    MAX_ROWS,
    ConsolidationService,
    MissionActivity,
    OverdueCase,
    Repeat,
)
from app.services.stats import StatsService
from app.services.workspace import Workspace
from ui.changes import Coalesced, listen_to_changes
from ui.hq.overdue import CASE_ID_ROLE, URGENCY, OverdueModel, overdue_headers
from ui.i18n_bridge import LanguageBridge
from ui.tasks import BackgroundTask, TaskContext, run_in_background, show_error
from ui.widgets.common import STRETCH, fit_first_entry, push_button, widget_row, word_wrapped
from ui.widgets.file_dialogs import save_path
from ui.widgets.plain import plain_label


@dataclass(frozen=True)
class Views:
    """The missions tab; the overdue cases and the repeats come on their own."""

    missions: list[MissionActivity]


# A cell: its text, or its text and the value it sorts by (a count, a date).
Cell = str | tuple[str, object]


ASCENDING, DESCENDING = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
REPEAT_MISSIONS = 2  # the missions a repeated person or employer is at
# At an HQ on a server, how old the rows may be when the area is shown again: other users'
# imports are not signalled across desktops, and the repeats take seconds at two million cases.
OTHERS_WRITE_S = 60.0
# Other desktops' writes heard while the area is shown (an import's stream of them): read
# again at most once a minute, once they have stopped for a few seconds (``Coalesced``); the
# repeats alone take seconds at two million cases, for every analyst at every notice.
OTHERS_EVERY_S, OTHERS_QUIET_S, OTHERS_LONGEST_S = 60.0, 5.0, 300.0
MISSION_CHARS = 8  # the overdue list's mission filter: a code, or "All missions" whole
# What the three tabs are read from: a bundle imported writes these.
READ_TABLES = ("case", "exchange_log", "mission", "person", "employer")


class _SortedItem(QTableWidgetItem):
    """Sorts by its value, not its text: as text "10" came before "9", and "01.12.2026"
    before "30.11.2026"."""

    def __init__(self, text: str, key: object) -> None:
        super().__init__(text)
        self.key = key

    def __lt__(self, other: QTableWidgetItem) -> bool:
        if isinstance(other, _SortedItem) and type(self.key) is type(other.key):
            return bool(self.key < other.key)  # type: ignore[operator]
        return super().__lt__(other)


def _fill(table: QTableWidget, rows: list[list[Cell]]) -> None:
    table.setSortingEnabled(False)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            item = QTableWidgetItem(cell) if isinstance(cell, str) else _SortedItem(*cell)
            if isinstance(cell, tuple) and isinstance(cell[1], int):  # counts read down a column
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.setSortingEnabled(True)
    table.resizeColumnsToContents()  # after: a header's width counts its sort arrow once shown


def _header_tip(table: QTableWidget, column: int, tip: str) -> None:
    item = table.horizontalHeaderItem(column)
    if item is not None:
        item.setToolTip(tip)


def _count(value: int | None) -> Cell:
    return ("—", -1) if value is None else (str(value), value)


def _days_silent(days: int | None) -> Cell:
    """A mission that never sent a bundle is the most silent of all: sorted by the days
    since, longest first, it came last (as -1), under missions silent a day."""
    return ("—", sys.maxsize) if days is None else (str(days), days)


def _table(
    columns: int, column: int = 0, order: Qt.SortOrder = ASCENDING, stretch: int | None = None
) -> QTableWidget:
    """A read-only table first sorted by ``column`` in ``order``; a column the user clicks
    stays sorted across refreshes. The ``stretch`` column (else the last) takes the room left:
    a count stretched across the page stood far from its heading."""
    table = QTableWidget(0, columns)
    # Qt's own first order (the first column, descending) sorted the rows as they were filled:
    # the longest overdue cases, read first, came out by case number, newest first.
    table.horizontalHeader().setSortIndicator(column, order)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return table


class HqPage(QWidget):
    case_opened = Signal(str)  # an overdue case's id, chosen to be opened
    cases_searched = Signal(str)  # a person's IIN, an employer's name
    mission_listed = Signal(str)  # a mission's code: the cases it holds
    exported = Signal(object)  # the files written, a list of Path

    def __init__(self, workspace: Workspace, bridge: LanguageBridge | None = None) -> None:
        super().__init__()
        self.service = ConsolidationService(workspace)
        self.stats = StatsService(workspace)  # audits an export
        self.views: Views | None = None
        self.found_repeats: list[Repeat] | None = None  # the rows shown; None before the first
        self._repeats_reading = False  # the repeats' tab says so meanwhile
        self._reading = 0  # reads under way: Refresh waits for both
        self._stale = False  # the data changed while the page was hidden
        self._on_server = workspace.on_server
        self._read_at: float | None = None  # when the last read ended (monotonic)
        self.intro = word_wrapped(QLabel())
        self.refresh_button = push_button(self.refresh)
        # What the analyst sends the department head: the lists as shown, in a workbook.
        self.export_button = push_button(self._ask_export)
        self.export_button.setEnabled(False)  # nothing read yet
        self.mission_label = QLabel()
        self.mission_filter = QComboBox()
        self.mission_label.setBuddy(self.mission_filter)
        self.mission_filter.currentIndexChanged.connect(self._show_overdue)
        # One mission's overdue cases or all, the newest choice only (``LatestOnly``): the list
        # of a mission passed over (arrow keys through the list) must not arrive last.
        self.overdue_model = OverdueModel(self.service)
        self.overdue_model.modelReset.connect(self._overdue_read)
        self.overdue_model.counted.connect(self._say_overdue)
        self.tabs = QTabWidget()
        self.missions = _table(8, stretch=1)  # by code; the country's name takes the room
        self.overdue = _overdue_view(self.overdue_model)
        self.repeats = _table(5, REPEAT_MISSIONS, DESCENDING)
        # Enter or a double click: the case, or every case of the person or employer.
        self.overdue.activated.connect(self._open_overdue)
        self.repeats.itemActivated.connect(self._search_repeat)
        self.missions.itemActivated.connect(self._search_mission)
        overdue_tab = QWidget()
        overdue_layout = QVBoxLayout(overdue_tab)
        filter_row = widget_row(self.mission_label, self.mission_filter, STRETCH)
        overdue_layout.addLayout(filter_row)
        # How many there are: the list reads them a page at a time as it scrolls.
        self.overdue_note = word_wrapped(plain_label())
        overdue_layout.addWidget(self.overdue_note)
        overdue_layout.addWidget(self.overdue)
        repeats_tab = QWidget()
        repeats_layout = QVBoxLayout(repeats_tab)
        self.repeats_note = word_wrapped(plain_label())  # how many, and whether capped
        repeats_layout.addWidget(self.repeats_note)
        repeats_layout.addWidget(self.repeats)
        self.tabs.addTab(self.missions, "")
        self.tabs.addTab(overdue_tab, "")
        self.tabs.addTab(repeats_tab, "")
        top = QHBoxLayout()
        top.addWidget(self.intro, 1)
        top.addWidget(self.refresh_button)
        top.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.retranslate_ui()
        if bridge is not None:  # a language chosen in Settings applies here at once too
            bridge.language_changed.connect(lambda _lang: self.retranslate_ui())
        self.others_wrote = Coalesced(
            self, self._read_others, OTHERS_EVERY_S, OTHERS_QUIET_S, OTHERS_LONGEST_S
        )
        self.refresh()
        # A bundle imported in Exchange: its mission still read "no bundle, 0 cases" here.
        listen_to_changes(self, workspace, self._data_changed)

    def _data_changed(self, change: DataChanged) -> None:
        if not change.touches(*READ_TABLES):
            return
        if self.isVisible() and change.from_elsewhere:
            self.others_wrote.heard()
        elif self.isVisible() and self._reading == 0:
            self.refresh()
        else:
            self._stale = True

    def _read_others(self) -> None:
        """Other desktops' changes waited for: read now, or once shown or read."""
        if self.isVisible() and self._reading == 0:
            self.refresh()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        if (self._stale or self._others_may_have_written()) and self._reading == 0:
            self._stale = False
            self.refresh()

    def _others_may_have_written(self) -> bool:
        """On a server, other desktops' imports are heard (``Workspace.hear_other_desktops``)
        unless the listening connection is cut (a transaction-mode pooler, a firewall): the
        area opened in the morning then still said "no bundle" of a mission the operator
        imported since. Read again when shown, once its rows are older than OTHERS_WRITE_S."""
        if not self._on_server or self._read_at is None:
            return False
        return time.monotonic() - self._read_at > OTHERS_WRITE_S

    def retranslate_ui(self) -> None:
        self.intro.setText(
            _(
                "Each mission's last bundle and cases, overdue cases across missions, and "
                "people or employers that turn up at several missions. Double-click a case "
                "to open it, a mission, a person or an employer to list their cases."
            )
        )
        self.refresh_button.setText(_("&Refresh"))
        self.export_button.setText(_("Export…"))
        self.export_button.setToolTip(
            _(
                "The three lists as shown (the overdue cases of the mission chosen) as an Excel "
                "workbook, a sheet each, or as CSV files, one per list"
            )
        )
        self.mission_label.setText(_("&Mission:"))
        self.tabs.setTabText(0, _("Missions"))
        self.tabs.setTabText(1, _("Overdue cases"))
        self.tabs.setTabText(2, _("At several missions"))
        self.missions.setHorizontalHeaderLabels(
            [
                _("Mission"),
                _("Country"),
                _("City"),
                _("Last bundle made"),
                _("Days since made"),
                _("Cases"),
                _("Open"),
                _("Overdue"),
            ]
        )
        self.overdue_model.retranslate()
        self._fit_overdue_columns()  # the headings' widths in this language
        self.repeats.setHorizontalHeaderLabels(
            [_("Who"), _("Person or employer"), _("Missions"), _("Cases"), _("Case numbers")]
        )
        # A transferred case is at two missions: each column says which one it counts at.
        held_now = _("A case transferred between missions counts at the mission handling it now.")
        for column in (5, 6, 7):  # cases, open, overdue
            _header_tip(self.missions, column, held_now)
        # An old bundle imported today is not news of the mission today.
        made = _(
            "When the mission made its latest bundle, not when it was imported here: the "
            "Exchange area's log says when each bundle was received."
        )
        for column in (3, 4):
            _header_tip(self.missions, column, made)
        _header_tip(
            self.repeats,
            REPEAT_MISSIONS,
            _("A case counts at the mission that opened it, also after a transfer."),
        )
        if self.mission_filter.count():
            self.mission_filter.setItemText(0, _("All missions"))
            fit_first_entry(self.mission_filter, MISSION_CHARS)
        if self.views is not None:
            self._show(self.views)
            self._say_overdue()
        if self.found_repeats is not None:
            self._show_repeats(self.found_repeats)
        else:
            self._say_repeats()

    def refresh(self) -> None:
        """The missions and overdue cases, and apart from them the repeats: at two million
        cases the repeats take many seconds (every case grouped twice), which the first
        tab need not wait for."""
        self.refresh_button.setEnabled(False)
        self.others_wrote.reading()
        self._repeats_reading = True
        self._say_repeats()
        service = self.service

        def now(_context: TaskContext) -> Views:
            return Views(service.missions())

        def repeats(_context: TaskContext) -> list[Repeat]:
            return service.repeats()

        self._reading = 2
        run_in_background(self, now, self._read).finished.connect(self._read_one)
        run_in_background(self, repeats, self._repeats_read).finished.connect(self._read_one)

    def _read_one(self) -> None:
        self._reading -= 1
        if self._reading == 0:
            self._read_at = time.monotonic()
            self.refresh_button.setEnabled(True)
            if self._stale and self.isVisible():  # changed while it was read
                self._stale = False
                self.refresh()
                return
            if self._repeats_reading:  # their read failed (its error was shown)
                self._repeats_reading = False
                self._say_repeats()

    def _read(self, views: Views) -> None:
        """The missions read: shown, and the overdue cases read again in their scope."""
        self._show(views)
        self._show_overdue()

    def _show(self, views: Views) -> None:
        self.views = views
        self.export_button.setEnabled(True)
        now = datetime.now(UTC)
        language = current_language()
        _fill(
            self.missions,
            [
                [
                    m.code,
                    country_name(m.country) if m.country else "—",
                    m.city_in(language) or "—",
                    # In the interface's date format and this computer's time, not UTC's ISO.
                    (format_datetime(m.last_bundle_at.astimezone()), m.last_bundle_at)
                    if m.last_bundle_at
                    else ("—", datetime.min.replace(tzinfo=UTC)),
                    _days_silent(m.days_silent(now)),
                    _count(m.cases),
                    _count(m.open_cases),
                    _count(m.overdue_cases),
                ]
                for m in views.missions
            ],
        )
        chosen = self.mission_filter.currentData()
        self.mission_filter.blockSignals(True)
        self.mission_filter.clear()
        self.mission_filter.addItem(_("All missions"), None)
        for m in views.missions:
            self.mission_filter.addItem(m.code, m.code)
        index = self.mission_filter.findData(chosen)
        self.mission_filter.setCurrentIndex(max(index, 0))
        self.mission_filter.blockSignals(False)
        # Filled after the combo was first shown, empty: it kept that width and cut "All
        # missions" to «Барлық өкіл», «Все загрануч».
        fit_first_entry(self.mission_filter, MISSION_CHARS)

    def _repeats_read(self, repeats: list[Repeat]) -> None:
        self.found_repeats, self._repeats_reading = repeats, False
        self._show_repeats(repeats)

    def _show_repeats(self, repeats: list[Repeat]) -> None:
        kinds = {"person": _("Person (IIN)"), "employer": _("Employer")}
        _fill(
            self.repeats,
            [
                [
                    kinds[r.kind],
                    r.who(),
                    # The most missions first, then the most cases.
                    (", ".join(r.missions), (len(r.missions), r.cases)),
                    _count(r.cases),
                    r.numbers_listed(),
                ]
                for r in repeats
            ],
        )
        self._say_repeats()

    def _say_repeats(self) -> None:
        """How many people and employers are at several missions (each list is capped), or
        that they are being looked for."""
        repeats = self.found_repeats
        if self._repeats_reading:
            self.repeats_note.setText(_("Looking for people and employers at several missions…"))
            return
        if repeats is None:
            self.repeats_note.clear()
            return
        people = sum(r.kind == "person" for r in repeats)
        employers = len(repeats) - people
        text = _(
            "People at several missions: {people}. Employers: {employers}. A case counts at "
            "the mission that opened it, also after a transfer."
        ).format(people=format_number(people), employers=format_number(employers))
        if MAX_ROWS in (people, employers):
            text += " " + _("Each list stops at {n}: there may be more.").format(
                n=format_number(MAX_ROWS)
            )
        self.repeats_note.setText(text)

    def _show_overdue(self) -> None:
        """The overdue cases of the mission chosen, or of all, read again from the first."""
        if self.views is not None:
            self.overdue_model.reload(self.mission_filter.currentData())

    @property
    def shown_overdue(self) -> list[OverdueCase]:
        """The overdue cases read so far, in the list's order."""
        return self.overdue_model.rows

    def _overdue_read(self) -> None:
        self._fit_overdue_columns()

    def _fit_overdue_columns(self) -> None:
        """The columns as wide as their cells. The view's row header is hidden, and a hidden
        header lays its rows out again after a reset only once shown, that is never: the
        columns were fitted to no rows, their headings only ("IS…" for every case number)."""
        self.overdue.verticalHeader().doItemsLayout()
        self.overdue.resizeColumnsToContents()

    def _open_overdue(self, index: QModelIndex) -> None:
        case_id = index.siblingAtColumn(0).data(CASE_ID_ROLE)
        if case_id:
            self.case_opened.emit(case_id)

    def _search_mission(self, item: QTableWidgetItem) -> None:
        code = self.missions.item(item.row(), 0)
        if code is not None:
            self.mission_listed.emit(code.text())

    def _search_repeat(self, item: QTableWidgetItem) -> None:
        key = self.repeats.item(item.row(), 1)
        if key is None:
            return
        # A person's cases by the IIN; an employer's by its name's own words, which find it
        # however each mission wrote it ("Hanil Co., Ltd. (South Korea)" is searched as "hanil").
        found = {r.who(): r.search for r in self.found_repeats or []}
        self.cases_searched.emit(found.get(key.text()) or key.text())

    def _say_overdue(self) -> None:
        """How many overdue cases there are in the chosen scope (once counted)."""
        total = self.overdue_model.total
        if total is None:
            return
        text = ngettext("{n} overdue case.", "{n} overdue cases.", total).format(
            n=format_number(total)
        )
        self.overdue_note.setText(text)

    def _ask_export(self) -> None:
        stamp = datetime.now().strftime("%Y-%m-%d")
        path = save_path(
            self,
            _("Export the lists"),
            f"qorgau-hq-{stamp}.xlsx",
            _("Excel workbook (*.xlsx);;CSV (*.csv)"),
        )
        if path is not None:
            # A name typed without a suffix is a workbook, the first choice offered.
            suffixed = path.suffix.lower() in (".csv", ".xlsx")
            self.export_views(path if suffixed else path.with_name(path.name + ".xlsx"))

    def export_views(self, path: Path) -> BackgroundTask[list[Path]]:
        """The three lists as shown to ``path``: a workbook (.xlsx), a sheet each, or CSV
        files, one per list, by its suffix; off the GUI thread, audited as an export."""
        tables, about = self.view_tables(), self._about()
        language, stats = current_language(), self.stats
        mission = self.mission_filter.currentData() or ""
        details = {"format": path.suffix[1:].lower(), "mission": mission}

        def work(_context: TaskContext) -> list[Path]:
            if path.suffix.lower() == ".csv":
                written = stream_csv_tables(tables, path)
            else:
                title = _("Headquarters: missions, overdue cases, repeats")
                written = [
                    stream_xlsx_tables(tables, path, title=title, lang=language, about=about)
                ]
            stats.record_export("hq_views", details)
            return written

        task: BackgroundTask[list[Path]] = BackgroundTask(self, work)
        task.while_busy(self.export_button)
        task.success(self.exported.emit).failure(lambda exc: show_error(self, exc))
        return task.run_in_background()

    def _about(self) -> list[str]:
        """The head of the workbook: when the lists were read, and what each note says."""
        read = _("Read on {when}.").format(when=format_datetime(datetime.now().astimezone()))
        scope = _("Overdue cases of: {mission}.").format(mission=self.mission_filter.currentText())
        notes = (self.overdue_note.text(), self.repeats_note.text())
        return [read, scope, *(note for note in notes if note)]

    def view_tables(self) -> list[ReportTable | StreamedTable]:
        """The missions, the overdue cases of the mission chosen (every one, in the list's
        order, read as the file is written) and the repeats, in the interface's language,
        with counts as numbers, due dates as dates, the bundles' times as times and states by
        their official names."""
        language, now = current_language(), datetime.now(UTC)
        missions = [
            (
                m.code,
                # A file sent on is a document: states by their official names, as the
                # reports name them; the screen's list keeps CLDR's short ones.
                official_name(m.country, language),
                m.city_in(language),
                # A date cell in this computer's time, as the list shows it: as text, Excel
                # sorted «10.12.2026» before «09.01.2027».
                m.last_bundle_at.astimezone() if m.last_bundle_at else None,
                m.days_silent(now),
                m.cases,
                m.open_cases,
                m.overdue_cases,
            )
            for m in (self.views.missions if self.views else [])
        ]
        model, service = self.overdue_model, self.service
        scope, sort, descending = model.mission, model.sort_key, model.descending

        def overdue() -> Iterator[tuple[FileCell, ...]]:
            for c in service.each_overdue(scope, sort, descending):
                status, level = case_status(c.status), urgency(c.urgency)
                yield (c.number, c.mission, status, level, c.due_date, c.days_overdue)

        kinds = {"person": _("Person (IIN)"), "employer": _("Employer")}

        def officially(code: str) -> str:
            return official_name(code, language)

        repeats = [
            (kinds[r.kind], r.who(officially), ", ".join(r.missions), r.cases, r.numbers_listed())
            for r in self.found_repeats or []
        ]
        return [
            ReportTable("missions", _("Missions"), _headers(self.missions), tuple(missions)),
            StreamedTable("overdue", _("Overdue cases"), tuple(overdue_headers()), overdue()),
            ReportTable(
                "repeats", _("At several missions"), _headers(self.repeats), tuple(repeats)
            ),
        ]


def _overdue_view(model: OverdueModel) -> QTableView:
    """The overdue cases, sorted by the column clicked in the database (the model's
    ``sort``); first the most urgent, then the longest overdue."""
    view = QTableView()
    view.setModel(model)
    header = view.horizontalHeader()
    header.setSortIndicator(URGENCY, DESCENDING)
    view.setSortingEnabled(True)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)  # the status's label
    return view


def _headers(table: QTableWidget) -> tuple[str, ...]:
    """The table's headings as shown, in the interface's language."""
    return tuple(
        item.text() if (item := table.horizontalHeaderItem(c)) is not None else ""
        for c in range(table.columnCount())
    )
