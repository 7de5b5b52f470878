"""ui.tasks: work runs off the GUI thread; callbacks come back on it."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLineEdit, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.errors import ValidationError
from ui.tasks import BackgroundTask, TaskContext
from ui.widgets.busy import BusyIndicator


def test_success_runs_the_work_on_another_thread_and_calls_back_on_the_gui_thread(
    qtbot: QtBot,
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: dict[str, object] = {}

    def work(_ctx: TaskContext) -> int:
        seen["work_thread"] = threading.current_thread()
        return 41 + 1

    def done(result: int) -> None:
        seen["result"] = result
        seen["callback_thread"] = threading.current_thread()

    task = BackgroundTask(parent, work).success(done)
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.run_in_background()
    assert seen["result"] == 42
    assert seen["work_thread"] is not threading.main_thread()
    assert seen["callback_thread"] is threading.main_thread()
    assert task.running is False


def test_failure_callback_gets_the_exception(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    errors: list[BaseException] = []

    def work(_ctx: TaskContext) -> None:
        raise ValidationError("The IIN has a wrong check digit.", field="iin")

    task = BackgroundTask(parent, work).failure(errors.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        task.run_in_background()
    assert len(errors) == 1
    assert str(errors[0]) == "The IIN has a wrong check digit."


def test_progress_dialog_follows_reports_and_cancel_stops_the_work(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    started = threading.Event()
    results: list[object] = []
    steps: list[int] = []

    def work(ctx: TaskContext) -> str:
        ctx.report(1, 4, "first step")
        started.set()
        while True:  # stops only by cancel, which raises TaskCancelled
            ctx.check_cancelled()
            threading.Event().wait(0.005)

    task = BackgroundTask(parent, work).with_progress("Working", cancellable=True)
    task.success(results.append).failure(results.append)
    task.run_in_background()
    qtbot.waitUntil(lambda: started.is_set(), timeout=5000)
    dialog = task._progress
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.maximum() == 4, timeout=5000)
    steps.append(dialog.value())
    assert dialog.labelText() == "first step"
    cancel_button = dialog.findChild(QPushButton)
    assert cancel_button is not None and cancel_button.text() == "Cancel"
    with qtbot.waitSignal(task.finished, timeout=5000):
        cancel_button.click()
    assert steps == [1]
    assert results == []  # a cancelled task is neither a success nor a failure
    assert task._progress is None


def test_a_progress_dialog_shows_soon_for_work_that_reports_nothing(qtbot: QtBot) -> None:
    """A re-key, a briefing sheet, a subject access export report no numbers. Their dialog
    stayed hidden for Qt's default 4 s (setting the minimum duration does not restart the
    timer the constructor began), the window clickable under a "modal" dialog meanwhile."""
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    release = threading.Event()
    task = BackgroundTask(parent, lambda _ctx: release.wait(10)).with_progress("Working")
    task.run_in_background()
    dialog = task._progress
    assert dialog is not None
    try:
        qtbot.waitUntil(dialog.isVisible, timeout=2000)  # not Qt's default 4 s
        assert dialog.windowModality() == Qt.WindowModality.WindowModal
    finally:
        release.set()
    qtbot.waitUntil(lambda: not task.running, timeout=5000)


def test_while_busy_disables_the_form_until_done_and_gives_each_widget_its_state_back(
    qtbot: QtBot,
) -> None:
    form = QWidget()
    qtbot.addWidget(form)
    layout = QVBoxLayout(form)
    edit, save, already_off = QLineEdit(), QPushButton("Save"), QPushButton("Issue")
    busy = BusyIndicator()
    for widget in (edit, save, already_off, busy):
        layout.addWidget(widget)
    already_off.setEnabled(False)
    form.show()
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow)
    edit.setFocus()
    release = threading.Event()
    seen: dict[str, object] = {}

    def work(_ctx: TaskContext) -> str:
        release.wait(10)
        return "written"

    def done(result: str) -> None:  # after the widgets are back, before the focus is
        seen["result"], seen["save_enabled"] = result, save.isEnabled()

    task = BackgroundTask(form, work).success(done)
    task.while_busy(edit, save, already_off, indicator=busy, text="Saving…")
    task.run_in_background()
    assert not edit.isEnabled() and not save.isEnabled() and not already_off.isEnabled()
    assert edit.cursor().shape() == Qt.CursorShape.BusyCursor
    assert busy.busy and busy.label.text() == "Saving…"
    assert form.window().focusWidget() is form  # the focus waits on the parent
    ticked: list[bool] = []
    QTimer.singleShot(0, lambda: ticked.append(True))
    qtbot.waitUntil(lambda: bool(ticked))  # the GUI thread goes on while the work waits
    assert task.running
    with qtbot.waitSignal(task.finished, timeout=5000):
        release.set()
    assert seen == {"result": "written", "save_enabled": True}
    assert edit.isEnabled() and save.isEnabled() and not already_off.isEnabled()
    assert edit.cursor().shape() == Qt.CursorShape.IBeamCursor  # its own, not the busy one
    assert not save.testAttribute(Qt.WidgetAttribute.WA_SetCursor)
    assert not busy.busy
    assert form.window().focusWidget() is edit  # typing goes on where it was


def test_wait_finished_returns_after_the_callbacks(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    release = threading.Event()
    done: list[int] = []
    task = BackgroundTask(parent, lambda _ctx: release.wait(10) and 7).success(done.append)
    task.run_in_background()
    QTimer.singleShot(0, release.set)  # released from inside the wait
    task.wait_finished()
    assert done == [7] and not task.running
    task.wait_finished()  # a finished task: returns at once
