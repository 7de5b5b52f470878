"""Export with progress and a summary, import with a report, the exchange log, conflicts,
this installation's keys and the trusted ones, and at HQ transfers and library updates.

Long work runs off the GUI thread (``ui.tasks``); the page only shows what the services
return, and a refused bundle's reason in the import report.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain import labels
from app.domain.field_labels import field_label
from app.domain.roles import ADMIN_OR_HQ, BUNDLE_IMPORTERS, EXCHANGE_ROLES
from app.errors import QorgauError, ValidationError
from app.exchange.package import NoIdentityOpens, NotAnIdentityFile
from app.exchange.parts import PART_FIELD, PartOf, in_parts_advice
from app.i18n import (
    N_,
    _,
    format_datetime,
    format_number,
    format_size,
    lazy,
    ngettext,
    say_again,
)
from app.services.after_crash import Found, take_found
from app.services.changes import DataChanged
from app.services.exchange import (
    BUNDLE_PREFIX_CHARS,
    IMPORT_REFUSAL,
    ConflictInfo,
    ExchangeLogEntry,
    ExchangeService,
    ExportSummary,
    ImportReport,
    record_kind_label,
)
from app.services.keys import KeyService, TrustedKey, check_age_recipient
from ui.changes import refresh_when_shown
from ui.exchange.hq import TransferDialog, choose_bundle_file
from ui.exchange.keys import OwnKeysBox, TrustedKeysBox
from ui.icons import icon
from ui.palette import WARNING_STYLE
from ui.search_rows import write_search_rows_later
from ui.tasks import BackgroundTask, TaskContext, show_error
from ui.widgets.common import (
    STRETCH,
    CheckText,
    ErrorLabel,
    check_row,
    keep_narrow,
    one_row_at_a_time,
    push_button,
    read_only_table,
    widget_row,
    word_wrapped,
)
from ui.widgets.file_dialogs import in_documents, save_path
from ui.widgets.plain import plain_label

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# What the page lists: the bundles sent and received (a transfer among them), the missions.
EXCHANGE_TABLES = ("exchange_log", "mission")
LOG_ROWS = 500  # the exchange log's newest bundles on screen; ``bundle log`` lists them all


# A conflict's value is shown whole up to here (a description may run to 100,000 characters).
CELL_CHARS = 1_500
TOOLTIP_CHARS = 5_000


def _shortened(text: str, limit: int = CELL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ExchangePage(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        workspace = window.workspace
        self.service = ExchangeService(workspace)
        self.keys = KeyService(workspace)
        self.is_hq = workspace.mission.is_hq
        self._conflicts: list[ConflictInfo] = []
        self._trusted: list[TrustedKey] = []
        self.task: BackgroundTask[Any] | None = None
        # The bundle no identity kept here opens, while an identity file is offered for it.
        self.unopened_bundle: Path | None = None
        self.dialog: TransferDialog | QInputDialog | None = None

        # What the summaries say (export, import, headquarters' work), kept as functions: they
        # stay on screen and are said again after a language switch.
        self._said: dict[QLabel, Callable[[], str]] = {}
        self._build_export_box()
        self._build_import_box()
        self._build_log_box()
        self._build_conflict_box()
        self._build_hq_box()
        self.own_keys = OwnKeysBox(self.keys)
        self.trusted_keys = TrustedKeysBox(self.keys)
        self.trusted_keys.changed.connect(self._reload_trusted)
        if workspace.actor.role not in ADMIN_OR_HQ:
            self.trusted_keys.hide()
        # What the role may not do is not offered (the services refuse it too): an analyst at
        # HQ chose a file only to read that her role does not allow it.
        self.role = role = workspace.actor.role
        # Said where the import would be, so that she need not look for it (nor ask why).
        self.no_import = word_wrapped(plain_label())
        if role not in BUNDLE_IMPORTERS:
            self.import_box.hide()
        else:
            self.no_import.hide()
        if role not in ADMIN_OR_HQ:
            self.hq_box.hide()
        if role not in EXCHANGE_ROLES:
            self.keep_local.hide()
            self.take_remote.hide()
        self._build_tabs()
        self.retranslate_ui()
        # Bundles imported and cases transferred from other desktops (HQ on a server).
        refresh_when_shown(self, window.workspace, EXCHANGE_TABLES, self._changed, self.log)

    def _build_export_box(self) -> None:
        """Sending a bundle: the recipient key, "everything", the export button."""
        self.export_box = QGroupBox()
        self.recipient_label = QLabel()
        # Only the trusted headquarters' keys are offered: a bundle sent to any other key can
        # be read by whoever holds it (12,220 records once went to a key nobody checked).
        self.recipient_choice = QComboBox()
        keep_narrow(self.recipient_choice, 30)
        self.recipient_label.setBuddy(self.recipient_choice)
        # Why nothing is offered, in full beneath: inside the combo it was cut after 60 letters.
        self.no_hq_key = word_wrapped(plain_label())
        self.no_hq_key.hide()
        # Another key: only on purpose, typed in full, with the risk spelt out beside it.
        self.other_key = QCheckBox()
        # Its text wraps: on one line (581 pixels in Russian) it made the page scroll 50
        # pixels sideways on a 1024-pixel screen at 150 %.
        self.other_key_text = CheckText(self.other_key)
        self.other_key.toggled.connect(self._other_key_toggled)
        self.recipient = QLineEdit()
        self.recipient.setPlaceholderText("age1…")
        self.recipient.hide()
        self.other_warning = word_wrapped(plain_label())
        self.other_warning.setStyleSheet(WARNING_STYLE)
        self.other_warning.hide()
        self.recipient_error = ErrorLabel()
        self.everything = QCheckBox()
        self.export_button = QPushButton()
        self.export_button.setIcon(icon("upload"))
        self.export_button.clicked.connect(self.choose_export_file)
        # A bundle lost on its way: HQ's import names the last one it received.
        self.resend_button = QPushButton()
        self.resend_button.clicked.connect(self.choose_bundle_to_follow)
        self.export_summary = word_wrapped(plain_label())
        self.export_summary.hide()  # shown once there is a summary; no empty gap before
        # The key on one row, "everything" and the button on the next, the other key's box
        # and field on rows of their own: side by side they kept the page 973 pixels wide in
        # Russian, and at 125 % display scaling it scrolled sideways.
        row = QHBoxLayout()
        row.addWidget(self.recipient_label)
        row.addWidget(self.recipient_choice, 1)
        export_layout = QVBoxLayout(self.export_box)
        export_layout.addLayout(row)
        export_layout.addLayout(widget_row(self.everything, STRETCH, self.export_button))
        export_layout.addWidget(self.no_hq_key)
        export_layout.addWidget(check_row(self.other_key, self.other_key_text))
        export_layout.addWidget(self.recipient)
        export_layout.addWidget(self.other_warning)
        export_layout.addWidget(self.recipient_error)
        export_layout.addWidget(self.export_summary)
        export_layout.addLayout(widget_row(STRETCH, self.resend_button))
        if self.is_hq:
            # Headquarters sends missions transfers and the library (below); "Send to
            # headquarters" offered it a key of its own to look for.
            self.export_box.hide()

    def _build_import_box(self) -> None:
        """Receiving a bundle: the import button and its report."""
        self.import_box = QGroupBox()
        self.import_button = QPushButton()
        self.import_button.setIcon(icon("download"))
        self.import_button.clicked.connect(self.choose_import_file)
        # Offered once no identity kept here opened a bundle: the identity may be on a USB key
        # (from before a key change) or this may be a new import workstation.
        self.identity_button = push_button(self.choose_identity_file)
        self.identity_button.hide()
        self.import_report = word_wrapped(plain_label())  # refusals quote the bundle's values
        buttons = QVBoxLayout()
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.identity_button)
        buttons.addStretch(1)
        import_layout = QHBoxLayout(self.import_box)
        import_layout.addLayout(buttons)
        import_layout.addWidget(self.import_report, 1)

    def _build_log_box(self) -> None:
        """The exchange log: one row per bundle sent or received."""
        self.log_box = QGroupBox()
        self.log = QTableWidget(0, 5)
        self.log.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.log.verticalHeader().hide()  # row numbers say nothing here
        self.log.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.log.horizontalHeader().setStretchLastSection(True)  # no grey gap after the columns
        self.log_capped = word_wrapped(plain_label())
        self.log_capped.hide()
        log_layout = QVBoxLayout(self.log_box)
        log_layout.addWidget(self.log)
        log_layout.addWidget(self.log_capped)

    def _build_conflict_box(self) -> None:
        """The conflicts: the list, the fields side by side, the two choices."""
        self.conflict_box = QGroupBox()
        self.conflict_list = read_only_table(4, stretch=(3,), wrap=False)
        one_row_at_a_time(self.conflict_list)
        self.conflict_list.itemSelectionChanged.connect(self._show_conflict)
        # The two versions side by side, equally wide and wrapped, so that two descriptions
        # can be read whole (the first column's width cut "here" to a few words).
        self.conflict_fields = read_only_table(3, stretch=(1, 2))
        self.keep_local = QPushButton()
        self.take_remote = QPushButton()
        self.keep_local.clicked.connect(lambda: self.resolve_selected("local"))
        self.take_remote.clicked.connect(lambda: self.resolve_selected("remote"))
        buttons = widget_row(STRETCH, self.keep_local, self.take_remote)
        conflict_layout = QVBoxLayout(self.conflict_box)
        # Said when there is nothing to resolve: two empty tables said nothing of why.
        self.no_conflicts = word_wrapped(plain_label())
        conflict_layout.addWidget(self.no_conflicts)
        split = QSplitter()
        split.addWidget(self.conflict_list)
        split.addWidget(self.conflict_fields)
        split.setStretchFactor(1, 2)  # the versions side by side need the room, not the list
        split.setSizes([440, 640])
        conflict_layout.addWidget(split)
        conflict_layout.addLayout(buttons)

    def _build_hq_box(self) -> None:
        """Headquarters only: transfer cases, send the agreements library."""
        self.hq_box = QGroupBox()
        self.transfer_button = push_button(self.choose_transfer)
        self.library_button = push_button(self.choose_library_file)
        self.hq_summary = word_wrapped(plain_label())
        hq_layout = QHBoxLayout(self.hq_box)
        hq_layout.addWidget(self.transfer_button)
        hq_layout.addWidget(self.library_button)
        hq_layout.addWidget(self.hq_summary, 1)
        # hide(), not setVisible(): shown, a box without its parent yet would be a window.
        if not self.is_hq:
            self.hq_box.hide()

    def _build_tabs(self) -> None:
        """Bundles, conflicts and keys, each on its own tab."""
        bundles = QWidget()
        bundles_layout = QVBoxLayout(bundles)
        bundles_layout.addWidget(self.export_box)
        bundles_layout.addWidget(self.import_box)
        bundles_layout.addWidget(self.no_import)
        bundles_layout.addWidget(self.hq_box)
        bundles_layout.addWidget(self.log_box, 1)
        keys = QWidget()
        keys_layout = QVBoxLayout(keys)
        keys_layout.addWidget(self.own_keys)
        keys_layout.addWidget(self.trusted_keys, 1)
        keys_layout.addStretch(0 if self.trusted_keys.isVisibleTo(self) else 1)
        self.tabs = QTabWidget()
        self.bundles_tab = self.tabs.addTab(bundles, "")
        self.conflicts_tab = self.tabs.addTab(self.conflict_box, "")
        self.keys_tab = self.tabs.addTab(keys, "")
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)

    def retranslate_ui(self) -> None:
        self.export_box.setTitle(_("Send to headquarters"))
        self.recipient_label.setText(_("Headquarters' &key:"))
        self.recipient_error.retranslate()  # a refusal of the key, in the language chosen now
        self.other_key_text.setText(_("Use a key that is not a trusted headquarters' key"))
        self.other_warning.setText(
            _(
                "Warning: whoever holds this key can read every record in the bundle. Type "
                "another key only when headquarters gave it to you in writing; the export is "
                "recorded in the exchange log."
            )
        )
        self.recipient.setPlaceholderText(_("The key as headquarters wrote it (age1…)"))
        self.everything.setText(_("Everything, not only changes"))
        self.export_button.setText(_("Export bundle…"))
        self.resend_button.setText(_("Send again after a bundle…"))
        self.resend_button.setToolTip(
            _(
                "When headquarters did not receive a bundle: everything sent after the last "
                "bundle it received, again."
            )
        )
        self.import_box.setTitle(_("Receive a bundle"))
        self.no_import.setText(_(IMPORT_REFUSAL).format(role=labels.role(self.role)))
        self.import_button.setText(_("Import bundle…"))
        self.identity_button.setText(_("Use an identity file…"))
        self.identity_button.setToolTip(
            _(
                "Import the bundle again with an age identity file kept elsewhere (from before "
                "a key change, or when this computer does not keep headquarters' identity). "
                "The file is read for this import only and kept nowhere."
            )
        )
        self.log_box.setTitle(_("Exchange log"))
        self.log.setHorizontalHeaderLabels(
            [_("When"), _("Direction"), _("Kind"), _("Mission"), _("Records")]
        )
        self.conflict_box.setTitle(_("Conflicts to resolve"))
        # Where the other version came from and when, not its version number.
        self.conflict_list.setHorizontalHeaderLabels(
            [_("Record"), _("Kind"), _("Sent by"), _("Found")]
        )
        self.conflict_fields.setHorizontalHeaderLabels([_("Field"), _("Here"), _("Received")])
        self.keep_local.setText(_("Keep this installation's version"))
        self.take_remote.setText(_("Take the received version"))
        self.hq_box.setTitle(_("Headquarters"))
        self.transfer_button.setText(_("Transfer cases…"))
        self.library_button.setText(_("Send the agreements library…"))
        self.tabs.setTabText(self.bundles_tab, _("Bundles"))
        self.tabs.setTabText(self.keys_tab, _("Keys"))
        for label, said in self._said.items():
            label.setText(said())
        self.own_keys.retranslate_ui()
        self.trusted_keys.retranslate_ui()
        self._reload_trusted()
        self.refresh()

    # -- keys -------------------------------------------------------------------------------------

    def _reload_trusted(self) -> None:
        """Offer the trusted headquarters' keys, each named by its installation."""
        self._trusted = self.keys.trusted()
        chosen = self.recipient_choice.currentData()
        self.recipient_choice.clear()
        for key in self._trusted:
            if key.is_hq and key.age_recipient:
                short = f"{key.age_recipient[:10]}…{key.age_recipient[-6:]}"
                self.recipient_choice.addItem(
                    _("{code} (headquarters) — {key}").format(code=key.code, key=short),
                    key.age_recipient,
                )
                self.recipient_choice.setItemData(
                    self.recipient_choice.count() - 1,
                    key.age_recipient,
                    Qt.ItemDataRole.ToolTipRole,
                )
        none = not self.recipient_choice.count()
        if none:
            self.recipient_choice.addItem("—", None)
            self.no_hq_key.setText(
                _("No headquarters' key is trusted yet (an administrator adds it under Keys)")
            )
        self.no_hq_key.setVisible(none)
        self.recipient_choice.setEnabled(self.recipient_choice.currentData() is not None)
        self.recipient_choice.setCurrentIndex(max(self.recipient_choice.findData(chosen), 0))

    def _other_key_toggled(self, checked: bool) -> None:
        self.recipient.setVisible(checked)
        self.other_warning.setVisible(checked)
        self.recipient_choice.setEnabled(
            not checked and self.recipient_choice.currentData() is not None
        )
        self.recipient_error.clear_message()
        if checked:
            self.recipient.setFocus()

    def chosen_recipient(self) -> str:
        """The key the bundle would be encrypted to: a trusted HQ key, or the typed one."""
        if self.other_key.isChecked():
            return self.recipient.text().strip()
        return str(self.recipient_choice.currentData() or "")

    def check_recipient(self) -> str | None:
        """The chosen key if it can be used, else None with the reason shown beside it."""
        recipient = self.chosen_recipient()
        try:
            if self.other_key.isChecked():
                if not recipient:
                    raise ValidationError(
                        lazy(N_("Type the key headquarters gave you.")), "recipient"
                    )
                try:
                    check_age_recipient(recipient)
                except ValidationError:
                    raise ValidationError(
                        lazy(
                            N_(
                                "This is not a valid key: a key starts with “age1” and has 62 "
                                "letters."
                            )
                        ),
                        "recipient",
                    ) from None
            else:
                self.service.require_hq_keys([recipient] if recipient else [])
        except QorgauError as exc:
            refusal = exc  # said again after a language switch while it is on screen
            self.recipient_error.show_message(lambda: str(refusal))
            (self.recipient if self.other_key.isChecked() else self.recipient_choice).setFocus()
            return None
        self.recipient_error.clear_message()
        return recipient

    # -- export -----------------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        """Check the key first: nobody picks a file name for a bundle that cannot be sent."""
        if self.check_recipient() is None:
            return
        path = save_path(
            self, _("Export bundle"), "qorgau.qbundle", _("Qorgau bundles (*.qbundle)")
        )
        if path:
            self.export_to(path)

    def choose_bundle_to_follow(self) -> QInputDialog | None:
        """Send again what came after a bundle sent before: headquarters' import names the
        last one it received when a later one never arrived."""
        if self.check_recipient() is None:
            return None
        sent = {_sent_label(entry): entry.bundle_id for entry in self.service.sent_case_bundles()}
        if not sent:
            self.export_summary.show()
            self._say(self.export_summary, lambda: _("No bundle has been sent from here yet."))
            return None
        dialog = QInputDialog(self)
        dialog.setWindowTitle(_("Send again after a bundle"))
        dialog.setLabelText(
            _(
                "The last bundle headquarters received (its import names it); everything "
                "sent after it is written again:"
            )
        )
        dialog.setComboBoxItems(list(sent))  # newest first
        dialog.setComboBoxEditable(False)
        dialog.textValueSelected.connect(lambda chosen: self._export_after(sent[chosen]))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _export_after(self, bundle_id: str) -> None:
        path = save_path(
            self, _("Export bundle"), "qorgau.qbundle", _("Qorgau bundles (*.qbundle)")
        )
        if path:
            self.export_to(path, after_bundle=bundle_id)

    def export_to(self, path: Path, after_bundle: str | None = None) -> BackgroundTask[Any]:
        recipient = self.chosen_recipient()
        everything = self.everything.isChecked() and after_bundle is None
        hq_key_only = not self.other_key.isChecked()

        def work(context: TaskContext) -> ExportSummary:
            return self.service.export_cases(
                path,
                [recipient],
                everything,
                context.report,
                hq_key_only=hq_key_only,
                after_bundle=after_bundle,
            )

        return self._run(work, _("Exporting…"), self._exported, self._export_failed)

    def _exported(self, summary: ExportSummary) -> None:
        self.export_summary.show()
        removed = self._removed_parts()
        self._say(self.export_summary, lambda: _with_removed(_export_summary(summary), removed))
        self.refresh()

    def _export_failed(self, exc: BaseException) -> None:
        self.export_summary.show()
        removed = self._removed_parts()
        self._say(
            self.export_summary,
            lambda: _with_removed(
                _("Not exported: {reason}").format(reason=self._reason(exc)), removed
            ),
        )

    def _removed_parts(self) -> list[str]:
        """The unfinished files of exports killed in another window that this export removed
        (``note_killed_export_parts``): said here, once, not only at the next start."""
        found = take_found(self.service.ws, Found.EXPORT_PART_REMOVED)
        return [f.source for f in found]

    # -- headquarters -----------------------------------------------------------------------------

    def choose_transfer(self) -> TransferDialog:
        dialog = TransferDialog(self, self._trusted)
        dialog.accepted.connect(
            lambda: self.transfer(dialog.case_numbers(), dialog.target(), dialog.out_path())
        )
        self.dialog = dialog
        dialog.open()
        return dialog

    def transfer(self, numbers: list[str], mission: str, path: Path) -> BackgroundTask[Any]:
        def work(context: TaskContext) -> ExportSummary:
            return self.service.transfer_cases(numbers, mission, path, progress=context.report)

        return self._run(work, _("Transferring cases…"), self._transferred, self._hq_failed)

    def _transferred(self, summary: ExportSummary) -> None:
        self._say(self.hq_summary, lambda: _transfer_summary(summary))
        self.refresh()

    def choose_library_file(self) -> None:
        path = choose_bundle_file(self, _("Send the agreements library"), "agreements.qbundle")
        if path is not None:
            self.send_library(path)

    def send_library(self, path: Path) -> BackgroundTask[Any]:
        def work(context: TaskContext) -> ExportSummary:
            return self.service.export_agreements(path, progress=context.report)

        return self._run(
            work, _("Writing the agreements library…"), self._library_sent, self._hq_failed
        )

    def _library_sent(self, summary: ExportSummary) -> None:
        self._say(self.hq_summary, lambda: _library_summary(summary))
        self.refresh()

    def _hq_failed(self, exc: BaseException) -> None:
        self._say(
            self.hq_summary, lambda: _("Not written: {reason}").format(reason=self._reason(exc))
        )

    # -- import -----------------------------------------------------------------------------------

    def choose_import_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Import bundle"), in_documents(), _("Qorgau bundles (*.qbundle);;All files (*)")
        )
        if name:
            self.import_from(Path(name))

    def choose_identity_file(self) -> None:
        """Ask for the identity file that opens the bundle refused, and import it again."""
        bundle = self.unopened_bundle
        if bundle is None:
            return
        name, _filter = QFileDialog.getOpenFileName(
            self,
            _("Identity file for {bundle}").format(bundle=bundle.name),
            in_documents(),
            _("age identity files (*.txt *.key);;All files (*)"),
        )
        if name:
            self.import_from(bundle, identity_file=Path(name))

    def import_from(self, path: Path, identity_file: Path | None = None) -> BackgroundTask[Any]:
        def work(context: TaskContext) -> ImportReport:
            return self.service.import_bundle(path, identity_file, progress=context.report)

        return self._run(
            work, _("Importing…"), self._imported, lambda exc: self._import_failed(path, exc)
        )

    def _offer_identity_file(self, bundle: Path | None) -> None:
        self.unopened_bundle = bundle
        self.identity_button.setVisible(bundle is not None)

    def _say(self, label: QLabel, said: Callable[[], str]) -> None:
        self._said[label] = said
        label.setText(said())

    def _say_import(self, said: Callable[[], str]) -> None:
        self._say(self.import_report, said)

    def _imported(self, report: ImportReport) -> None:
        self._offer_identity_file(None)
        if report.already_imported:
            self._say_import(lambda: _("This bundle was imported before; nothing changed."))
        else:
            self._say_import(lambda: _import_summary(report))
        self.refresh()

    def _import_failed(self, path: Path, exc: BaseException) -> None:
        self._say_import(lambda: _("Refused: {reason}").format(reason=self._reason(exc)))
        # Another identity file may still open it; any other refusal is the bundle's own.
        unopened = isinstance(exc, NoIdentityOpens | NotAnIdentityFile)
        self._offer_identity_file(path if unopened else None)

    # -- shared -----------------------------------------------------------------------------------

    def _reason(self, exc: BaseException) -> str:
        return str(exc) if isinstance(exc, QorgauError) else _("an unexpected error")

    def _run(self, work: Any, label: str, ok: Any, failed: Any) -> BackgroundTask[Any]:
        task: BackgroundTask[Any] = BackgroundTask(self, work)
        self.task = task.with_progress(label).success(ok).failure(failed).run_in_background()
        return self.task

    def _changed(self, change: DataChanged) -> None:
        self.refresh()
        if change.touches("mission"):  # a mission's key trusted on another desktop
            self.trusted_keys.reload()

    def refresh(self) -> None:
        if not hasattr(self, "service"):
            return
        entries = self.service.exchange_log(limit=LOG_ROWS)
        total = self.service.count_exchange_log() if len(entries) == LOG_ROWS else len(entries)
        self.log_capped.setText(
            _(
                "The newest {shown} of {total} bundles are listed; the command "
                "“qorgau bundle log” lists them all."
            ).format(shown=format_number(len(entries)), total=format_number(total))
        )
        self.log_capped.setVisible(total > len(entries))
        self.log.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            records = sum(v for k, v in entry.counts.items() if k != "files")
            values = [
                format_datetime(entry.created_at.astimezone()),
                _("sent") if entry.direction == "out" else _("received"),
                entry.kind_label,
                entry.peer_mission or entry.source_mission,
                format_number(records),
            ]
            for column, value in enumerate(values):
                self.log.setItem(row, column, QTableWidgetItem(value))
        self._conflicts = self.service.conflicts()
        self.conflict_list.setRowCount(len(self._conflicts))
        for row, conflict in enumerate(self._conflicts):
            values = [
                conflict.label,
                record_kind_label(conflict.entity),
                conflict.source,
                format_datetime(conflict.detected_at.astimezone()),
            ]
            for column, value in enumerate(values):
                self.conflict_list.setItem(row, column, QTableWidgetItem(value))
        self.no_conflicts.setText(
            _(
                "Nothing to resolve: no record received so far was changed both here and "
                "by its sender."
            )
        )
        self.no_conflicts.setVisible(not self._conflicts)
        self.tabs.setTabText(
            self.conflicts_tab,
            _("Conflicts ({count})").format(count=format_number(len(self._conflicts)))
            if self._conflicts
            else _("Conflicts"),
        )
        self._show_conflict()

    def selected_conflict(self) -> ConflictInfo | None:
        rows = self.conflict_list.selectionModel().selectedRows()
        return self._conflicts[rows[0].row()] if rows else None

    def _show_conflict(self) -> None:
        conflict = self.selected_conflict()
        fields = conflict.fields if conflict else ()
        self.conflict_fields.setRowCount(len(fields))
        for row, item in enumerate(fields):
            shown = (field_label(item.name), item.local_text, item.remote_text)
            for column, value in enumerate(shown):
                cell = QTableWidgetItem(_shortened(value))
                cell.setToolTip(_shortened(value, TOOLTIP_CHARS) if cell.text() != value else "")
                self.conflict_fields.setItem(row, column, cell)
        self.conflict_fields.resizeRowsToContents()
        self.keep_local.setEnabled(conflict is not None)
        self.take_remote.setEnabled(conflict is not None)

    def resolve_selected(self, choice: str) -> BackgroundTask[object] | None:
        """Written off the GUI thread (it may rewrite the case); the lists are read again
        once it is, a refusal said where the import's report is."""
        conflict = self.selected_conflict()
        if conflict is None:
            return None
        service, conflict_id = self.service, conflict.id
        task: BackgroundTask[object] = BackgroundTask(
            self,
            lambda _context: service.resolve_conflict(conflict_id, choice, search_rows_later=True),
        )
        task.while_busy(self.conflict_list, self.keep_local, self.take_remote)
        task.success(self._resolved).failure(self._resolve_refused)
        return task.run_in_background()

    def _resolved(self, _conflict: object) -> None:
        # The cases it touches (every case of an employer's, perhaps) written after, in batches.
        write_search_rows_later(self, self.service.ws)
        self.refresh()

    def _resolve_refused(self, exc: BaseException) -> None:
        if not isinstance(exc, QorgauError):
            show_error(self, exc)
            return
        self._say_import(lambda: str(exc))
        self.refresh()


