"""HQ's consolidation views: a tab each for missions, overdue cases and repeats.

Read off the GUI thread (``ui.tasks``); each tab is a plain table filled from the service's
dataclasses. Statistics across missions, with a mission filter, are in the Reports area.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import Urgency
from app.domain.labels import case_status, urgency
from app.i18n import (
    _,
    country_name,
    current_language,
    format_date,
    format_datetime,
    format_number,
    ngettext,
)
from app.reports.export import write_csv, write_xlsx
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
from ui.changes import listen_to_changes
from ui.i18n_bridge import LanguageBridge
from ui.palette import URGENCY_COLOURS
from ui.tasks import BackgroundTask, LatestOnly, TaskContext, run_in_background, show_error
from ui.widgets.common import STRETCH, fit_first_entry, push_button, widget_row, word_wrapped
from ui.widgets.file_dialogs import save_path
from ui.widgets.plain import plain_label


@dataclass(frozen=True)
class Views:
    """The missions and overdue tabs, read together; the repeats come on their own."""

    missions: list[MissionActivity]
    overdue: list[OverdueCase]


# A cell: its text, or its text and the value it sorts by (a count, a date).
Cell = str | tuple[str, object]


ASCENDING, DESCENDING = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
URGENCY, DAYS_OVERDUE = 3, 5  # the overdue list's columns
# Sorted by how urgent, not by the label's letters: critical (life or liberty) above high.
URGENCY_RANK = {code.value: rank for rank, code in enumerate(Urgency)}
REPEAT_MISSIONS = 2  # the missions a repeated person or employer is at
# At an HQ on a server, how old the rows may be when the area is shown again: other users'
# imports are not signalled across desktops, and the repeats take seconds at two million cases.
OTHERS_WRITE_S = 60.0
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
        self.shown_overdue: list[OverdueCase] = []
        self.intro = word_wrapped(QLabel())
        self.refresh_button = push_button(self.refresh)
        # What the analyst sends the department head: the lists as shown, in a workbook.
        self.export_button = push_button(self._ask_export)
        self.export_button.setEnabled(False)  # nothing read yet
        self.mission_label = QLabel()
        self.mission_filter = QComboBox()
        self.mission_label.setBuddy(self.mission_filter)
        self.mission_filter.currentIndexChanged.connect(self._show_overdue)
        # One mission's overdue cases, the newest choice only: read each in a task of its own,
        # the list of a mission passed over (arrow keys through the list) could arrive last
        # and stay under another mission's name, or under "All missions".
        db = workspace.db
        self._overdue_reader = LatestOnly(self, db.interrupt, resume=db.resume)
        self._overdue_reader.answered.connect(lambda _step, cases: self._fill_overdue(cases))
        self._overdue_reader.refused.connect(lambda exc: show_error(self, exc))
        self.tabs = QTabWidget()
        self.missions = _table(8, stretch=1)  # by code; the country's name takes the room
        self.overdue = _table(6, DAYS_OVERDUE, DESCENDING, stretch=2)
        self.repeats = _table(5, REPEAT_MISSIONS, DESCENDING)
        # Enter or a double click: the case, or every case of the person or employer.
        self.overdue.itemActivated.connect(self._open_overdue)
        self.repeats.itemActivated.connect(self._search_repeat)
        self.missions.itemActivated.connect(self._search_mission)
        overdue_tab = QWidget()
        overdue_layout = QVBoxLayout(overdue_tab)
        filter_row = widget_row(self.mission_label, self.mission_filter, STRETCH)
        overdue_layout.addLayout(filter_row)
        # The list is capped (MAX_ROWS): it says how many there are beside how many it shows.
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
        self.refresh()
        # A bundle imported in Exchange: its mission still read "no bundle, 0 cases" here.
        listen_to_changes(self, workspace, self._data_changed)

    def _data_changed(self, change: DataChanged) -> None:
        if not change.touches(*READ_TABLES):
            return
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
                _("Last bundle"),
                _("Days since"),
                _("Cases"),
                _("Open"),
                _("Overdue"),
            ]
        )
        self.overdue.setHorizontalHeaderLabels(
            [_("Case"), _("Mission"), _("Status"), _("Urgency"), _("Due"), _("Days overdue")]
        )
        self.repeats.setHorizontalHeaderLabels(
            [_("Who"), _("IIN or employer"), _("Missions"), _("Cases"), _("Case numbers")]
        )
        # A transferred case is at two missions: each column says which one it counts at.
        held_now = _("A case transferred between missions counts at the mission handling it now.")
        for column in (5, 6, 7):  # cases, open, overdue
            _header_tip(self.missions, column, held_now)
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
        if self.found_repeats is not None:
            self._show_repeats(self.found_repeats)
        else:
            self._say_repeats()

    def refresh(self) -> None:
        """The missions and overdue cases, and apart from them the repeats: at two million
        cases the repeats take many seconds (every case grouped twice), which the first
        tab need not wait for."""
        self.refresh_button.setEnabled(False)
        self._repeats_reading = True
        self._say_repeats()
        service = self.service

        def now(_context: TaskContext) -> Views:
            return Views(service.missions(), service.overdue())

        def repeats(_context: TaskContext) -> list[Repeat]:
            return service.repeats()

        self._reading = 2
        run_in_background(self, now, self._show).finished.connect(self._read_one)
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
        self._show_overdue()

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
                    ", ".join(r.case_numbers),
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
        """One mission's overdue cases are asked of the database (the list of all is capped)."""
        if self.views is None:
            return
        mission = self.mission_filter.currentData()
        if mission is None:
            self._overdue_reader.cancel()  # a mission's list on its way is no longer wanted
            self._fill_overdue(self.views.overdue)
            return
        service = self.service
        self._overdue_reader.submit([lambda: service.overdue(mission)])

    def _fill_overdue(self, cases: list[OverdueCase]) -> None:
        self.shown_overdue = cases
        self._say_overdue()
        _fill(
            self.overdue,
            [
                [
                    c.number,
                    c.mission,
                    case_status(c.status),
                    # The duty officer's first question of an overdue case: a life at risk?
                    # Its rank in a tuple: a label, not a count, so read from the left.
                    (urgency(c.urgency), (URGENCY_RANK.get(c.urgency, -1),)),
                    (format_date(c.due_date), c.due_date),
                    _count(c.days_overdue),
                ]
                for c in cases
            ],
        )
        critical = (URGENCY_RANK[Urgency.CRITICAL],)
        for row in range(self.overdue.rowCount()):  # in the order sorted, not as read
            item = self.overdue.item(row, URGENCY)
            if isinstance(item, _SortedItem) and item.key == critical:
                item.setForeground(QBrush(QColor(URGENCY_COLOURS["critical"])))

    def _open_overdue(self, item: QTableWidgetItem) -> None:
        number = self.overdue.item(item.row(), 0)
        chosen = [c for c in self.shown_overdue if number and c.number == number.text()]
        if chosen:
            self.case_opened.emit(chosen[0].case_id)

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
        """How many overdue cases there are in the chosen scope, and how many are listed."""
        if self.views is None:
            return
        mission = self.mission_filter.currentData()
        total = sum(m.overdue_cases for m in self.views.missions if mission in (None, m.code))
        shown = len(self.shown_overdue)
        if shown < total:
            text = _("The {shown} longest overdue of {total} overdue cases.").format(
                shown=format_number(shown), total=format_number(total)
            )
        else:
            text = ngettext("{n} overdue case.", "{n} overdue cases.", shown).format(
                n=format_number(shown)
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
                written = write_csv(tables, path)
            else:
                title = _("Headquarters: missions, overdue cases, repeats")
                written = [write_xlsx(tables, path, title=title, lang=language, about=about)]
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

    def view_tables(self) -> list[ReportTable]:
        """The missions, the overdue cases shown and the repeats, in the interface's language,
        with counts as numbers and due dates as dates."""
        language, now = current_language(), datetime.now(UTC)
        missions = [
            (
                m.code,
                country_name(m.country) if m.country else "",
                m.city_in(language),
                format_datetime(m.last_bundle_at.astimezone()) if m.last_bundle_at else "",
                m.days_silent(now),
                m.cases,
                m.open_cases,
                m.overdue_cases,
            )
            for m in (self.views.missions if self.views else [])
        ]
        overdue = [
            (
                c.number,
                c.mission,
                case_status(c.status),
                urgency(c.urgency),
                c.due_date,
                c.days_overdue,
            )
            for c in self.shown_overdue
        ]
        kinds = {"person": _("Person (IIN)"), "employer": _("Employer")}
        repeats = [
            (kinds[r.kind], r.who(), ", ".join(r.missions), r.cases, ", ".join(r.case_numbers))
            for r in self.found_repeats or []
        ]
        return [
            ReportTable("missions", _("Missions"), _headers(self.missions), tuple(missions)),
            ReportTable("overdue", _("Overdue cases"), _headers(self.overdue), tuple(overdue)),
            ReportTable(
                "repeats", _("At several missions"), _headers(self.repeats), tuple(repeats)
            ),
        ]


def _headers(table: QTableWidget) -> tuple[str, ...]:
    """The table's headings as shown, in the interface's language."""
    return tuple(
        item.text() if (item := table.horizontalHeaderItem(c)) is not None else ""
        for c in range(table.columnCount())
    )
