"""The cases behind a chart segment, in a dialog that can export them.

A segment may count tens of thousands of cases (every case opened in the year, at 100k). The
dialog opens at once; the ids of all of them are read off the GUI thread, newest first, and
their rows a page at a time as the list is scrolled, so it says how many there are, shows
them all, and its CSV holds all of them (written off the GUI thread too).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import CaseStatus, Category, label
from app.domain.names import person_name
from app.i18n import _, current_language, format_date, format_number, ngettext
from app.reports.export import stream_csv, stream_xlsx
from app.reports.tables import case_list_headers, case_list_row
from app.services.records import CaseRow
from app.services.stats import Drilldown, StatsService
from ui.models.case_table_model import anonymised_text
from ui.tasks import BackgroundTask, TaskContext, show_refusal
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import STRETCH, ErrorLabel, open_at, open_on_enter, widget_row
from ui.widgets.file_dialogs import save_path
from ui.widgets.plain import plain_label, plain_tooltip

PAGE = 200  # rows read at a time as the list scrolls
CATEGORIES = 6  # the column of the categories, which may be long: its tooltip lists them

Index = QModelIndex | QPersistentModelIndex


def headers() -> list[str]:
    return [
        _("Number"),
        _("Received"),
        _("Status"),
        _("Country"),
        _("Worker"),
        _("Employer"),
        _("Categories"),
    ]


def cells(row: CaseRow, hide_names: bool, language: str) -> tuple[str, ...]:
    """The row's cells as the list shows them, the worker named as the report (and its
    export) in ``language`` names them."""
    return (
        row.number,
        format_date(row.received_at),
        label(CaseStatus(row.status)),
        row.host_country,
        _("(hidden)")
        if hide_names
        else anonymised_text()
        if row.anonymised
        else person_name(row.worker, language),
        row.employer_name,
        ", ".join(label(Category(c)) for c in row.categories),
    )


_Page = tuple[list[CaseRow], list[tuple[str, ...]]]  # rows read, and their cells' texts


@dataclass(frozen=True)
class _Found:
    ids: list[str]
    rows: list[CaseRow]


class BehindModel(QAbstractTableModel):
    """Every case behind a segment: all their ids, their rows read ``PAGE`` at a time."""

    def __init__(self, read_rows: Callable[[Sequence[str]], list[CaseRow]], hide_names: bool):
        super().__init__()
        self._read_rows = read_rows
        self.hide_names = hide_names
        self.ids: list[str] = []
        self.rows: list[CaseRow] = []
        self._texts: list[tuple[str, ...]] = []
        self._reading: BackgroundTask[_Page] | None = None  # the next page, on its way

    def show(self, ids: list[str], rows: list[CaseRow]) -> None:
        self.beginResetModel()
        self.ids, self.rows = ids, list(rows)
        language = current_language()
        self._texts = [cells(r, self.hide_names, language) for r in rows]
        self.endResetModel()

    def retranslate(self) -> None:
        """The rows read so far in the language chosen now: statuses, dates, categories."""
        language = current_language()
        self._texts = [cells(r, self.hide_names, language) for r in self.rows]
        if self._texts:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._texts) - 1, CATEGORIES))
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, CATEGORIES)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else CATEGORIES + 1

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and len(self.rows) < len(self.ids)

    @property
    def reading(self) -> bool:
        return self._reading is not None

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008
        """The next page, read off the GUI thread (by id: 17 ms at 100k cases, about 100 ms
        at 300k with the pages not in the cache); its rows go in when they come. Asked again
        meanwhile (the view scrolled on), nothing more starts."""
        first = len(self.rows)
        wanted = self.ids[first : first + PAGE]
        if parent.isValid() or self._reading is not None or not wanted:
            return
        read, hide_names, language = self._read_rows, self.hide_names, current_language()

        def work(_context: TaskContext) -> _Page:
            rows = read(wanted)
            return rows, [cells(r, hide_names, language) for r in rows]

        task: BackgroundTask[_Page] = BackgroundTask(None, work)
        task.success(lambda found: self._arrived(first, wanted, *found))
        task.finished.connect(self._read_done)
        self._reading = task.run_in_background()

    def _read_done(self) -> None:
        self._reading = None

    def _arrived(
        self, first: int, wanted: list[str], rows: list[CaseRow], texts: list[tuple[str, ...]]
    ) -> None:
        if first != len(self.rows):
            return  # the list was shown again meanwhile
        if len(rows) < len(wanted):  # deleted meanwhile: left out of the list
            there = {r.id for r in rows}
            self.ids[first : first + len(wanted)] = [i for i in wanted if i in there]
        if not rows:
            return
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self._texts.extend(texts)
        self.endInsertRows()

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section <= CATEGORIES:
            return headers()[section]
        return section + 1 if orientation == Qt.Orientation.Vertical else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._texts):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[index.row()][index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == CATEGORIES:
            categories = self.rows[index.row()].categories
            return plain_tooltip("\n".join(label(Category(c)) for c in categories)) or None
        return None


class CaseListDialog(QDialog):
    """A read-only list of the cases behind ``drill``; ``hide_names`` blanks people's names on
    screen and in files. ``loaded`` once the list has come. ``title`` given as a function is
    said again on a language switch: the dialog stays open beside the window (not modal), so
    the officer may switch in Settings while it is open.

    A double click or Enter on a row emits ``case_opened`` with the case's id."""

    case_opened = Signal(str)
    loaded = Signal()
    exported = Signal(object)  # the Path written

    def __init__(
        self,
        service: StatsService,
        drill: Drilldown,
        title: str | Callable[[], str],
        hide_names: bool,
        parent: QWidget | None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.hide_names = hide_names
        self._title = title if callable(title) else (lambda: title)
        self._found_once = False  # the count is said once the list has come
        open_at(self, QSize(1000, 540))
        self.count_label = plain_label()
        self.busy = BusyIndicator()
        self.error = ErrorLabel()
        self.model = BehindModel(lambda ids: service.rows_of(ids), hide_names)
        self.table = QTableView()
        self.table.setModel(self.model)
        open_on_enter(self.table, lambda index: self._open_row(index.row()))
        self.table.doubleClicked.connect(lambda index: self._open_row(index.row()))
        self.table.setObjectName("case_list")
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.export_button = QPushButton()
        self.export_button.setEnabled(False)  # until the list has come
        self.export_button.clicked.connect(self._ask_file)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(widget_row(self.count_label, STRETCH, self.busy))
        layout.addWidget(self.error)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.retranslate_ui()
        self._find(drill)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(self._title())
        self.table.setToolTip(_("Double-click a case (or press Enter) to open it"))
        self.export_button.setText(_("Export…"))
        self.model.retranslate()
        if self._found_once:
            self._say_count()
            self._fit_columns()  # "In progress" is «Жұмыс үстінде»: sized to the new words

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    @property
    def rows(self) -> list[CaseRow]:
        """The rows read so far, top to bottom."""
        return self.model.rows

    @property
    def total(self) -> int:
        return len(self.model.ids)

    def numbers(self) -> list[str]:
        """The case numbers read so far, top to bottom."""
        return [row.number for row in self.model.rows]

    def text(self, row: int, column: int) -> str:
        return str(self.model.data(self.model.index(row, column)))

    def _find(self, drill: Drilldown) -> None:
        service = self.service

        def work(_context: TaskContext) -> _Found:
            ids = service.ids_behind(drill)
            return _Found(ids, service.rows_of(ids[:PAGE]))

        self.count_label.setText("")
        self.busy.start(lambda: _("Finding the cases…"))
        task: BackgroundTask[_Found] = BackgroundTask(self, work)
        task.success(self._found).failure(self._not_found).run_in_background()

    def _found(self, found: _Found) -> None:
        self.busy.stop()
        self.model.show(found.ids, found.rows)
        self._found_once = True
        self._say_count()
        self._fit_columns()
        self.export_button.setEnabled(self.total > 0)
        self.loaded.emit()

    def _fit_columns(self) -> None:
        self.table.resizeColumnsToContents()  # from the first page only
        header = self.table.horizontalHeader()
        for column in range(CATEGORIES):  # none wider than a third of the list
            header.resizeSection(column, min(header.sectionSize(column), self.width() // 3))

    def _say_count(self) -> None:
        self.count_label.setText(
            ngettext("{n} case", "{n} cases", self.total).format(n=format_number(self.total))
        )

    def _not_found(self, exc: BaseException) -> None:
        self.busy.stop()
        show_refusal(self, self.error, exc)

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.model.rows):
            self.case_opened.emit(self.model.rows[row].id)

    def export_list(self, path: Path) -> BackgroundTask[Path]:
        """Every case of the list to ``path``, a workbook (.xlsx) or CSV by its suffix, off
        the GUI thread with a progress dialog (the list may hold tens of thousands); audited
        as a stats export."""
        service, ids, hide_names = self.service, list(self.model.ids), self.hide_names
        language, title = current_language(), self.windowTitle()
        as_csv = path.suffix.lower() == ".csv"

        def work(context: TaskContext) -> Path:
            def progress(done: int, total: int) -> None:
                context.check_cancelled()
                context.report(done, total)

            rows = (
                case_list_row(row, language, hide_names)
                for batch in service.rows_in_batches(ids, progress)
                for row in batch
            )
            headers = case_list_headers(language)
            count = (
                stream_csv(path, headers, rows)
                if as_csv
                else stream_xlsx(path, headers, rows, title=title, lang=language)
            )
            details = {"count": count, "hide_names": hide_names, "format": path.suffix[1:]}
            service.record_export("cases", details)
            return path

        task: BackgroundTask[Path] = BackgroundTask(self, work)
        task.with_progress(_("Writing the list…"), cancellable=True)
        task.while_busy(self.export_button)
        task.success(self.exported.emit).failure(lambda exc: show_refusal(self, self.error, exc))
        return task.run_in_background()

    def _ask_file(self) -> None:
        path = save_path(
            self,
            _("Export the list"),
            "qorgau-cases.xlsx",
            _("Excel workbook (*.xlsx);;CSV (*.csv)"),
        )
        if path is not None:
            # A name typed without a suffix is a workbook, the first choice offered.
            self.export_list(
                path
                if path.suffix.lower() in (".csv", ".xlsx")
                else path.with_name(path.name + ".xlsx")
            )
