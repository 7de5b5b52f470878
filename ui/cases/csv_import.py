"""Cases → Import a spreadsheet…: a legacy CSV of cases, checked row by row first (nothing
written), its report shown, then imported on the officer's word (``app.services.csv_import``).

The command line had it alone (``qorgau import-csv``); an officer moving a mission's old
spreadsheet into Qorgau had no way to do it from the window.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import QorgauError, ValidationError
from app.i18n import _, format_number, ngettext
from app.services.csv_import import (
    MAX_BYTES,
    ImportReport,
    ImportStopped,
    PartlyImported,
    field_label,
    import_csv,
)
from app.services.workspace import Workspace
from ui.tasks import BackgroundTask, show_error
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import ErrorLabel, word_wrapped
from ui.widgets.plain import plain_label

# Rejected rows listed in the dialog; the rest are counted (a 100,000-row file may reject all).
SHOWN_REJECTIONS = 1_000


def read_spreadsheet(path: Path) -> bytes:
    """The file's bytes, refused with a message of its own if it cannot be read or is larger
    than the import takes (before reading a file of gigabytes chosen by mistake)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValidationError(_("The file is larger than {n} MB.").format(n=MAX_BYTES // 2**20))
        return path.read_bytes()
    except OSError as exc:
        raise ValidationError(
            _("The file {name} cannot be read: {error}").format(
                name=path.name, error=exc.strerror or exc
            )
        ) from None


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
        self.setMinimumSize(640, 420)

        self.file_label = word_wrapped(plain_label())  # quotes the file's name
        self.summary = word_wrapped(plain_label())
        self.columns = word_wrapped(plain_label())
        self.rejected_rows = QTableWidget(0, 2)
        self.rejected_rows.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rejected_rows.verticalHeader().hide()
        self.rejected_rows.setWordWrap(True)
        header = self.rejected_rows.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.rejected_rows.hide()
        self.skip = QCheckBox()
        self.skip.hide()
        self.skip.toggled.connect(lambda _on: self._update_buttons())
        self.error = ErrorLabel()
        self.busy = BusyIndicator()
        self.stop_button = QPushButton()
        self.stop_button.clicked.connect(self._stop.set)
        self.stop_button.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = QPushButton()
        self.buttons.addButton(self.import_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.import_button.clicked.connect(self.start_import)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        for widget in (self.file_label, self.summary, self.columns):
            layout.addWidget(widget)
        layout.addWidget(self.rejected_rows, 1)
        layout.addWidget(self.skip)
        layout.addWidget(self.error)
        layout.addWidget(self.busy)
        layout.addWidget(self.stop_button)
        layout.addStretch(0)
        layout.addWidget(self.buttons)
        self.file_label.setText(_("File: {name}").format(name=path.name))
        self.rejected_rows.setHorizontalHeaderLabels([_("Line"), _("Why it was rejected")])
        self.skip.setText(_("Import the other rows and leave the rejected ones out"))
        self.stop_button.setText(_("Stop after the batch being written"))
        self._update_buttons()
        self.check()

    # -- checking --------------------------------------------------------------------------

    def check(self) -> None:
        """Every row read and checked off the GUI thread; nothing is written."""
        workspace, path, stop = self.workspace, self.path, self._stop

        def work(_context: object) -> tuple[bytes, ImportReport]:
            raw = read_spreadsheet(path)
            return raw, import_csv(workspace, raw, dry_run=True, stop=stop)

        self.task = (
            BackgroundTask(self, work)
            .success(self._checked)
            .failure(self._failed)
            .while_busy(self.import_button, indicator=self.busy, text=_("Checking every row…"))
            .run_in_background()
        )

    def _checked(self, result: tuple[bytes, ImportReport]) -> None:
        self.raw, self.report = result
        report = self.report
        rejected = len(report.rejected)
        self.summary.setText(
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
        pairs = "; ".join(
            f"{column} → {field_label(name)}" for column, name in report.mapping.items()
        )
        self.columns.setText(_("Columns: {pairs}.").format(pairs=pairs))
        shown = report.rejected[:SHOWN_REJECTIONS]
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
        self.error.clear_message()
        self.stop_button.show()
        self.task = (
            BackgroundTask(
                self,
                lambda _context: import_csv(workspace, raw, skip_rejected=skip, stop=stop),
            )
            .success(self._imported)
            .failure(self._failed)
            .while_busy(
                self.import_button,
                self.skip,
                self.buttons,
                indicator=self.busy,
                text=ngettext(
                    "Importing {n} case…", "Importing {n} cases…", report.accepted
                ).format(n=format_number(report.accepted)),
            )
            .run_in_background()
        )

    def _imported(self, report: ImportReport) -> None:
        self.imported = report
        self.stop_button.hide()
        self.summary.setText(self._imported_text(report))
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

    def _failed(self, exc: BaseException) -> None:
        self.stop_button.hide()
        if isinstance(exc, PartlyImported):
            self.imported = exc.report
            self.import_button.hide()
            self.skip.hide()
            self.summary.setText(self._imported_text(exc.report))
        if isinstance(exc, ImportStopped | PartlyImported | QorgauError):
            self.error.show_message(str(exc))
        else:
            show_error(self, exc)
        self._update_buttons()

    # -- state -----------------------------------------------------------------------------

    def _can_import(self) -> bool:
        report = self.report
        if report is None or self.imported is not None or report.accepted == 0:
            return False
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
