"""The app's quit signal sent while a background task runs, as closing the window sends it."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot


def quit_while_running(qtbot: QtBot, task: Any, held: threading.Event) -> None:
    """``aboutToQuit`` while ``task`` waits on ``held``; then ``held`` let go and the task run
    to its end."""
    app = QApplication.instance()
    assert app is not None
    app.aboutToQuit.emit()
    held.set()
    qtbot.waitUntil(lambda: not task.running, timeout=10_000)
