"""ui.tasks: work runs off the GUI thread; callbacks come back on it."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.errors import ValidationError
from ui.tasks import BackgroundTask, TaskContext


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
