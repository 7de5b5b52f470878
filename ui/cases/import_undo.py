"""Cases → Undo a spreadsheet import…: the imports made here, and undoing one
(``app.services.import_undo``): its cases that nobody has used since are removed, after the
officer has read how many go and which stay."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_datetime, format_number
from app.services.import_undo import (
    ImportRecord,
    UndoPlan,
    check_undo,
    done_message,
    list_imports,
    nothing_to_remove_message,
    plan_message,
    undo_import,
)
from app.services.workspace import Workspace
from ui.tasks import BackgroundTask, show_refusal
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import (
    ErrorLabel,
    one_row_at_a_time,
    open_at,
    read_only_table,
    word_wrapped,
)
from ui.widgets.dialogs import confirm
from ui.widgets.plain import plain_label

COLUMNS = 5  # imported, by, file, cases, what became of it


def _state(record: ImportRecord) -> str:
    if record.undone_at is not None:
        return _("Undone {when} by {who}").format(
            when=format_datetime(record.undone_at.astimezone()), who=record.undone_by
        )
    if not record.import_id:
        return _("Made before imports could be undone")
    return ""


class ImportUndoDialog(QDialog):
    def __init__(self, parent: QWidget | None, workspace: Workspace, selected_id: str = "") -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.selected_id = selected_id  # the import to select once listed
        self.records: list[ImportRecord] = []
        self.task: BackgroundTask[Any] | None = None
        self.question: QMessageBox | None = None
        self.setWindowTitle(_("Undo a spreadsheet import"))
        open_at(self, QSize(760, 440), minimum=QSize(600, 360))
        intro = word_wrapped(
            plain_label(
                _(
                    "Undoing an import removes the cases it registered that nobody has worked "
                    "on since and that have not been sent to headquarters. Cases used since "
                    "stay, and you are told which."
                )
            )
        )
        self.table = read_only_table(COLUMNS, stretch=(2, 4))
        one_row_at_a_time(self.table)
        self.table.setHorizontalHeaderLabels(
            [_("Imported"), _("By"), _("File"), _("Cases"), _("Undone")]
        )
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.summary = word_wrapped(plain_label())
        self.error = ErrorLabel()
        self.busy = BusyIndicator()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.undo_button = QPushButton(_("Undo the selected import…"))
        self.buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.undo_button.clicked.connect(self.check_selected)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        for widget in (self.summary, self.error, self.busy, self.buttons):
            layout.addWidget(widget)
        self._update_buttons()
        self.refresh()

    # -- the list ---------------------------------------------------------------------------

    def refresh(self) -> None:
        workspace = self.workspace
        self._run(lambda: list_imports(workspace), self._listed, _("Reading the imports…"))

    def _listed(self, records: list[ImportRecord]) -> None:
        self.records = records
        self.table.setRowCount(len(records))
        for row, record in enumerate(records):
            cells = (
                format_datetime(record.at.astimezone()),
                record.actor,
                record.file_shown or "—",
                format_number(record.imported),
                _state(record),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)
            if record.import_id and record.import_id == self.selected_id:
                self.table.selectRow(row)
        if not records:
            self.summary.setText(_("No spreadsheet has been imported here."))
        elif self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._update_buttons()

    def selected(self) -> ImportRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.records[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        record = self.selected()
        running = self.task is not None and self.task.running
        self.undo_button.setEnabled(record is not None and record.can_undo and not running)

    # -- undoing ----------------------------------------------------------------------------

    def check_selected(self) -> None:
        """What undoing would remove and keep, read first; then the officer's word."""
        record = self.selected()
        if record is None or not record.can_undo:
            return
        workspace = self.workspace
        self.error.clear_message()
        self._run(
            lambda: check_undo(workspace, record), self._ask, _("Checking the import's cases…")
        )

    def _ask(self, plan: UndoPlan) -> None:
        if not plan.removable:
            self.error.show_message(nothing_to_remove_message(plan))
            return
        self.question = confirm(
            self,
            _("Undo a spreadsheet import"),
            plan_message(plan)
            + "\n\n"
            + _(
                "Only cases as the file gave them are removed: import the file again (with "
                "the columns chosen anew) to bring them back, under new numbers."
            ),
            lambda: self.undo(plan.record),
            yes_text=_("Remove the cases"),
        )

    def undo(self, record: ImportRecord) -> None:
        workspace = self.workspace
        self._run(lambda: undo_import(workspace, record), self._undone, _("Removing the cases…"))

    def _undone(self, plan: UndoPlan) -> None:
        self.selected_id = plan.record.import_id
        self.summary.setText(done_message(plan))
        self.refresh()

    def _run(self, work: Any, done: Any, text: str) -> None:
        if self.task is not None and self.task.running:
            return
        self.task = (
            BackgroundTask(self, lambda _context: work())
            .success(done)
            .failure(lambda exc: show_refusal(self, self.error, exc))
            .while_busy(self.undo_button, self.table, indicator=self.busy, text=text)
            .run_in_background()
        )
