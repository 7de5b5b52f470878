"""Search rows a write left to follow it (``app.services.index_later``), written off the GUI
thread: once the dialog that made the write has closed (a renamed employer's cases: the demo's
largest at 300,000 cases has 44,000, 29 s of batches, which the organisation dialog used to
wait for under "Saving…"; the cases a resolved conflict touches), and after sign-in, what an
import or such a write left pending (``ui.app.catch_up_search_index``). Said in the main
window's status bar; stopped when the app closes, the rest written at the next sign-in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow, QWidget

from app.errors import QorgauError
from app.i18n import _, format_number, ngettext
from ui.tasks import BackgroundTask, TaskContext, show_error, stopped_on_quit

if TYPE_CHECKING:
    from app.services.workspace import Workspace


def index_updated_message(count: int) -> str:
    return ngettext(
        "Search index updated: {n} case.", "Search index updated: {n} cases.", count
    ).format(n=format_number(count))


def write_search_rows_later(
    near: QWidget, workspace: Workspace, announce: bool = True
) -> BackgroundTask[int] | None:
    """Write the pending search rows in batches on a pool thread, parented to ``near``'s
    window so that it outlives a dialog; ``announce``: say so as it starts. Importers also take
    back an import cut short (``ExchangeService.index_pending``); the others who edit cases
    write what is pending; an HQ analyst, whose account cannot write the index, nothing (None).
    """
    from app.domain.roles import BUNDLE_IMPORTERS, CASE_WORKERS

    role = workspace.actor.role
    if role not in BUNDLE_IMPORTERS and role not in CASE_WORKERS:
        return None
    window = near.window()

    def say(message: str, timeout_ms: int = 0) -> None:
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(message, timeout_ms)

    def work(ctx: TaskContext) -> int:
        from app.services import index_later
        from app.services.exchange import ExchangeService

        stop = lambda: ctx.cancelled  # noqa: E731
        if role in BUNDLE_IMPORTERS:
            return ExchangeService(workspace).index_pending(stop=stop)
        return index_later.write_pending(workspace, stop=stop)

    def done(count: int) -> None:
        if count:
            say(index_updated_message(count), 15_000)
        elif announce and isinstance(window, QMainWindow):
            window.statusBar().clearMessage()

    def failed(exc: BaseException) -> None:
        if not isinstance(exc, QorgauError):
            show_error(window, exc)
            return
        # The database busy past its timeout: the range stays pending.
        say(
            _("Search will find the new details after the next sign-in ({reason}).").format(
                reason=exc
            ),
            15_000,
        )

    if announce:
        say(_("The search index is catching up with the change…"))
    task = stopped_on_quit(BackgroundTask(window, work))
    return task.success(done).failure(failed).run_in_background()
