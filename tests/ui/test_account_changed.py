"""The main window of an officer whose account the administrator revokes, or whose role is
changed, while it is open: it closes, and the sign-in window says why."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.errors import AccountChanged
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.ui.press import type_into
from ui.main_window import MainWindow

MakeWindow = Callable[..., MainWindow]


def test_a_revoked_officers_window_closes_at_its_next_read(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    """The fault: a revoked attaché's open window went on showing and saving the mission's
    cases. Her next read (here, what any page does) is refused and the window closes, with
    the reason kept for the sign-in window."""
    aigul = open_ws("aigul")
    window = make_window(aigul)
    assert UserService(open_ws("admin")).revoke("aigul").rekey_waiting  # her window holds it
    with pytest.raises(AccountChanged):
        aigul.check_account()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert window.signed_out is not None
    assert "revoked your account" in str(window.signed_out)


def test_a_demoted_officer_unlocking_her_locked_window_is_signed_out(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    """The fault: the lock screen checked the password only, and the window came back with
    the consul's role the administrator had taken away. Now it closes and says her new role."""
    serik = open_ws("serik")
    window = make_window(serik)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked
    UserService(open_ws("admin")).set_role("serik", "attache")
    type_into(qtbot, window.lock_screen.password, PASSWORD)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert "made you Labour attaché" in str(window.signed_out)
