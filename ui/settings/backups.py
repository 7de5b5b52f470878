"""Settings → Backups (the administrator; not at an HQ on a database server, which the server
backs up): the backups kept, "Back up now…" and "Restore from a backup…", and the copies of
the database taken before an update, with "Go back to this copy…".

The restore is checked here (the file, the installation it belongs to, the administrator's
password) while the window is open, so a refusal changes nothing; it is done once the window
has closed its database (``ui.restore``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_datetime, format_size
from app.security.private_files import make_private_dir
from app.services.backup import (
    SCHEDULED_SUFFIX,
    BackupInfo,
    BackupSummary,
    check_backup_for_restore,
    check_restorer,
    create_backup,
    kept_backups,
    manual_backup_path,
    scheduled_dir,
)
from app.services.migration_copies import MigrationCopy, check_migration_copy, migration_copies
from ui.restore import RestoreRequest
from ui.tasks import BackgroundTask
from ui.widgets.common import (
    STRETCH,
    one_row_at_a_time,
    push_button,
    read_only_table,
    widget_row,
    word_wrapped,
)
from ui.widgets.dialogs import ValidatingDialog, inform, password_field
from ui.widgets.plain import plain_label

if TYPE_CHECKING:
    from ui.main_window import MainWindow

WHEN, KIND, SIZE = range(3)
TAKEN, DATABASE_VERSION, COPY_SIZE = range(3)
VISIBLE_ROWS = 6  # 7 daily and 4 weekly are kept: the rest scrolls
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _filters() -> str:
    return (
        _("Qorgau backups (*{suffix})").format(suffix=SCHEDULED_SUFFIX) + ";;" + _("All files (*)")
    )


class BackupsBox(QGroupBox):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        self.paths = window.workspace.paths
        self.task: BackgroundTask[Any] | None = None
        self.restore_dialog: RestoreDialog | None = None
        self.done_box: QMessageBox | None = None
        self.intro = word_wrapped(QLabel())
        self.folder = word_wrapped(plain_label())
        self.folder.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = read_only_table(3, stretch=(WHEN,), wrap=False)
        self.table.setSelectionMode(self.table.SelectionMode.NoSelection)
        self.empty = word_wrapped(QLabel())
        self.backup_button = push_button(self.back_up_now)
        self.restore_button = push_button(self.choose_backup_to_restore)
        # The copies an update took before its migrations: going back to one was a manual
        # step in the README only (files moved by hand in the data folder).
        self.copies: list[MigrationCopy] = []
        self.copies_intro = word_wrapped(QLabel())
        self.copies_table = read_only_table(3, stretch=(TAKEN,), wrap=False)
        one_row_at_a_time(self.copies_table)
        self.copies_table.itemSelectionChanged.connect(self._copy_chosen)
        self.copy_button = push_button(self.choose_copy_to_put_back)
        self.copy_dialog: MigrationCopyDialog | None = None
        layout = QVBoxLayout(self)
        for widget in (self.intro, self.folder, self.table, self.empty):
            layout.addWidget(widget)
        layout.addLayout(widget_row(self.backup_button, self.restore_button, STRETCH))
        layout.addWidget(self.copies_intro)
        layout.addWidget(self.copies_table)
        layout.addLayout(widget_row(self.copy_button, STRETCH))
        self.refresh()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Backups"))
        self.intro.setText(
            _(
                "A backup is written every day, a minute after sign-in (the newest of each of "
                "the last 7 days and 4 weeks are kept). Keep a copy on another disk too: a "
                "backup on this laptop is lost with it."
            )
        )
        self.folder.setText(_("Kept in {folder}").format(folder=self.paths.backups))
        self.table.setHorizontalHeaderLabels([_("Written"), _("Kind"), _("Size")])
        self.empty.setText(_("No backup is kept here yet."))
        self.backup_button.setText(_("&Back up now…"))
        self.backup_button.setToolTip(
            _("Write a backup to the backups folder, or to a file you choose (a USB stick).")
        )
        self.restore_button.setText(_("R&estore from a backup…"))
        self.restore_button.setToolTip(
            _("Replace this installation's data with a backup's; Qorgau then asks you to sign in.")
        )
        self.copies_intro.setText(
            _(
                "Copies of the database taken before an update (the two newest are kept). "
                "Going back to one undoes the update: everything saved since is lost, and the "
                "version of Qorgau it came from must be installed again."
            )
        )
        self.copies_table.setHorizontalHeaderLabels(
            [_("Taken before the update"), _("Database version"), _("Size")]
        )
        self.copy_button.setText(_("&Go back to this copy…"))
        self.copy_button.setToolTip(
            _("Put the chosen copy back as the database, as it was before that update.")
        )
        self.refresh()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        self.refresh()  # today's backup may have been written since the page was built
        super().showEvent(event)

    def refresh(self) -> None:
        """The backups kept in the data folder, newest first (read from the folder: quick)."""
        kept = kept_backups(self.paths)
        self.table.setRowCount(len(kept))
        for row, backup in enumerate(kept):
            kind = _("daily") if backup.scheduled else _("made by hand")
            cells = (
                format_datetime(backup.created_at.astimezone()),
                kind,
                format_size(backup.size),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(backup.path))
                if column == SIZE:
                    item.setTextAlignment(RIGHT)
                self.table.setItem(row, column, item)
        _fit_rows(self.table, min(len(kept), VISIBLE_ROWS))
        self.table.setVisible(bool(kept))
        self.empty.setVisible(not kept)
        self._refresh_copies()

    def _refresh_copies(self) -> None:
        """The copies taken before updates, newest first; the part is hidden without one."""
        self.copies = migration_copies(self.paths)
        table = self.copies_table
        table.setRowCount(len(self.copies))
        for row, copy in enumerate(self.copies):
            cells = (
                format_datetime(copy.taken_at.astimezone()),
                copy.database_version,
                format_size(copy.size),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(copy.path))
                if column == COPY_SIZE:
                    item.setTextAlignment(RIGHT)
                table.setItem(row, column, item)
        _fit_rows(table, len(self.copies))
        for part in (self.copies_intro, table, self.copy_button):
            part.setVisible(bool(self.copies))
        self._copy_chosen()

    def chosen_copy(self) -> MigrationCopy | None:
        rows = self.copies_table.selectionModel().selectedRows()
        return self.copies[rows[0].row()] if rows else None

    def _copy_chosen(self) -> None:
        self.copy_button.setEnabled(self.chosen_copy() is not None)

    # -- Back up now -------------------------------------------------------------------------

    def back_up_now(self) -> None:
        workspace = self.window_.workspace
        make_private_dir(self.paths.backups)  # the dialog starts inside it
        name, _chosen = QFileDialog.getSaveFileName(
            self,
            _("Back up now"),
            str(manual_backup_path(workspace)),
            _filters(),
            options=QFileDialog.Option.DontConfirmOverwrite,  # refused with its reason instead
        )
        if not name:
            return
        target = Path(name)
        if target.suffix != SCHEDULED_SUFFIX and not target.exists():
            target = target.with_name(target.name + SCHEDULED_SUFFIX)
        task: BackgroundTask[BackupInfo] = BackgroundTask(
            self, lambda _ctx: create_backup(workspace, target)
        )
        task.with_progress(_("Writing the backup…")).success(self._written)
        self.task = task.run_in_background()

    def _written(self, info: BackupInfo) -> None:
        self.refresh()
        self.done_box = inform(
            self,
            _("Back up now"),
            _("The backup was written to {path} ({size}).").format(
                path=info.path, size=format_size(info.size)
            ),
        )

    # -- Restore -----------------------------------------------------------------------------

    def choose_backup_to_restore(self) -> None:
        start = scheduled_dir(self.paths)
        if not start.is_dir():
            start = self.paths.backups if self.paths.backups.is_dir() else self.paths.data_dir
        name, _chosen = QFileDialog.getOpenFileName(
            self, _("Restore from a backup"), str(start), _filters()
        )
        if not name:
            return
        file, paths = Path(name), self.paths
        task: BackgroundTask[BackupSummary] = BackgroundTask(
            self, lambda _ctx: check_backup_for_restore(paths, file)
        )
        task.with_progress(_("Checking the backup…")).success(self._ask_to_restore)
        self.task = task.run_in_background()

    def _ask_to_restore(self, summary: BackupSummary) -> None:
        dialog = RestoreDialog(self, self.window_, summary)
        self.restore_dialog = dialog
        dialog.open()

    # -- Go back to a copy taken before an update --------------------------------------------

    def choose_copy_to_put_back(self) -> None:
        copy = self.chosen_copy()
        if copy is None:
            return
        dialog = MigrationCopyDialog(self, self.window_, copy)
        self.copy_dialog = dialog
        dialog.open()


def _fit_rows(table: QTableWidget, rows: int) -> None:
    """As tall as its rows, up to ``VISIBLE_ROWS`` (then it scrolls): no empty space."""
    height = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
    shown = min(rows, VISIBLE_ROWS)
    table.setFixedHeight(height + sum(table.rowHeight(row) for row in range(shown)))


class RestoreDialog(ValidatingDialog):
    """What a restore replaces, and the administrator's password to confirm it. OK proves the
    password off the GUI thread, then closes the main window with the restore to do."""

    def __init__(self, parent: QWidget, window: MainWindow, summary: BackupSummary) -> None:
        super().__init__(parent)
        self.window_ = window
        self.summary = summary
        self.username = window.workspace.actor.username
        self.setWindowTitle(_("Restore from a backup"))
        created = (
            format_datetime(summary.created_at.astimezone())
            if summary.created_at is not None
            else "?"
        )
        self.set_intro(
            _(
                "Restore the backup of {created} ({file}, {size})?\n\n"
                "It replaces every case, letter, user and setting of this installation with "
                "what they were then: everything entered since is lost. The current files are "
                "kept in {folder}. Users revoked since the backup stay out.\n\n"
                "Qorgau closes this window, restores the backup and asks you to sign in again."
            ).format(
                created=created,
                file=summary.path.name,
                size=format_size(summary.size),
                folder=window.workspace.paths.backups,
            )
        )
        self.password = password_field()
        self.form.addRow(_("Your &password:"), self.password)
        self.set_ok_text(lambda: _("Restore"))

    def writer(self) -> Callable[[], object]:
        paths, username = self.window_.workspace.paths, self.username
        password = self.password.text()
        return lambda: check_restorer(paths, username, password)

    def written(self, result: object) -> None:
        request = RestoreRequest(self.summary.path, self.username, self.password.text())
        # Once this dialog has closed: the window's closing asks its areas first.
        QTimer.singleShot(0, self.window_, lambda: self.window_.close_for_restore(request))


class MigrationCopyDialog(ValidatingDialog):
    """What going back to a copy taken before an update does, and the administrator's
    password. OK checks the copy (the current key opens it) and the password off the GUI
    thread, then closes the main window with the copy to put back."""

    def __init__(self, parent: QWidget, window: MainWindow, copy: MigrationCopy) -> None:
        super().__init__(parent)
        self.window_ = window
        self.copy = copy
        self.username = window.workspace.actor.username
        self.setWindowTitle(_("Go back to a copy taken before an update"))
        self.set_intro(
            _(
                "Put back the copy of the database taken on {taken}, before the update from "
                "database version {version} ({file}, {size})?\n\n"
                "Everything saved since then is lost. The current database is moved to "
                "{folder}.\n\n"
                "Qorgau then closes: install the version of Qorgau that used database version "
                "{version} and start that one. Started again, this version would update the "
                "database once more."
            ).format(
                taken=format_datetime(copy.taken_at.astimezone()),
                version=copy.database_version,
                file=copy.path.name,
                size=format_size(copy.size),
                folder=window.workspace.paths.backups,
            )
        )
        self.password = password_field()
        self.form.addRow(_("Your &password:"), self.password)
        self.set_ok_text(lambda: _("Go back to this copy"))

    def writer(self) -> Callable[[], object]:
        paths, username, copy = self.window_.workspace.paths, self.username, self.copy
        password = self.password.text()
        return lambda: check_migration_copy(paths, copy, username, password)

    def written(self, result: object) -> None:
        request = RestoreRequest(
            self.copy.path, self.username, self.password.text(), migration_copy=self.copy
        )
        QTimer.singleShot(0, self.window_, lambda: self.window_.close_for_restore(request))