def _export_summary(summary: ExportSummary) -> str:
    lines = [
        _("Bundle written to {path}: {records} records, {files} files, {size}.").format(
            path=bundle.path,
            records=format_number(bundle.records),
            files=format_number(bundle.files),
            size=format_size(bundle.size),
        )
        for bundle in (summary, *summary.parts)
    ]
    if summary.parts:
        lines.append(in_parts_advice(len(lines)))
    return "\n".join(lines)


def _with_removed(said: str, removed: list[str]) -> str:
    lines = [
        _(
            "An earlier export was stopped before it finished (Qorgau was closed or the "
            "computer switched off) and had left its unfinished file {file}; it was removed."
        ).format(file=part)
        for part in removed
    ]
    return "\n".join([said, *lines])


def _transfer_summary(summary: ExportSummary) -> str:
    cases = summary.counts.get("case", 0)
    lines = [
        ngettext(
            "{count} case for {mission} written to {path} ({size}).",
            "{count} cases for {mission} written to {path} ({size}).",
            cases,
        ).format(
            count=format_number(cases),
            mission=summary.target_mission,
            path=summary.path,
            size=format_size(summary.size),
        )
    ]
    lines += [
        _(
            "Notice for {code}, which handled these cases until now: {path}. "
            "Send it to {code} too; there the cases become read only."
        ).format(code=notice.target_mission, path=notice.path)
        for notice in summary.notices
    ]
    return "\n".join([*lines, *(say_again(w) for w in summary.warnings)])


