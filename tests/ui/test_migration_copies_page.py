"""Settings → Backups lists the copies an update took before its migrations and goes back to
one, pressed as the administrator presses it. Before, the copies were only a manual step in
the README: files moved by hand in the data folder."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.db.raw import open_raw
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.integration.test_migration_copies import updated_from_0024
from tests.ui.press import click, click_item, open_area, press_dialog_button, type_into, when_modal
from ui.main_window import MainWindow
from ui.restore import put_back_after_close
from ui.settings.backups import BackupsBox, MigrationCopyDialog
from ui.settings.page import SettingsPage

MakeWindow = Callable[..., MainWindow]
WAIT_MS = 20_000


def _backups(qtbot: QtBot, window: MainWindow) -> BackupsBox:
    page = open_area(qtbot, window, "settings")
    assert isinstance(page, SettingsPage) and page.backups is not None
    return page.backups


def _ask(qtbot: QtBot, box: BackupsBox) -> MigrationCopyDialog:
    assert box.copies_table.isVisible() and box.copies_table.rowCount() == 1
    assert box.copies_table.item(0, 1).text() == "0024"  # the version it came from
    assert not box.copy_button.isEnabled()  # nothing chosen yet
    click_item(qtbot, box.copies_table, box.copies_table.item(0, 0))
    click(qtbot, box.copy_button)
    dialog = box.copy_dialog
    assert dialog is not None and dialog.isVisible()
    type_into(qtbot, dialog.password, PASSWORD)
    return dialog


def test_going_back_to_a_copy_closes_the_window_puts_it_back_and_says_what_to_install(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs, installation: Paths
) -> None:
    key = updated_from_0024(installation)
    ws = open_ws("admin")
    window = make_window(ws)
    box = _backups(qtbot, window)
    dialog = _ask(qtbot, box)
    intro = dialog.intro.text()
    assert "before the update from database version 0024" in intro
    assert "Everything saved since then is lost." in intro
    if os.environ.get("QORGAU_SCREENSHOTS"):
        window.grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/settings_migration_copies.png")
        dialog.grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/migration_copy_dialog.png")
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    request = window.restore_request
    assert request is not None and request.migration_copy == box.copies[0]

    ws.close()
    said: list[str] = []

    def read(message: QMessageBox) -> None:
        said.append(message.text())
        message.close()

    when_modal(QMessageBox, read)
    assert put_back_after_close(installation, request.migration_copy, request)
    assert "Install the version of Qorgau that used database version 0024" in said[0]
    raw = open_raw(installation.db, key)
    try:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0024"
    finally:
        raw.close()


def test_a_copy_from_before_a_revocation_is_refused_in_the_dialog_and_the_window_stays(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs, installation: Paths
) -> None:
    updated_from_0024(installation)
    ws = open_ws("admin")
    UserService(ws).revoke("aigul")
    window = make_window(ws)
    dialog = _ask(qtbot, _backups(qtbot, window))
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=WAIT_MS)
    assert "taken before the database got a new key" in dialog.error.text()
    assert window.isVisible() and window.restore_request is None
