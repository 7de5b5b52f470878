"""Today's scheduled backup, written while Qorgau is open rather than after it has closed.

It used to be written once the window had closed: 12.5 s at 100k cases with nothing on the
screen, so a Qorgau started again meanwhile found the database still open, and a laptop shut
down at once lost that day's backup. Now it is written off the GUI thread a minute after
sign-in (the online backup API reads a snapshot; others save meanwhile), said in the status
bar; a session closed before that, or whose backup failed, writes it as Qorgau closes, under a
small window that says so.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow, QMessageBox, QProgressDialog

from app.errors import QorgauError, StorageFailed, StorageFull
from app.i18n import _
from app.services import backup
from app.services.workspace import Workspace
from ui.tasks import BackgroundTask

# A backup refused for the data's own disk, said in a warning and not only in the status bar:
# a disk that filled or turned read only while the copy was taken stops the saves next.
DISK_REFUSALS = (backup.NoRoomForBackup, StorageFull, StorageFailed)

log = logging.getLogger(__name__)
START_DELAY_MS = 60_000  # after the window shows: the first minutes' work comes first


class DailyBackup:
    """At most one scheduled backup a day (``backup.backup_if_due``), off the GUI thread."""

    def __init__(self, window: QMainWindow, workspace: Workspace) -> None:
        self.window = window
        self.workspace = workspace
        self.task: BackgroundTask[object] | None = None
        self.warning: QMessageBox | None = None
        self.closing = False

    def due(self) -> bool:
        if self.workspace.on_server:  # the server's own backups keep it
            return False
        return backup.backup_is_due(self.workspace.paths, datetime.now(UTC))

    def start(self) -> BackgroundTask[object] | None:
        """Write today's backup in the background, unless written already or under way."""
        if (self.task is not None and self.task.running) or not self.due():
            return None
        self.window.statusBar().showMessage(_("Writing today's backup…"))
        task: BackgroundTask[object] = BackgroundTask(
            self.window, lambda _ctx: backup.backup_if_due(self.workspace)
        )
        self.task = task.success(self._written).failure(self._failed).run_in_background()
        return self.task

    def _written(self, info: object) -> None:
        if info is not None:
            self.window.statusBar().showMessage(_("Today's backup is written."), 15_000)

    def _failed(self, exc: BaseException) -> None:
        # Tried again as Qorgau closes, and at the next start until one is written.
        if not isinstance(exc, QorgauError):
            log.error("the daily backup failed", exc_info=exc)
        message = _("Today's backup could not be written: {error}").format(error=exc)
        self.window.statusBar().showMessage(message, 15_000)
        print(f"qorgau: {message}", file=sys.stderr)
        if isinstance(exc, DISK_REFUSALS) and self.warning is None and not self.closing:
            # The database's own disk is filling up (or full, or turned read only): its saves
            # are next. Once a session, and not as Qorgau closes (the status bar is gone by
            # then, and so is the user).
            self.warning = QMessageBox(
                QMessageBox.Icon.Warning, _("Qorgau"), message, parent=self.window
            )
            self.warning.setTextFormat(Qt.TextFormat.PlainText)  # a folder's name
            self.warning.open()

    def finish_on_exit(self) -> None:
        """As Qorgau closes: wait for the backup under way, or write it if it is still due,
        under a small window that says why Qorgau has not closed yet."""
        self.closing = True
        if self.task is None or not self.task.running:
            if not self.due():
                return
            self.start()
        task = self.task
        if task is None:
            return
        dialog = QProgressDialog(_("Writing today's backup before Qorgau closes…"), "", 0, 0)
        dialog.setWindowTitle(_("Qorgau"))
        dialog.setCancelButton(None)  # the backup cannot stop half-way: it is short
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(0)
        dialog.show()
        try:
            task.wait_finished()
        finally:
            dialog.close()
            dialog.deleteLater()