def _library_summary(summary: ExportSummary) -> str:
    return _(
        "Agreements library written to {path}: {records} records, {size}, "
        "readable by every trusted mission."
    ).format(
        path=summary.path,
        records=format_number(summary.records),
        size=format_size(summary.size),
    )


def _import_summary(report: ImportReport) -> str:
    """The import's report in the current language (its warnings and notes too, where the
    service made them ``Said``)."""
    if report.left_out:  # the counts add up to the bundle's records
        counts = _(
            "From {source}: {new} new, {updated} updated, {unchanged} unchanged, "
            "{newer} newer here, {conflicts} conflicts, {left_out} left out (cases "
            "transferred away)."
        )
    else:
        counts = _(
            "From {source}: {new} new, {updated} updated, {unchanged} unchanged, "
            "{newer} newer here, {conflicts} conflicts."
        )
    return (
        counts.format(**report.counts())
        # Loud: the sender's audit history could not be linked (audit_anchor.py).
        + "".join(
            "\n" + _("Warning: {warning}").format(warning=say_again(w)) for w in report.warnings
        )
        + "".join("\n" + say_again(note) for note in report.notes)
    )


def _sent_label(entry: ExchangeLogEntry) -> str:
    """A bundle sent, as "Send again after a bundle…" lists it: when, its id, its part."""
    when = format_datetime(entry.created_at.astimezone())
    bundle = entry.bundle_id[:BUNDLE_PREFIX_CHARS]
    part = PartOf.of(entry.report.get(PART_FIELD))
    if part is None:
        return _("{when} · bundle {id}").format(when=when, id=bundle)
    return _("{when} · bundle {id}, part {number} of {count}").format(
        when=when, id=bundle, number=part.number, count=part.count
    )
