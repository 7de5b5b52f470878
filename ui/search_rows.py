"""Search rows a write left to follow it, written off the GUI thread once the dialog that made
the write has closed: a renamed employer's cases (the demo's largest at 300,000 cases has
44,000, 29 s of batches, which the organisation dialog used to wait for under "Saving…"), or
the cases a resolved conflict touches. Said in the main window's status bar; stopped when the
app closes, the rest written at the next sign-in (``ui.app.index_imported_cases``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMainWindow, QWidget

from app.errors import QorgauError
from app.i18n import _, ngettext
from ui.tasks import BackgroundTask, TaskContext, show_error, stopped_on_quit

if TYPE_CHECKING:
    from app.services.workspace import Workspace


def index_updated_message(count: int) -> str:
    return ngettext(
        "Search index updated: {n} case.", "Search index updated: {n} cases.", count
    ).format(n=count)


def write_search_rows_later(near: QWidget, workspace: Workspace) -> BackgroundTask[int]:
    """Write the pending search rows in batches on a pool thread, parented to ``near``'s
    window so that it outlives the dialog."""
    from app.services import index_later

    window = near.window()

    def say(message: str, timeout_ms: int = 0) -> None:
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(message, timeout_ms)

    def work(ctx: TaskContext) -> int:
        return index_later.write_pending(workspace, stop=lambda: ctx.cancelled)

    def done(count: int) -> None:
        if count:
            say(index_updated_message(count), 15_000)
        elif isinstance(window, QMainWindow):
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

    say(_("The search index is catching up with the change…"))
    task = stopped_on_quit(BackgroundTask(window, work))
    return task.success(done).failure(failed).run_in_background()
