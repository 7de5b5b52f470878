"""The start page says once what this start found left by Qorgau stopped half-way and put
right (``app.services.after_crash``): nothing did before."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.db.models import Counter
from app.services.exchange import IMPORT_CLAIM
from app.services.installation import unlock
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.reliability.test_crash_setup import UNSEEN, init_killed_before_the_key_is_printed
from tests.ui.press import click
from ui import app as ui_app
from ui.main_window import MainWindow
from ui.start_page import StartPage

MakeWindow = Callable[..., MainWindow]
WAIT_MS = 20_000


def test_the_start_page_says_what_the_start_put_right_until_it_is_seen(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    with ws.write() as session:  # an import of SEL's bundle killed after its claim
        session.add(Counter(name=IMPORT_CLAIM + "SEL", value=1))
    window = make_window(ws)
    page = window.area_widget("start")
    assert isinstance(page, StartPage)
    notice = page.after_crash
    assert not notice.isVisible()  # nothing found yet

    task = ui_app.repair_after_crash(window, ws)
    qtbot.waitUntil(lambda: not task.running, timeout=WAIT_MS)
    qtbot.waitUntil(notice.isVisible, timeout=WAIT_MS)
    assert notice.heading.text() == "Qorgau was stopped last time before its work was done"
    assert "An import of a bundle from SEL was stopped before it finished" in notice.text.text()
    assert "Import that bundle again." in notice.text.text()
    if os.environ.get("QORGAU_SCREENSHOTS"):
        window.grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/start_after_crash.png")
    click(qtbot, notice.dismiss)
    assert not notice.isVisible()
    assert ws.after_crash == []  # taken: the next repair says nothing again


def test_a_setup_key_nobody_saw_is_said_with_the_offer_to_make_a_new_one(
    qtbot: QtBot, make_window: MakeWindow, tmp_path: Path
) -> None:
    paths = Paths(tmp_path / "data")
    init_killed_before_the_key_is_printed(paths)  # `init` killed before it printed the key
    ws = unlock(paths, "admin", PASSWORD)
    try:
        window = make_window(ws)
        notice = window.area_widget("start").after_crash
        task = ui_app.repair_after_crash(window, ws)
        qtbot.waitUntil(lambda: not task.running, timeout=WAIT_MS)
        qtbot.waitUntil(notice.isVisible, timeout=WAIT_MS)
        assert UNSEEN in notice.text.text()
        assert notice.make_recovery_key.isVisible()
        if os.environ.get("QORGAU_SCREENSHOTS"):
            window.grab().save(os.environ["QORGAU_SCREENSHOTS"] + "/start_unseen_key.png")

        click(qtbot, notice.make_recovery_key)
        assert window.current_area() == "settings"
        (asked,) = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
        assert asked.windowTitle() == "Replace the recovery key"  # Settings' own question
        asked.reject()
    finally:
        window.close()
        ws.close()
