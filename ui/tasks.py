"""Run long work off the GUI thread, ``BackgroundTask(...).success(cb).run_in_background()``.

The work function runs on a pool thread and gets a ``TaskContext`` to report progress and to see
whether the user pressed Cancel. It must not touch widgets. Pass it the ``Workspace``, never a
session: services open their own session per call, on whatever thread calls them.
Callbacks (success, failure) always run on the GUI thread.

Writes run here too (a write may wait up to the busy timeout while another process holds the
database): ``.while_busy(form, save_button, indicator=busy, text=_("Saving…"))`` disables the
form under a busy cursor and shows the indicator until the work is done, so the window keeps
painting and a second click cannot start a second write. Whatever the UI does after the write
(signals, refreshing a list) belongs in the success callback: it runs on the GUI thread, and
only after the write committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from app.errors import AccountChanged, QorgauError
from app.i18n import _
from ui.widgets.busy import BusyIndicator
from ui.widgets.plain import plain_message

T = TypeVar("T")
log = logging.getLogger(__name__)


class TaskCancelled(Exception):
    """Raised by ``TaskContext.check_cancelled`` inside the work when the user cancelled."""


class TaskContext:
    """What the work function may do: report progress and notice a cancel request."""

    def __init__(self, signals: _TaskSignals) -> None:
        self._signals = signals
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check_cancelled(self) -> None:
        if self._cancel.is_set():
            raise TaskCancelled()

    def report(self, done: int, total: int, text: str = "") -> None:
        self._signals.progressed.emit(done, total, text)


class _TaskSignals(QObject):
    # Created on the GUI thread; emitted from the worker, so delivery is queued to the GUI.
    progressed = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)


class _Runnable(QRunnable):
    def __init__(self, work: Callable[[TaskContext], Any], context: TaskContext) -> None:
        super().__init__()
        self._work = work
        self._context = context

    def run(self) -> None:
        signals = self._context._signals
        try:
            result = self._work(self._context)
        except BaseException as exc:  # noqa: B036 - everything must reach the GUI thread
            signals.failed.emit(exc)
        else:
            signals.succeeded.emit(result)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """A QorgauError's own message; anything else as an internal error (logged in full)."""
    if isinstance(exc, AccountChanged):
        return  # the main window closes; the sign-in window says it, once
    if isinstance(exc, QorgauError):
        plain_message(parent, _("Qorgau"), str(exc))  # may quote a bundle's or a user's text
        return
    log.error("unexpected error in a background task", exc_info=exc)
    plain_message(
        parent,
        _("Qorgau"),
        _("An internal error occurred: {error}").format(error=exc),
        QMessageBox.Icon.Critical,
    )


class MessageLine(Protocol):
    """A line that says a message, made again after a language switch when given as a
    function (``ErrorLabel``)."""

    def show_message(self, message: str | Callable[[], str]) -> None: ...


def refusal_text(exc: BaseException) -> Callable[[], str]:
    """``exc``'s message, composed each time it is shown: a refusal given lazily (``lazy``)
    comes out in the language of that moment. A function, not a lambda in the ``except``
    block, which unbinds its name when the block ends."""
    return lambda: str(exc)


def show_refusal(parent: QWidget, error: MessageLine, exc: BaseException) -> None:
    """A write's failure: a rule's refusal (a QorgauError) in the form's ``error`` line, where
    the officer can correct it and where it follows a language switch; anything else as
    ``show_error`` shows it."""
    if isinstance(exc, QorgauError):
        error.show_message(refusal_text(exc))
    else:
        show_error(parent, exc)


