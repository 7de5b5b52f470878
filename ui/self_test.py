"""``QORGAU_SELF_TEST``: start, report one line, and quit, with nobody clicking.

For whoever installs Qorgau at a mission, and for CI's smoke test of the packaged build:
- ``QORGAU_SELF_TEST=1`` (signed in through QORGAU_USER / QORGAU_PASSWORD) opens the main
  window, waits for the case list, prints how many cases it shows and quits: exit status 0 when
  it showed rows, else 1. It proves the folder starts Qt, decrypts the database and lists cases.
- ``QORGAU_SELF_TEST=login`` quits as soon as the sign-in window is up (cold-start timing).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtCore import QDeadlineTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QDialog

if TYPE_CHECKING:  # the window module loads after sign-in; this one is imported before it
    from ui.main_window import MainWindow

SELF_TEST_ENV = "QORGAU_SELF_TEST"
TIMEOUT_MS = 30_000


LOGIN_ONLY = "login"


def requested() -> bool:
    return os.environ.get(SELF_TEST_ENV, "") not in ("", "0")


def stop_at_login() -> bool:
    return os.environ.get(SELF_TEST_ENV, "") == LOGIN_ONLY


def close_when_shown(dialog: QDialog) -> None:
    """Report and reject ``dialog`` once its event loop runs (it has been shown by then)."""

    def report() -> None:
        dialog.grab()  # painted, not just mapped: what the cold-start figure measures
        print("self-test: the sign-in window is shown", flush=True)
        dialog.reject()

    QTimer.singleShot(0, report)


def run(window: MainWindow) -> int:
    from ui.cases.area import CasesArea

    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    model = area.list_view.model
    deadline = QDeadlineTimer(TIMEOUT_MS)
    loop = QEventLoop()
    while (model.loading or model.rowCount() == 0) and not deadline.hasExpired():
        QTimer.singleShot(50, loop.quit)  # the page arrives from a worker thread: wait for it
        loop.exec()
    shown = model.rowCount()
    print(f"self-test: the case list shows {shown} of {model.total} cases", flush=True)
    window.close()
    return 0 if shown > 0 else 1
