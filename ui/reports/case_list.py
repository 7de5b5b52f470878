"""The cases behind a chart segment, in a dialog that can export them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import CaseStatus, Category, label
from app.errors import QorgauError
from app.i18n import _, current_language, format_date, ngettext
from app.reports import case_list_table
from app.reports.export import write_csv
from app.services.records import CaseRow
from ui.widgets.common import open_on_enter
from ui.widgets.file_dialogs import save_path
from ui.widgets.plain import plain_label


class CaseListDialog(QDialog):
    """A read-only list of cases; ``hide_names`` blanks people's names on screen and in files.

    A double click or Enter on a row emits ``case_opened`` with the case's id."""

    case_opened = Signal(str)

    def __init__(
        self, rows: Sequence[CaseRow], title: str, hide_names: bool, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.rows = list(rows)
        self.hide_names = hide_names
        self.setWindowTitle(title)
        self.resize(900, 480)
        self.count_label = plain_label(
            ngettext("{n} case", "{n} cases", len(self.rows)).format(n=len(self.rows))
        )
        self.table = QTableWidget(len(self.rows), 7)
        open_on_enter(self.table, lambda index: self._open_row(index.row()))
        self.table.cellDoubleClicked.connect(lambda row, _column: self._open_row(row))
        self.table.setToolTip(_("Double-click a case (or press Enter) to open it"))
        self.table.setObjectName("case_list")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setHorizontalHeaderLabels(
            [
                _("Number"),
                _("Received"),
                _("Status"),
                _("Country"),
                _("Worker"),
                _("Employer"),
                _("Categories"),
            ]
        )
        hidden = _("(hidden)")
        for index, row in enumerate(self.rows):
            cells = (
                row.number,
                format_date(row.received_at),
                label(CaseStatus(row.status)),
                row.host_country,
                hidden if hide_names else row.person_name,
                row.employer_name,
                ", ".join(label(Category(c)) for c in row.categories),
            )
            for column, value in enumerate(cells):
                self.table.setItem(index, column, QTableWidgetItem(value))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.export_button = QPushButton(_("Export CSV…"))
        self.export_button.clicked.connect(self._ask_csv)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count_label)
        layout.addWidget(self.table)
        layout.addWidget(buttons)

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.case_opened.emit(self.rows[row].id)

    def numbers(self) -> list[str]:
        """The case numbers as shown, top to bottom."""
        items = (self.table.item(i, 0) for i in range(self.table.rowCount()))
        return [item.text() for item in items if item is not None]

    def export_csv(self, path: Path) -> Path:
        table = case_list_table(self.rows, current_language(), self.hide_names)
        return write_csv([table], path)[0]

    def _ask_csv(self) -> None:
        path = save_path(self, _("Export the list"), "qorgau-cases.csv", "CSV (*.csv)")
        if path is None:
            return
        try:
            self.export_csv(path)
        except QorgauError as exc:
            self.count_label.setText(str(exc))