class BackgroundTask(QObject, Generic[T]):
    """One piece of work on the global thread pool, with callbacks on the GUI thread."""

    finished = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        work: Callable[[TaskContext], T],
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(parent)
        self._parent_widget = parent
        self._work = work
        self._pool = pool or QThreadPool.globalInstance()
        self._signals = _TaskSignals()
        self._context = TaskContext(self._signals)
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._progress: QProgressDialog | None = None
        self._progress_args: tuple[str, bool] | None = None
        self._keepalive: BackgroundTask[T] | None = None
        self._busy_widgets: tuple[QWidget, ...] = ()
        self._busy_indicator: tuple[BusyIndicator, str] | None = None
        self._restore: list[tuple[QWidget, bool, QCursor | None]] = []
        self._focus: QWidget | None = None
        self.running = False

    def success(self, callback: Callable[[T], None]) -> BackgroundTask[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> BackgroundTask[T]:
        self._on_failure = callback
        return self

    def with_progress(self, label: str, cancellable: bool = False) -> BackgroundTask[T]:
        """Show a modal progress dialog (busy until the work reports numbers)."""
        self._progress_args = (label, cancellable)
        return self

    def while_busy(
        self, *widgets: QWidget, indicator: BusyIndicator | None = None, text: str = ""
    ) -> BackgroundTask[T]:
        """While the work runs: ``widgets`` disabled under a busy cursor, ``indicator`` shown.

        Each widget gets back its own enabled state and cursor before the callbacks run."""
        self._busy_widgets = widgets
        self._busy_indicator = (indicator, text) if indicator is not None else None
        return self

    def wait_finished(self) -> None:
        """Return once the work and its callbacks are done, processing events meanwhile.

        For a caller that must know the outcome before it goes on (closing a form with a
        save under way): the window keeps painting, the busy widgets stay disabled."""
        if not self.running:
            return
        loop = QEventLoop()
        self.finished.connect(loop.quit, Qt.ConnectionType.QueuedConnection)
        if self.running:
            loop.exec()

    @property
    def context(self) -> TaskContext:
        return self._context

    def run_in_background(self) -> BackgroundTask[T]:
        self._keepalive = self  # the pool holds only the runnable; keep the callbacks alive
        self.running = True
        self._signals.progressed.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        self._signals.succeeded.connect(self._succeeded, Qt.ConnectionType.QueuedConnection)
        self._signals.failed.connect(self._failed, Qt.ConnectionType.QueuedConnection)
        if self._progress_args is not None:
            self._progress = self._make_progress_dialog(*self._progress_args)
        self._show_busy()
        self._pool.start(_Runnable(self._work, self._context))
        return self

    def _make_progress_dialog(self, label: str, cancellable: bool) -> QProgressDialog:
        dialog = QProgressDialog(label, _("Cancel"), 0, 0, self._parent_widget)
        dialog.setWindowTitle(_("Qorgau"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        # At its minimum first: only then does a new minimum duration restart the timer that
        # shows the dialog (else Qt's default 4 s applies to work that reports nothing).
        dialog.setValue(0)
        dialog.setMinimumDuration(300)
        if cancellable:
            dialog.canceled.connect(self._context.cancel)
        else:
            dialog.setCancelButton(None)
        return dialog

    def _show_busy(self) -> None:
        self._park_focus()
        busy = Qt.CursorShape.BusyCursor
        for widget in self._busy_widgets:
            own = widget.testAttribute(Qt.WidgetAttribute.WA_SetCursor)
            enabled = not widget.testAttribute(Qt.WidgetAttribute.WA_Disabled)
            self._restore.append((widget, enabled, QCursor(widget.cursor()) if own else None))
            widget.setEnabled(False)
            widget.setCursor(busy)
        if self._busy_indicator is not None:
            indicator, text = self._busy_indicator
            indicator.start(text)

    def _park_focus(self) -> None:
        """Disabling the widget with the keyboard focus would leave the window without one:
        the parent holds it meanwhile (its shortcuts keep working) and gives it back."""
        parent = self._parent_widget
        focus = parent.window().focusWidget() if parent is not None else None
        if focus is None or parent is None:
            return
        if any(w is focus or w.isAncestorOf(focus) for w in self._busy_widgets):
            self._focus = focus
            parent.setFocus(Qt.FocusReason.OtherFocusReason)

    def _give_focus_back(self) -> None:
        """After the callbacks: one that moved the focus (to a refused field) wins."""
        focus, self._focus = self._focus, None
        try:
            if (
                focus is not None
                and self._parent_widget is not None
                and self._parent_widget.window().focusWidget() is self._parent_widget
                and focus.isEnabled()
                and focus.isVisible()
            ):
                focus.setFocus(Qt.FocusReason.OtherFocusReason)
        except RuntimeError:
            pass  # closed meanwhile

    def _end_busy(self) -> None:
        restore, self._restore = self._restore, []
        try:
            for widget, enabled, cursor in restore:
                widget.setEnabled(enabled)
                if cursor is None:
                    widget.unsetCursor()
                else:
                    widget.setCursor(cursor)
            if self._busy_indicator is not None:
                self._busy_indicator[0].stop()
        except RuntimeError:
            pass  # the form was closed while its write ran: nothing left to restore

    @Slot(int, int, str)
    def _show_progress(self, done: int, total: int, text: str) -> None:
        progress = self._progress
        if progress is None:
            # Work shown by a busy indicator says how far it is in the indicator's words.
            if text and self._busy_indicator is not None and self.running:
                self._busy_indicator[0].start(text)
            return
        if text:
            progress.setLabelText(text)
        progress.setMaximum(max(total, 0))
        # Last: on a modal dialog setValue processes events, which may run the queued
        # _succeeded and close the dialog (it is deleted later, so this reference holds).
        progress.setValue(min(done, total) if total > 0 else 0)

    def _finish(self) -> None:
        self.running = False
        self._end_busy()
        if self._progress is not None:
            self._progress.close()
            self._progress.deleteLater()
            self._progress = None
        self._keepalive = None
        self.finished.emit()

    @Slot(object)
    def _succeeded(self, result: T) -> None:
        self._finish()
        if self._on_success is not None:
            self._on_success(result)
        self._give_focus_back()

    @Slot(object)
    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, TaskCancelled):
            self._give_focus_back()
            return
        if self._on_failure is not None:
            self._on_failure(exc)
        else:
            show_error(self._parent_widget, exc)
        self._give_focus_back()


def run_in_background(
    parent: QWidget | None,
    work: Callable[[TaskContext], T],
    on_success: Callable[[T], None] | None = None,
) -> BackgroundTask[T]:
    """Shorthand for the common case: work, then a callback; errors shown in a dialog."""
    task: BackgroundTask[T] = BackgroundTask(parent, work)
    if on_success is not None:
        task.success(on_success)
    return task.run_in_background()


def stopped_on_quit(task: BackgroundTask[T]) -> BackgroundTask[T]:
    """Closing waits for the pool's tasks: ``task`` is told to stop at its next step, and the
    next start does the rest. Housekeeping can be long at a large mission (a retention run's
    index merge some 14 s at 300,000 cases, the search rows of a renamed employer's 44,000
    cases 29 s), and the app would stay open unseen meanwhile."""
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(task.context.cancel)
    return task


class OneWriteAtATime(Generic[T]):
    """A panel's writes, each on a pool thread: ``widgets`` disabled and "Saving…" shown in
    ``indicator`` while it runs; a write asked for meanwhile is not started."""

    def __init__(self, parent: QWidget, *widgets: QWidget, indicator: BusyIndicator) -> None:
        self.parent, self.widgets, self.indicator = parent, widgets, indicator
        self.task: BackgroundTask[T] | None = None

    @property
    def running(self) -> bool:
        return self.task is not None and self.task.running

    def start(
        self,
        write: Callable[[], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
    ) -> BackgroundTask[T] | None:
        """The write's task, or None while another runs."""
        if self.running:
            return None
        task: BackgroundTask[T] = BackgroundTask(self.parent, lambda _context: write())
        task.while_busy(*self.widgets, indicator=self.indicator, text=_("Saving…"))
        self.task = task.success(done).failure(failed).run_in_background()
        return self.task


class LatestOnly(QObject):
    """Runs read queries off the GUI thread, newest request first: what the user typed last wins.

    Requests are served one at a time by one runnable on the thread pool, never queued behind
    each other: a newer request replaces the pending one, a superseded step is not started
    (nor are the steps after it, so a stale search's count never runs), the statement of the
    one running is interrupted, and its answer is not delivered, so the GUI thread never waits
    and never shows a stale answer. A request is a list of steps (say, the first page, then
    the count) delivered one by one as each finishes.
    """

    delivered = Signal(int, int, object)  # generation, step, result
    failed = Signal(int, object)  # generation, exception
    # The same, on the GUI thread and for the newest request only: what a view connects to.
    # The check is made here, as each arrives, since a newer request may come after the
    # worker emitted and before the GUI thread gets the answer.
    answered = Signal(int, object)  # step, result
    refused = Signal(object)  # exception

    def __init__(
        self,
        parent: QObject | None = None,
        interrupt: Callable[[int], None] | None = None,
        pool: QThreadPool | None = None,
        resume: Callable[[int], None] | None = None,
    ) -> None:
        """``interrupt(thread_id)`` stops the query running on the worker thread (optional);
        ``resume(thread_id)`` lets the worker read again before it serves the next request
        (``Database.interrupt`` and ``Database.resume``)."""
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._interrupt = interrupt
        self._resume = resume
        self._lock = threading.Lock()
        self._pending: tuple[int, list[Callable[[], Any]]] | None = None
        self._serving = False
        self._worker: int | None = None  # the thread running a request, while it runs one
        self.generation = 0
        self.delivered.connect(self._answered_if_current)
        self.failed.connect(self._refused_if_current)

    def submit(self, steps: list[Callable[[], Any]]) -> int:
        """Queue ``steps`` as the newest request; returns its generation."""
        with self._lock:
            self.generation += 1
            self._pending = (self.generation, steps)
            start, self._serving = not self._serving, True
            if self._worker is not None and self._interrupt is not None:
                # The running request is stale. Under the lock, so the worker cannot have
                # taken this new request yet: only the stale statement is stopped.
                self._interrupt(self._worker)
        if start:
            self._pool.start(_Call(self._serve))
        return self.generation

    def is_current(self, generation: int) -> bool:
        return generation == self.generation

    def _answered_if_current(self, generation: int, step: int, result: object) -> None:
        if self.is_current(generation):
            self.answered.emit(step, result)

    def _refused_if_current(self, generation: int, exc: object) -> None:
        if self.is_current(generation):
            self.refused.emit(exc)

    def cancel(self) -> None:
        """Nobody waits for the answers any more (the view was left): the pending request is
        dropped, the running one is stopped, and nothing more is delivered."""
        with self._lock:
            self.generation += 1
            self._pending = None
            if self._worker is not None and self._interrupt is not None:
                self._interrupt(self._worker)

    def _take(self) -> tuple[int, list[Callable[[], Any]]] | None:
        with self._lock:
            job, self._pending = self._pending, None
            self._serving = job is not None
            self._worker = threading.get_ident() if job is not None else None
            if self._resume is not None:
                # Under the lock: an interrupt meant for the request before this one (which
                # found no statement to stop) must not stop this one, nor, when the worker
                # leaves, whatever the pool's thread runs next.
                self._resume(threading.get_ident())
            return job

    def _serve(self) -> None:
        while (job := self._take()) is not None:
            generation, steps = job
            for step_no, step in enumerate(steps):
                if generation != self.generation:
                    break  # superseded: the rest of this request is not worth running
                try:
                    result = step()
                except BaseException as exc:  # noqa: B036 - reported on the GUI thread
                    if generation == self.generation:  # else interrupted on purpose
                        self._emit(self.failed, generation, exc)
                    break
                if generation != self.generation:
                    break  # finished after all, but stale: the GUI thread need not see it
                self._emit(self.delivered, generation, step_no, result)

    @staticmethod
    def _emit(signal: Any, *args: object) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:
            pass  # the view was closed while its query ran: nobody is waiting for the answer


class _Call(QRunnable):
    def __init__(self, fn: Callable[[], None]) -> None:
        super().__init__()
        self._fn = fn

    def run(self) -> None:
        self._fn()
