"""Export with progress and a summary, import with a report, the exchange log, conflicts.

Export and import run off the GUI thread (``ui.tasks``); the page only shows what the
``ExchangeService`` returns, and a refused bundle's reason in the import report.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import QorgauError
from app.i18n import _, format_datetime
from app.services.exchange import ConflictInfo, ExchangeService, ExportSummary, ImportReport
from ui.tasks import BackgroundTask, TaskContext

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _text(value: Any) -> str:
    return "" if value is None else str(value)


class ExchangePage(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.service = ExchangeService(window.workspace)
        self._conflicts: list[ConflictInfo] = []
        self.task: BackgroundTask[Any] | None = None

        self.export_box = QGroupBox()
        self.recipient_label = QLabel()
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("age1…")
        self.everything = QCheckBox()
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.choose_export_file)
        self.export_summary = QLabel()
        self.export_summary.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.recipient_label)
        row.addWidget(self.recipient, 1)
        row.addWidget(self.everything)
        row.addWidget(self.export_button)
        export_layout = QVBoxLayout(self.export_box)
        export_layout.addLayout(row)
        export_layout.addWidget(self.export_summary)

        self.import_box = QGroupBox()
        self.import_button = QPushButton()
        self.import_button.clicked.connect(self.choose_import_file)
        self.import_report = QLabel()
        self.import_report.setWordWrap(True)
        import_layout = QHBoxLayout(self.import_box)
        import_layout.addWidget(self.import_button)
        import_layout.addWidget(self.import_report, 1)

        self.log_box = QGroupBox()
        self.log = QTableWidget(0, 5)
        self.log.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.log.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.log.horizontalHeader().setStretchLastSection(True)  # no grey gap after the columns
        QVBoxLayout(self.log_box).addWidget(self.log)

        self.conflict_box = QGroupBox()
        self.conflict_list = QTableWidget(0, 3)
        self.conflict_list.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.conflict_list.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.conflict_list.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.conflict_list.itemSelectionChanged.connect(self._show_conflict)
        self.conflict_list.horizontalHeader().setStretchLastSection(True)
        self.conflict_fields = QTableWidget(0, 3)
        self.conflict_fields.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.conflict_fields.horizontalHeader().setStretchLastSection(True)
        self.keep_local = QPushButton()
        self.take_remote = QPushButton()
        self.keep_local.clicked.connect(lambda: self.resolve_selected("local"))
        self.take_remote.clicked.connect(lambda: self.resolve_selected("remote"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_local)
        buttons.addWidget(self.take_remote)
        conflict_layout = QVBoxLayout(self.conflict_box)
        split = QSplitter()
        split.addWidget(self.conflict_list)
        split.addWidget(self.conflict_fields)
        conflict_layout.addWidget(split)
        conflict_layout.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.addWidget(self.export_box)
        layout.addWidget(self.import_box)
        layout.addWidget(self.log_box, 1)
        layout.addWidget(self.conflict_box, 1)
        self.retranslate_ui()
        self.refresh()

    def retranslate_ui(self) -> None:
        self.export_box.setTitle(_("Send to headquarters"))
        self.recipient_label.setText(_("Headquarters' age key:"))
        self.everything.setText(_("Everything, not only changes"))
        self.export_button.setText(_("Export bundle…"))
        self.import_box.setTitle(_("Receive a bundle"))
        self.import_button.setText(_("Import bundle…"))
        self.log_box.setTitle(_("Exchange log"))
        self.log.setHorizontalHeaderLabels(
            [_("When"), _("Direction"), _("Kind"), _("Mission"), _("Records")]
        )
        self.conflict_box.setTitle(_("Conflicts to resolve"))
        self.conflict_list.setHorizontalHeaderLabels([_("Record"), _("Kind"), _("Version")])
        self.conflict_fields.setHorizontalHeaderLabels([_("Field"), _("Here"), _("Received")])
        self.keep_local.setText(_("Keep this installation's version"))
        self.take_remote.setText(_("Take the received version"))
        self.refresh()

    # -- export -----------------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Export bundle"), "qorgau.qbundle", _("Qorgau bundles (*.qbundle)")
        )
        if name:
            self.export_to(Path(name))

    def export_to(self, path: Path) -> BackgroundTask[Any]:
        recipient = self.recipient.text().strip()
        everything = self.everything.isChecked()

        def work(context: TaskContext) -> ExportSummary:
            return self.service.export_cases(path, [recipient], everything, context.report)

        return self._run(work, _("Exporting…"), self._exported, self._export_failed)

    def _exported(self, summary: ExportSummary) -> None:
        self.export_summary.setText(
            _("Bundle written to {path}: {records} records, {files} files, {size} KB.").format(
                path=summary.path,
                records=summary.records,
                files=summary.files,
                size=max(1, summary.size // 1024),
            )
        )
        self.refresh()

    def _export_failed(self, exc: BaseException) -> None:
        self.export_summary.setText(_("Not exported: {reason}").format(reason=self._reason(exc)))

    # -- import -----------------------------------------------------------------------------------

    def choose_import_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Import bundle"), "", _("Qorgau bundles (*.qbundle);;All files (*)")
        )
        if name:
            self.import_from(Path(name))

    def import_from(self, path: Path) -> BackgroundTask[Any]:
        def work(context: TaskContext) -> ImportReport:
            return self.service.import_bundle(path, progress=context.report)

        return self._run(work, _("Importing…"), self._imported, self._import_failed)

    def _imported(self, report: ImportReport) -> None:
        if report.already_imported:
            self.import_report.setText(_("This bundle was imported before; nothing changed."))
        else:
            self.import_report.setText(
                _(
                    "From {source}: {new} new, {updated} updated, {unchanged} unchanged, "
                    "{newer} newer here, {conflicts} conflicts."
                ).format(
                    source=report.source_mission,
                    new=report.new,
                    updated=report.updated,
                    unchanged=report.unchanged,
                    newer=report.local_newer,
                    conflicts=report.conflicts,
                )
            )
        self.refresh()

    def _import_failed(self, exc: BaseException) -> None:
        self.import_report.setText(_("Refused: {reason}").format(reason=self._reason(exc)))

    # -- shared -----------------------------------------------------------------------------------

    def _reason(self, exc: BaseException) -> str:
        return str(exc) if isinstance(exc, QorgauError) else _("an unexpected error")

    def _run(self, work: Any, label: str, ok: Any, failed: Any) -> BackgroundTask[Any]:
        task: BackgroundTask[Any] = BackgroundTask(self, work)
        self.task = task.with_progress(label).success(ok).failure(failed).run_in_background()
        return self.task

    def refresh(self) -> None:
        if not hasattr(self, "service"):
            return
        entries = self.service.exchange_log()
        self.log.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            records = sum(v for k, v in entry.counts.items() if k != "files")
            values = [
                format_datetime(entry.created_at, "short"),
                _("sent") if entry.direction == "out" else _("received"),
                entry.kind,
                entry.peer_mission or entry.source_mission,
                str(records),
            ]
            for column, value in enumerate(values):
                self.log.setItem(row, column, QTableWidgetItem(value))
        self._conflicts = self.service.conflicts()
        self.conflict_list.setRowCount(len(self._conflicts))
        for row, conflict in enumerate(self._conflicts):
            values = [conflict.label, conflict.entity, str(conflict.local_version)]
            for column, value in enumerate(values):
                self.conflict_list.setItem(row, column, QTableWidgetItem(value))
        self._show_conflict()

    def selected_conflict(self) -> ConflictInfo | None:
        rows = self.conflict_list.selectionModel().selectedRows()
        return self._conflicts[rows[0].row()] if rows else None

    def _show_conflict(self) -> None:
        conflict = self.selected_conflict()
        fields = conflict.fields if conflict else ()
        self.conflict_fields.setRowCount(len(fields))
        for row, item in enumerate(fields):
            for column, value in enumerate((item.name, _text(item.local), _text(item.remote))):
                self.conflict_fields.setItem(row, column, QTableWidgetItem(value))
        self.keep_local.setEnabled(conflict is not None)
        self.take_remote.setEnabled(conflict is not None)

    def resolve_selected(self, choice: str) -> None:
        conflict = self.selected_conflict()
        if conflict is None:
            return
        try:
            self.service.resolve_conflict(conflict.id, choice)
        except QorgauError as exc:
            self.import_report.setText(str(exc))
        self.refresh()
