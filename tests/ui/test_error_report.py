"""An uncaught exception reaches someone: one dialog with a copyable report, a log line,
and no personal data in either."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QPushButton
from pytestqt.qtbot import QtBot

from app.errors import NotFound
from tests.ui.press import click, press_dialog_button
from ui import error_report
from ui.error_report import ErrorDialog, ErrorReporter

NAME, IIN, NOTE = "Нұрлан Әбенов", "940315400123", "beaten by the foreman"


@pytest.fixture
def reporter(tmp_path: Path) -> Iterator[ErrorReporter]:
    installed = error_report.install(tmp_path / "logs")
    yield installed
    installed.uninstall()
    if installed.dialog is not None:
        installed.dialog.close()


def visible_error_dialogs() -> list[ErrorDialog]:
    return [
        w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()
    ]


def leaky_button(qtbot: QtBot, exc: Exception) -> QPushButton:
    button = QPushButton("Save")
    qtbot.addWidget(button)

    def save_the_case() -> None:
        try:
            raise KeyError(IIN)  # the cause, with personal data in its message too
        except KeyError:
            raise exc  # noqa: B904 - the implicit chain is what the report must also cover

    button.clicked.connect(save_the_case)
    return button


def press(qtbot: QtBot, button: QPushButton, times: int = 1) -> list[ErrorDialog]:
    """Click like a user (each click raises in the slot); the error dialogs then open."""
    for _ in range(times):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return visible_error_dialogs()


@pytest.mark.qt_no_exception_capture
def test_an_exception_in_a_slot_gives_one_dialog_and_a_log_line_without_personal_data(
    qtbot: QtBot, reporter: ErrorReporter
) -> None:
    button = leaky_button(qtbot, ValueError(f"{NAME}, IIN {IIN}: {NOTE}"))
    dialogs = press(qtbot, button, times=2)  # the second while the first dialog is open
    assert len(dialogs) == 1
    report = dialogs[0].report.toPlainText()
    assert "\nValueError\n" in report
    assert "tests/ui/test_error_report.py:" in report and " in save_the_case" in report
    assert "caused by KeyError" in report
    assert "administrator" in dialogs[0].message.text()
    click(qtbot, dialogs[0].copy_button)
    assert QGuiApplication.clipboard().text() == report

    log = reporter.log_file.read_text(encoding="utf-8")
    assert log.count("ERROR ui.error_report: uncaught exception") == 2
    assert "tests/ui/test_error_report.py:" in log
    for secret in (NAME, IIN, NOTE, str(Path.home())):
        assert secret not in report
        assert secret not in log
    if os.name == "posix":
        assert reporter.log_file.stat().st_mode & 0o777 == 0o600

    press_dialog_button(qtbot, dialogs[0], QDialogButtonBox.StandardButton.Close)
    qtbot.waitUntil(lambda: reporter.dialog is None)
    assert len(press(qtbot, button)) == 1  # a later error is shown again


@pytest.mark.qt_no_exception_capture
def test_an_uncaught_qorgau_error_shows_its_message_but_logs_only_its_type(
    qtbot: QtBot, reporter: ErrorReporter
) -> None:
    (dialog,) = press(qtbot, leaky_button(qtbot, NotFound(f"No case of {NAME}.")))
    assert dialog.message.text() == f"No case of {NAME}."  # the user's own data, on screen
    assert "app.errors.NotFound" in dialog.report.toPlainText()
    assert NAME not in dialog.report.toPlainText()
    log = reporter.log_file.read_text(encoding="utf-8")
    assert "app.errors.NotFound" in log and NAME not in log


def test_log_calls_keep_their_template_not_their_arguments(reporter: ErrorReporter) -> None:
    logging.getLogger("app.security.keyring_store").warning("keyring read failed: %s", IIN)
    log = reporter.log_file.read_text(encoding="utf-8")
    assert "WARNING app.security.keyring_store: keyring read failed: %s" in log
    assert IIN not in log


def test_uninstall_gives_back_the_previous_hook(tmp_path: Path) -> None:
    import sys

    before = sys.excepthook
    installed = error_report.install(tmp_path / "logs")
    assert sys.excepthook is installed
    installed.uninstall()
    assert sys.excepthook is before
    assert installed.handler not in logging.getLogger().handlers
