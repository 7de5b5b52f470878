"""Buttons without text say what they do: Qt's clear button in a search or filter field had
no tooltip and no accessible name, so a screen reader announced a nameless button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLineEdit, QToolButton
from pytestqt.qtbot import QtBot

from app.services.workspace import Workspace
from tests.ui.new_case import cases_area_of
from ui.main_window import MainWindow
from ui.settings.audit_log import AuditLogDialog

MakeWindow = Callable[..., MainWindow]


def _clear_buttons(root: QLineEdit | MainWindow | AuditLogDialog) -> list[QToolButton]:
    edits = [e for e in root.findChildren(QLineEdit) if e.isClearButtonEnabled()]
    return [b for e in edits for b in e.findChildren(QToolButton)]


def _spoken_name(button: QToolButton) -> str:
    accessible = QAccessible.queryAccessibleInterface(button)
    assert accessible is not None
    return accessible.text(QAccessible.Text.Name)


def test_every_clear_button_in_the_window_is_named(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    for key in window.area_keys():
        window.show_area(key)
    cases_area_of(window).new_case()  # the person finder is in the case form
    buttons = _clear_buttons(window)
    assert len(buttons) >= 5  # cases, person finder, letters, agreements, partners
    for button in buttons:
        assert button.toolTip() == "Clear the field"
        assert _spoken_name(button) == "Clear the field"


def test_the_audit_logs_clear_button_is_named(qtbot: QtBot, ws: Workspace) -> None:
    dialog = AuditLogDialog(ws)
    qtbot.addWidget(dialog)
    (button,) = _clear_buttons(dialog)
    assert _spoken_name(button) == "Clear the field"
