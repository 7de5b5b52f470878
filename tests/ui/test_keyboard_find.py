"""Ctrl+F in an area with its own search or filter field puts the focus there; it used to
leave the area for the case search whatever the officer was looking at."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.services.workspace import Workspace
from tests.ui.press import on_screen, open_area
from tests.ui.test_returnees import hq_ws  # noqa: F401 - the fixture, at HQ
from ui.i18n_bridge import LanguageBridge
from ui.main_window import MainWindow
from ui.returnees.page import ReturneesPage
from ui.settings.audit_log import AuditLogDialog

MakeWindow = Callable[..., MainWindow]
CTRL = Qt.KeyboardModifier.ControlModifier


def _active(qtbot: QtBot, window: QWidget) -> None:
    window.activateWindow()  # keys and the focus reach only the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)


def _ctrl_f(qtbot: QtBot) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_F, CTRL)


@pytest.mark.parametrize(("area", "field"), [("letters", "case_filter"), ("partners", "search")])
def test_ctrl_f_finds_within_the_area_shown(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, area: str, field: str
) -> None:
    window = make_window(ws)
    page = open_area(qtbot, window, area)
    edit = getattr(page, field)
    assert isinstance(edit, QLineEdit)
    edit.setText("2026")
    page.setFocus()
    _ctrl_f(qtbot)
    assert window.current_area() == area  # not taken to the Cases area
    assert QApplication.focusWidget() is edit
    assert edit.selectedText() == "2026"  # what is typed next replaces the last search


def test_ctrl_f_in_the_returnees_register_filters_by_skill(
    qtbot: QtBot,
    hq_ws: Workspace,  # noqa: F811 - the fixture imported above
    bridge: LanguageBridge,
) -> None:
    page = on_screen(qtbot, ReturneesPage(hq_ws, bridge))
    _active(qtbot, page)
    page.focus_search()
    assert QApplication.focusWidget() is page.skill


def test_ctrl_f_in_the_audit_log_goes_to_the_record_filter(qtbot: QtBot, ws: Workspace) -> None:
    dialog = on_screen(qtbot, AuditLogDialog(ws))
    _active(qtbot, dialog)
    dialog.table.setFocus()
    _ctrl_f(qtbot)
    assert QApplication.focusWidget() is dialog.record
