"""One of the report's tables on the dashboard: read-only, each counted cell clickable.

The table is the one ``app.reports.tables`` builds for the PDF and the workbook, so the screen
and the paper say the same; the page says which ``Drilldown`` a cell stands for, or for a
returnee figure which ``ReturneeFilter`` (none where there is nothing to list).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date, format_number
from app.reports.tables import Cell, ReportTable
from app.services.returnees import ReturneeFilter
from app.services.stats import Drilldown
from ui.widgets.common import open_on_enter

Index = QModelIndex | QPersistentModelIndex
# (row, column) -> the cases behind the cell, or the returnees' records behind it
DrillAt = Callable[[int, int], Drilldown | ReturneeFilter | None]


def cell_text(cell: Cell) -> str:
    """A cell as the interface writes it: numbers and dates in the interface's locale."""
    if cell is None:
        return "—"
    if isinstance(cell, bool):  # not a number to format, though Python says it is one
        return str(cell)
    if isinstance(cell, int | float | Decimal):
        return format_number(cell)
    if isinstance(cell, date):
        return format_date(cell)
    return str(cell)


class ReportTableModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = ReportTable("", "", (), ())
        self.drill_at: DrillAt = lambda _row, _column: None

    def show_table(self, table: ReportTable, drill_at: DrillAt) -> None:
        self.beginResetModel()
        self.table, self.drill_at = table, drill_at
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt names
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt names
        return 0 if parent.isValid() else len(self.table.headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self.table.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(cell)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(cell, int | float | Decimal):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            text = cell_text(cell)  # a long name may be elided in its column
            behind = self.drill_at(index.row(), index.column())
            if behind is None:
                return text
            # Outside the f-string, for extraction.
            if isinstance(behind, ReturneeFilter):
                hint = _("Click to list the returnees")
            else:
                hint = _("Click to list the cases")
            return f"{text}\n{hint}"
        return None

    def headerData(  # noqa: N802 - Qt name
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.table.headers)
        ):
            return self.table.headers[section]
        return None


# A column of names or countries beside the first takes at most this share of the table: a
# long country name took 243 of the employers table's 396 pixels at 150 %, its names 76.
TEXT_SHARE = 1 / 3
SLACK = 8  # font metrics round; a column exactly as wide as its word elided it
WRAPPED = Qt.AlignmentFlag(Qt.AlignmentFlag.AlignCenter.value | Qt.TextFlag.TextWordWrap.value)


class WrappingHeader(QHeaderView):
    """A horizontal header whose titles wrap at their column's width, as tall as the tallest:
    on one line, «Хотят получить направление» took 207 pixels over figures of two digits and
    left the returnee tables' names 26 at 150 % display scaling, the tables scrolling
    sideways."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setDefaultAlignment(WRAPPED)

    def sectionSizeFromContents(self, logical_index: int) -> QSize:  # noqa: N802 - Qt name
        size = super().sectionSizeFromContents(logical_index)
        model = self.model()
        text = str(model.headerData(logical_index, self.orientation()) or "") if model else ""
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self)
        width = max(self.sectionSize(logical_index) - 2 * margin, 1)
        flags = int(WRAPPED.value)
        needed = self.fontMetrics().boundingRect(QRect(0, 0, width, 10_000), flags, text)
        size.setHeight(max(size.height(), needed.height() + 2 * margin))
        return size

    def longest_word(self, logical_index: int) -> int:
        """The width the title needs wrapped as far as it goes: its longest word."""
        model = self.model()
        text = str(model.headerData(logical_index, self.orientation()) or "") if model else ""
        margin = self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin, None, self)
        words = text.split() or [""]
        return max(self.fontMetrics().horizontalAdvance(w) for w in words) + 2 * margin + SLACK


class FigureTable(QWidget):
    """A titled table; a click (or Enter) on a counted cell emits ``cases_requested`` (or, for
    a returnee figure, ``returnees_requested``)."""

    cases_requested = Signal(object)  # Drilldown
    returnees_requested = Signal(object)  # ReturneeFilter

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: 600;")
        self.title.setWordWrap(True)
        self.empty = QLabel()
        self.model = ReportTableModel(self)
        self.view = QTableView()
        self.header = WrappingHeader(self.view)
        self.view.setHorizontalHeader(self.header)
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        # The page scrolls, not each table: a table is as tall as its rows (ten at most).
        self.view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.clicked.connect(self._open)
        open_on_enter(self.view, self._open)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.view)
        layout.addWidget(self.empty)
        layout.addStretch(1)  # beside a taller table, this one stays at the top

    def show_table(self, table: ReportTable, drill_at: DrillAt, no_rows: str) -> None:
        """``table`` drawn; ``no_rows`` said in its place when it has no rows."""
        self.title.setText(table.title)
        self.model.show_table(table, drill_at)
        self.header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        if table.headers:
            # The first column (the name) takes the room the others leave.
            self.header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self._fit_columns()
        self.view.setVisible(bool(table.rows))
        self.empty.setText(no_rows)
        self.empty.setVisible(not table.rows)

    def _fit_columns(self) -> None:
        """Each column after the first as wide as its cells, its title wrapped to its longest
        word; a text column (a country) at most ``TEXT_SHARE`` of the table, elided (whole in
        the tooltip); then the table as tall as its header and rows."""
        header, view = self.header, self.view
        room = view.viewport().width() or view.width()
        for column in range(1, self.model.columnCount()):
            cells = view.sizeHintForColumn(column)
            if not self._counts(column):
                cells = min(cells, int(room * TEXT_SHARE))
            header.resizeSection(column, max(cells, header.longest_word(column)))
        # The header measures its titles again at their new widths (its size hint is cached).
        header.headerDataChanged(Qt.Orientation.Horizontal, 0, max(self.model.columnCount() - 1, 0))
        view.resizeRowsToContents()
        frame = 2 * view.frameWidth()
        scroll = view.horizontalScrollBar().sizeHint().height()
        height = header.sizeHint().height() + view.verticalHeader().length() + frame
        view.setFixedHeight(height + (scroll if self._too_wide() else 0))

    def _counts(self, column: int) -> bool:
        """Whether ``column`` holds figures (a text column is capped)."""
        rows = self.model.table.rows
        return any(isinstance(row[column], int | float | Decimal) for row in rows)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width() and self.model.columnCount():
            self._fit_columns()

    def _too_wide(self) -> bool:
        return self.view.horizontalHeader().length() > self.view.viewport().width() > 0

    def _open(self, index: QModelIndex) -> None:
        drill = self.model.drill_at(index.row(), index.column()) if index.isValid() else None
        if isinstance(drill, ReturneeFilter):
            self.returnees_requested.emit(drill)
        elif drill is not None:
            self.cases_requested.emit(drill)

    def cell(self, row: int, column: int) -> str:
        """The text shown in a cell (for tests and screen readers)."""
        return str(self.model.data(self.model.index(row, column)))
