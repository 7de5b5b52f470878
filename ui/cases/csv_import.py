"""Cases → Import a spreadsheet…: a legacy register of cases (an Excel workbook or CSV),
checked row by row first (nothing written), its report shown, then imported on the officer's
word (``app.services.csv_import``).

The command line had it alone (``qorgau import-csv``); an officer moving a mission's old
spreadsheet into Qorgau had no way to do it from the window.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain import taxonomy
from app.domain.codes import CaseStatus, label
from app.domain.labels import capitalised
from app.errors import QorgauError, ValidationError
from app.i18n import _, format_number, ngettext
from app.os_errors import os_error_reason
from app.services.csv_import import (
    FIELDS,
    LISTED_REJECTIONS,
    MAX_BYTES,
    ImportReport,
    ImportStopped,
    MissingColumns,
    PartlyImported,
    auto_mapping,
    field_label,
    import_csv,
    imported_before_message,
    report_notes,
)
from app.services.table_file import Table
from app.services.workspace import Workspace
from app.untrusted import read_at_most
from ui.tasks import BackgroundTask, TaskContext, refusal_text, show_error
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import (
    STRETCH,
    ErrorLabel,
    open_at,
    read_only_table,
    widget_row,
    word_wrapped,
)
from ui.widgets.notes import NotesList
from ui.widgets.plain import plain_label

# Rejected rows listed in the dialog; the rest are counted (a 100,000-row file may reject all).
SHOWN_REJECTIONS = LISTED_REJECTIONS
SHOWN_WORDINGS = 200  # a file's own wordings of complaints listed to be given a category
PREVIEW_SHOWN = 3  # the preview's rows in view without scrolling
# The preview's columns: the key in ``ImportReport.preview`` and the header (the first is set
# to "Row" or "Line" by the file).
PREVIEW_COLUMNS: tuple[tuple[str, Callable[[], str]], ...] = (
    ("line", lambda: _("Line")),
    ("name", lambda: _("Worker")),
    ("born", lambda: _("Born")),
    ("country", lambda: _("Country")),
    ("received", lambda: _("Received")),
    ("complaint", lambda: _("Complaint")),
    ("status", lambda: _("Status")),
)


def read_spreadsheet(path: Path) -> bytes:
    """The file's bytes, refused with a message of its own if it cannot be read or is larger
    than the import takes (before reading a file of gigabytes chosen by mistake)."""
    try:
        # Not the size the file system reports: a FIFO says 0 bytes and has no end.
        raw = read_at_most(path, MAX_BYTES)
    except OSError as exc:
        raise ValidationError(
            _("The file {name} cannot be read: {error}").format(
                name=path.name, error=os_error_reason(exc)
            )
        ) from None
    if raw is None:
        raise ValidationError(_("The file is larger than {n} MB.").format(n=MAX_BYTES // 2**20))
    return raw


@dataclass(frozen=True)
class Checked:
    """A check's outcome: the bytes and header row read (of which sheet of a workbook, and
    its sheets), and the report, or why the columns as mapped cannot be imported (a needed
    field with no column)."""

    raw: bytes
    headers: list[str]
    report: ImportReport | None
    problem: str = ""
    sheet: str = ""
    sheets: tuple[str, ...] = ()


def check_spreadsheet(
    workspace: Workspace,
    path: Path,
    mapping: dict[str, str] | None,
    stop: threading.Event,
    sheet: str | None = None,
    categories: dict[str, str] | None = None,
    default_status: str = CaseStatus.NEW.value,
    checking: Callable[[int], None] | None = None,
) -> Checked:
    """Every row read and checked (nothing written); ``mapping`` None: the columns named as
    usual are recognised; ``sheet`` None: a workbook's first sheet; ``categories``: the
    complaints the file writes in its own words, as the officer named them."""
    raw = read_spreadsheet(path)
    tables: list[Table] = []
    try:
        report = import_csv(
            workspace,
            raw,
            dry_run=True,
            mapping=mapping,
            stop=stop,
            sheet=sheet,
            categories=categories,
            default_status=default_status,
            checking=checking,
            opened=tables.append,
        )
    except ValidationError as exc:
        if not tables:
            raise  # the file cannot be read at all: said by the dialog
        # The columns as mapped cannot be imported: the file's columns, for choosing again,
        # as read the once (a second reading of a million-row workbook took ~8 s).
        table = tables[0]
        problem = str(exc)
        if isinstance(exc, MissingColumns):  # said in the dialog's terms, not the CLI's --map
            problem = _(
                "No column for {fields}: in the table above, choose the field beside the column "
                "that holds it, or add the column to the file."
            ).format(fields=", ".join(exc.fields))
        return Checked(raw, table.headers, None, problem, table.sheet, tuple(table.sheets))
    return Checked(raw, report.headers, report, "", report.sheet, tuple(report.sheets))


def _checking(context: TaskContext, rows: int) -> None:
    """How far the check is, in the busy indicator's words (a register of 100,000 rows takes
    some seconds)."""
    context.report(
        rows,
        0,
        ngettext(
            "Checking every row… {n} row read", "Checking every row… {n} rows read", rows
        ).format(n=format_number(rows)),
    )


def _written(context: TaskContext, stop: threading.Event, done: int, total: int) -> None:
    """After each batch: how far the import is, and a Cancel pressed meanwhile passed on."""
    if context.cancelled:
        stop.set()
    context.report(
        done,
        total,
        ngettext(
            "{done} of {total} case written…", "{done} of {total} cases written…", total
        ).format(done=format_number(done), total=format_number(total)),
    )


class CsvImportDialog(QDialog):
    def __init__(self, parent: QWidget | None, workspace: Workspace, path: Path) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.path = path
        self.raw = b""  # the bytes checked are the bytes imported, whatever the file does since
        self.report: ImportReport | None = None
        self.imported: ImportReport | None = None
        self.task: BackgroundTask[Any] | None = None
        self._stop = threading.Event()
        self.setWindowTitle(_("Import a spreadsheet of cases"))
        # The columns, the complaints and the rejected rows in view, on a 1366×768 laptop too.
        open_at(self, QSize(760, 660), minimum=QSize(640, 480))

        self.file_label = word_wrapped(plain_label())  # quotes the file's name
        # A workbook of several sheets (a register kept a sheet a year): which one is read.
        self.sheet_combo = QComboBox()
        self.sheet_combo.currentIndexChanged.connect(self._choose_sheet)
        self.sheet_row = QWidget()
        sheet_layout = QHBoxLayout(self.sheet_row)
        sheet_layout.setContentsMargins(0, 0, 0, 0)
        sheet_label = plain_label(_("Sheet:"))
        sheet_label.setBuddy(self.sheet_combo)
        sheet_layout.addWidget(sheet_label)
        sheet_layout.addWidget(self.sheet_combo, 1)
        self.sheet_row.hide()
        self.sheet: str | None = None  # None: the workbook's first sheet
        self.checked_sheet = ""
        self.summary = word_wrapped(plain_label())
        # What the check says beside its counts, a note a line, in a box of its own height:
        # joined to the counts, ten notes took the room of the table of columns.
        self.notes = NotesList(lines=5)
        # Which field each column of the file holds: recognised by its usual names, and chosen
        # here where a sheet names its columns otherwise (the command line's ``--map``).
        self.mapping_table = read_only_table(2, stretch=(1,))
        self.mapping_table.hide()
        # The complaints the file writes in its own words («невыплата з/п»), each with the
        # category the officer gives it (the command line's ``--map-category``).
        self.category_table = read_only_table(3, stretch=(0, 2))
        self.category_table.hide()
        self.checked_categories: dict[str, str] = {}
        self._category_rows: dict[str, int] = {}  # how many rows write each, when last unknown
        self.unlisted_wordings = 0
        # The status of rows that name none: New unless the officer says (a register without
        # a status column is mostly of cases long finished).
        self.status_combo = QComboBox()
        for status in CaseStatus:
            self.status_combo.addItem(label(status), status.value)
        self.status_combo.currentIndexChanged.connect(lambda _index: self._update_buttons())
        self.status_row = QWidget()
        status_layout = QHBoxLayout(self.status_row)
        status_layout.setContentsMargins(0, 0, 0, 0)
        status_label = plain_label(_("Rows without a status come in as:"))
        status_label.setBuddy(self.status_combo)
        status_layout.addWidget(status_label)
        status_layout.addWidget(self.status_combo)
        status_layout.addStretch(1)
        self.status_row.hide()
        self.checked_status = CaseStatus.NEW.value
        self.recheck_button = QPushButton()
        self.recheck_button.clicked.connect(self.check)
        self.recheck_button.hide()
        self.headers: list[str] = []
        self.checked_mapping: dict[str, str] | None = None  # what the shown report was made with
        # The first rows as they will be registered: a name order or a date column taken
        # wrongly shows before anything is written (an import is not undone in one step).
        self.preview_label = word_wrapped(plain_label())
        self.preview = read_only_table(len(PREVIEW_COLUMNS), stretch=(1, 5), wrap=False)
        self.preview_label.hide()
        self.preview.hide()
        self.rejected_rows = read_only_table(2, stretch=(1,))
        self.rejected_rows.hide()
        self.skip = QCheckBox()
        self.skip.hide()
        self.skip.toggled.connect(lambda _on: self._update_buttons())
        self.error = ErrorLabel()
        self.busy = BusyIndicator()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = QPushButton()
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(self.start_import)
        # Once imported: a wrong column seen in the result is undone from here too.
        self.undo_button = QPushButton(_("Undo this import…"))
        self.buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.undo_button.clicked.connect(self.undo_import)
        self.undo_button.hide()
        self.undo_dialog: QDialog | None = None
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (self.file_label, self.sheet_row, self.summary, self.notes):
            layout.addWidget(widget)
        # The columns first: choosing their fields is what the officer comes to do here.
        layout.addWidget(self.mapping_table, 3)
        layout.addWidget(self.category_table, 1)
        layout.addLayout(widget_row(self.status_row, STRETCH, self.recheck_button))
        layout.addWidget(self.preview_label)
        layout.addWidget(self.preview)
        layout.addWidget(self.rejected_rows, 1)
        layout.addWidget(self.skip)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addStretch(0)
        layout.addWidget(self.buttons)
        self.file_label.setText(_("File: {name}").format(name=path.name))
        self.rejected_rows.setHorizontalHeaderLabels([_("Line"), _("Why it was rejected")])
        self.preview_label.setText(_("The first rows as they will be registered:"))
        self.mapping_table.setHorizontalHeaderLabels([_("Column in the file"), _("Field")])
        self.category_table.setHorizontalHeaderLabels(
            [_("Complaint as the file writes it"), _("Rows"), _("Category")]
        )
        self.recheck_button.setText(_("Check again with these choices"))
        self.skip.setText(_("Import the other rows and leave the rejected ones out"))
        self._update_buttons()
        self.check()

    # -- checking --------------------------------------------------------------------------

    def check(self) -> None:
        """Every row read and checked off the GUI thread, with the columns as chosen (as
        recognised, the first time); nothing is written."""
        if self.task is not None and self.task.running:
            return
        workspace, path, stop, sheet = self.workspace, self.path, self._stop, self.sheet
        mapping = self.chosen_mapping() if self.headers else None
        categories = self.chosen_categories()
        status = str(self.status_combo.currentData())
        self.error.clear_message()
        self.task = (
            BackgroundTask(
                self,
                lambda context: check_spreadsheet(
                    workspace,
                    path,
                    mapping,
                    stop,
                    sheet,
                    categories,
                    status,
                    checking=lambda rows: _checking(context, rows),
                ),
            )
            .success(lambda checked: self._checked(checked, categories, status))
            .failure(self._failed)
            .while_busy(
                self.import_button,
                self.recheck_button,
                self.mapping_table,
                self.category_table,
                self.sheet_combo,
                self.status_combo,
                indicator=self.busy,
                text=_("Checking every row…"),
            )
            .run_in_background()
        )

    def chosen_mapping(self) -> dict[str, str]:
        """Column → field, as the lists beside the columns say now."""
        chosen = {}
        for row, header in enumerate(self.headers):
            combo = self.mapping_table.cellWidget(row, 1)
            if isinstance(combo, QComboBox) and combo.currentData():
                chosen[header] = str(combo.currentData())
        return chosen

    def chosen_categories(self) -> dict[str, str]:
        """The file's own words for a complaint → the category chosen beside them."""
        chosen = {}
        for row in range(self.category_table.rowCount()):
            combo = self.category_table.cellWidget(row, 2)
            item = self.category_table.item(row, 0)
            if isinstance(combo, QComboBox) and item is not None and combo.currentData():
                chosen[item.text()] = str(combo.currentData())
        return chosen

    def _fill_categories(self, report: ImportReport, chosen: dict[str, str]) -> None:
        """The words still unknown, and those named before (to be changed if need be)."""
        self._category_rows.update(report.unknown_categories)
        # The most frequent first, and no more than a person can go through: a column of
        # free text taken for the complaints has as many wordings as rows.
        unknown = sorted(report.unknown_categories, key=lambda w: -report.unknown_categories[w])
        self.unlisted_wordings = max(len(unknown) - SHOWN_WORDINGS, 0)
        rows = {
            written: self._category_rows.get(written, 0)
            for written in [*unknown[:SHOWN_WORDINGS], *chosen]
        }
        self.category_table.setRowCount(len(rows))
        for row, (written, count) in enumerate(rows.items()):
            self.category_table.setItem(row, 0, QTableWidgetItem(written))
            counted = QTableWidgetItem(format_number(count) if count else "")
            counted.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.category_table.setItem(row, 1, counted)
            combo = QComboBox()
            combo.addItem(_("— leave these rows rejected —"), "")
            for info in taxonomy.categories():
                combo.addItem(info.label(), info.code.value)
            combo.setCurrentIndex(max(combo.findData(chosen.get(written, "")), 0))
            combo.currentIndexChanged.connect(lambda _index: self._update_buttons())
            self.category_table.setCellWidget(row, 2, combo)
        self.category_table.resizeRowsToContents()
        self.category_table.setVisible(bool(rows))

    def _fill_preview(self, report: ImportReport) -> None:
        self.preview.setRowCount(len(report.preview))
        for row, values in enumerate(report.preview):
            for column, (key, _title) in enumerate(PREVIEW_COLUMNS):
                self.preview.setItem(row, column, QTableWidgetItem(values[key]))
        self.preview.resizeColumnsToContents()
        self.preview.resizeRowsToContents()
        # As tall as its first rows, the others a scroll away: the table of columns above
        # and the rejected rows below take the rest.
        height = self.preview.horizontalHeader().height() + 2 * self.preview.frameWidth()
        shown = range(min(self.preview.rowCount(), PREVIEW_SHOWN))
        height += sum(self.preview.rowHeight(row) for row in shown)
        self.preview.setFixedHeight(height)
        self.preview_label.setVisible(bool(report.preview))
        self.preview.setVisible(bool(report.preview))

    def _fill_mapping(self, mapping: dict[str, str]) -> None:
        self.mapping_table.setRowCount(len(self.headers))
        for row, header in enumerate(self.headers):
            self.mapping_table.setItem(row, 0, QTableWidgetItem(header))
            combo = QComboBox()
            combo.addItem(_("— not imported —"), "")
            for name in FIELDS:
                combo.addItem(field_label(name), name)
            combo.setCurrentIndex(max(combo.findData(mapping.get(header, "")), 0))
            combo.currentIndexChanged.connect(lambda _index: self._update_buttons())
            self.mapping_table.setCellWidget(row, 1, combo)
        self.mapping_table.resizeRowsToContents()
        self.mapping_table.show()
        self.recheck_button.show()

    def _choose_sheet(self, index: int) -> None:
        """Another sheet chosen: its own header row, recognised afresh, and every row checked."""
        name = self.sheet_combo.itemText(index)
        if index < 0 or name == self.checked_sheet:
            return
        self.sheet = name
        self.headers = []
        self.report = None
        self.mapping_table.setRowCount(0)
        self._update_buttons()
        self.check()

    def _show_sheets(self, checked: Checked) -> None:
        if len(checked.sheets) > 1 and self.sheet_combo.count() == 0:
            self.sheet_combo.blockSignals(True)  # filling it is no choice of the officer's
            self.sheet_combo.addItems(list(checked.sheets))
            self.sheet_combo.blockSignals(False)
        if self.sheet_combo.count():
            self.sheet_combo.blockSignals(True)
            self.sheet_combo.setCurrentText(checked.sheet)
            self.sheet_combo.blockSignals(False)
            self.sheet_row.show()
        # A workbook's rows by the number Excel shows beside them; a CSV's by its lines.
        where = _("Row") if checked.sheet else _("Line")
        self.rejected_rows.setHorizontalHeaderLabels([where, _("Why it was rejected")])
        self.preview.setHorizontalHeaderLabels(
            [where, *(title() for _k, title in PREVIEW_COLUMNS[1:])]
        )

    def _checked(self, checked: Checked, categories: dict[str, str], status: str) -> None:
        self.raw = checked.raw
        self.checked_categories = categories
        self.checked_status = status
        self.checked_sheet = checked.sheet
        self._show_sheets(checked)
        if not self.headers:
            self.headers = checked.headers
            self._fill_mapping(
                checked.report.mapping if checked.report else auto_mapping(checked.headers)
            )
        self.report = checked.report
        self.checked_mapping = self.chosen_mapping()
        if checked.report is None:
            self.summary.setText(_("Choose which field each column holds, then check again."))
            self.notes.set_notes([])
            self.error.show_message(checked.problem)
            self.rejected_rows.hide()
            self.skip.hide()
            self._update_buttons()
            return
        report = checked.report
        self._fill_categories(report, categories)
        self._fill_preview(report)
        # Offered where rows name no status, and kept in view once changed.
        self.status_row.setVisible(bool(report.status_taken) or status != CaseStatus.NEW.value)
        rejected = len(report.rejected)
        self.summary.setText(
            capitalised(  # the CLI's "{n} rows read" starts in lower case in Russian
                _("{rows}; {accepted} can be imported, {rejected}.").format(
                    rows=ngettext("{n} row read", "{n} rows read", report.rows).format(
                        n=format_number(report.rows)
                    ),
                    accepted=format_number(report.accepted),
                    rejected=ngettext("{n} rejected", "{n} rejected", rejected).format(
                        n=format_number(rejected)
                    ),
                )
            )
        )
        if report.imported_before and not report.imported_earlier:  # else said with when
            self.summary.setText(self.summary.text() + " " + imported_before_message())
        notes = report_notes(report)
        if self.unlisted_wordings:
            notes.append(
                ngettext(
                    "{n} more wording of a complaint is not listed; if the column holds "
                    "descriptions rather than complaints, choose Description for it.",
                    "{n} more wordings of complaints are not listed; if the column holds "
                    "descriptions rather than complaints, choose Description for it.",
                    self.unlisted_wordings,
                ).format(n=format_number(self.unlisted_wordings))
            )
        self.notes.set_notes(notes)
        shown = report.rejected[:SHOWN_REJECTIONS]
        if len(shown) < rejected:
            self.summary.setText(
                self.summary.text()
                + " "
                + _("The first {n} rejected rows are listed.").format(n=format_number(len(shown)))
            )
        self.rejected_rows.setRowCount(len(shown))
        for row, item in enumerate(shown):
            self.rejected_rows.setItem(row, 0, QTableWidgetItem(str(item.line)))
            self.rejected_rows.setItem(row, 1, QTableWidgetItem(item.reason))
        self.rejected_rows.resizeRowsToContents()
        self.rejected_rows.setVisible(bool(shown))
        self.skip.setVisible(bool(rejected) and report.accepted > 0)
        self._update_buttons()

    # -- importing -------------------------------------------------------------------------

    def start_import(self) -> None:
        report = self.report
        if report is None or not self._can_import() or (self.task and self.task.running):
            return
        workspace, raw, stop, skip = self.workspace, self.raw, self._stop, self.skip.isChecked()
        mapping, sheet = self.checked_mapping, self.checked_sheet or None
        categories, status = self.checked_categories, self.checked_status
        name = self.path.name
        self.error.clear_message()
        self.task = (
            BackgroundTask(
                self,
                lambda context: import_csv(
                    workspace,
                    raw,
                    mapping=mapping,
                    skip_rejected=skip,
                    stop=stop,
                    progress=lambda done, total: _written(context, stop, done, total),
                    sheet=sheet,
                    categories=categories,
                    default_status=status,
                    file_name=name,
                ),
            )
            # Cancel stops after the batch being written: a batch is never cut in two.
            .with_progress(_("Importing the spreadsheet's cases…"), cancellable=True)
            .success(self._imported)
            .failure(self._failed)
            .while_busy(
                self.import_button,
                self.skip,
                self.buttons,
                self.mapping_table,
                self.category_table,
                self.recheck_button,
                self.sheet_combo,
                self.status_combo,
                indicator=self.busy,
                text=ngettext(
                    "Importing {n} case…", "Importing {n} cases…", report.accepted
                ).format(n=format_number(report.accepted)),
            )
            .run_in_background()
        )

    def _imported(self, report: ImportReport) -> None:
        self.imported = report
        self.undo_button.setVisible(bool(report.import_id and report.numbers))
        self.recheck_button.hide()
        self.mapping_table.setEnabled(False)
        self.category_table.setEnabled(False)
        self.status_combo.setEnabled(False)
        self.sheet_combo.setEnabled(False)
        self.summary.setText(self._imported_text(report))
        self.notes.set_notes([])  # said of the check, not of the import done
        self.import_button.hide()
        self.skip.hide()

    @staticmethod
    def _imported_text(report: ImportReport) -> str:
        text = ngettext("{n} case imported.", "{n} cases imported.", report.imported).format(
            n=format_number(report.imported)
        )
        if report.numbers:
            text += " " + _("Numbers {first} to {last}.").format(
                first=report.numbers[0], last=report.numbers[-1]
            )
        return text

    def undo_import(self) -> None:
        """Cases → Undo a spreadsheet import…, with this import chosen."""
        if self.imported is None:
            return
        from ui.cases.import_undo import ImportUndoDialog

        self.undo_dialog = ImportUndoDialog(self, self.workspace, self.imported.import_id)
        self.undo_dialog.open()

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, PartlyImported):
            self.imported = exc.report
            self.undo_button.setVisible(bool(exc.report.import_id and exc.report.numbers))
            self.import_button.hide()
            self.skip.hide()
            self.summary.setText(self._imported_text(exc.report))
        if isinstance(exc, ImportStopped | PartlyImported | QorgauError):
            self.error.show_message(refusal_text(exc))
        else:
            show_error(self, exc)
        self._update_buttons()

    # -- state -----------------------------------------------------------------------------

    def _can_import(self) -> bool:
        report = self.report
        if report is None or self.imported is not None or report.accepted == 0:
            return False
        if (self.chosen_mapping(), self.chosen_categories(), self.status_combo.currentData()) != (
            self.checked_mapping,
            self.checked_categories,
            self.checked_status,
        ):
            return False  # the columns or complaints changed since the check: check again
        return not report.rejected or self.skip.isChecked()

    def _update_buttons(self) -> None:
        accepted = self.report.accepted if self.report is not None else 0
        self.import_button.setText(
            ngettext("Import {n} case", "Import {n} cases", accepted).format(
                n=format_number(accepted)
            )
            if accepted
            else _("Import")
        )
        self.import_button.setEnabled(self._can_import())

    def reject(self) -> None:
        """Closing while it works: the import stops after the batch being written (a batch is
        never cut in two), and the dialog waits for it so that its report is not lost."""
        if self.task is not None and self.task.running:
            self._stop.set()
            self.task.wait_finished()
        super().reject()
