"""Overdue cases escalated to the head of section, as the deadlines run out.

A case past its due date is flagged for the consul (``CaseService.escalate_overdue``) and
shows on their start page until acted on. Nothing flagged them while Qorgau was in use: the
flag existed in the data and no step set it. Now it is set after sign-in and every hour after
(a case falls due as the day turns, and an office laptop stays signed in for days), off the
GUI thread; what it flagged is said in the status bar and the open lists hear of it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

from app.domain.roles import CASE_WORKERS
from app.errors import QorgauError
from app.i18n import format_number, ngettext
from app.services.cases import CaseService
from app.services.workspace import Workspace
from ui.tasks import BackgroundTask, show_error, stopped_on_quit

EVERY_MS = 60 * 60 * 1000


class OverdueEscalation(QObject):
    """Runs the escalation now and then every ``EVERY_MS``, one run at a time; a mission's
    only (HQ keeps the missions' cases as they send them and has no head of section). The
    window owns it."""

    def __init__(self, window: QMainWindow, workspace: Workspace) -> None:
        super().__init__(window)
        self.window = window
        self.workspace = workspace
        self.service = CaseService(workspace)  # its "today" is the computer's, each run
        self.task: BackgroundTask[int] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(EVERY_MS)
        self.timer.timeout.connect(self.run)

    def applies(self) -> bool:
        return not self.workspace.mission.is_hq and self.workspace.actor.role in CASE_WORKERS

    def start(self) -> None:
        if self.applies():
            self.run()
            self.timer.start()

    def run(self) -> BackgroundTask[int] | None:
        if self.task is not None and self.task.running:
            return None
        service = self.service
        task: BackgroundTask[int] = BackgroundTask(
            self.window, lambda ctx: service.escalate_overdue(stop=lambda: ctx.cancelled)
        )
        self.task = stopped_on_quit(task).success(self._done).failure(self._failed)
        return self.task.run_in_background()

    def _done(self, flagged: int) -> None:
        if flagged:
            self.window.statusBar().showMessage(
                ngettext(
                    "{n} overdue case was escalated to the head of section.",
                    "{n} overdue cases were escalated to the head of section.",
                    flagged,
                ).format(n=format_number(flagged)),
                15_000,
            )

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, QorgauError):  # the database busy: the next run flags them
            self.window.statusBar().showMessage(str(exc), 15_000)
        else:
            show_error(self.window, exc)
