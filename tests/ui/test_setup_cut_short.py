"""The desktop over a first setup stopped half-way (tests/reliability/test_crash_setup.py).

The sign-in window had only "set it up again (qorgau init)" to say, which a desktop officer
cannot act on. Her password opening the leftover key file now brings the setup wizard back,
which only the same administrator, with the same password, can finish.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import Paths
from tests.conftest import PASSWORD
from tests.reliability.test_crash_key_file import NEW_PASSWORD
from tests.reliability.test_crash_setup import init_killed_at
from tests.ui.press import click, on_screen, type_into
from tests.ui.test_login_and_setup import FINISH, NEXT, _fill_mission, press
from ui import app as ui_app
from ui.i18n_bridge import LanguageBridge
from ui.login import LoginDialog
from ui.setup.wizard import ADMIN, SetupWizard

CUT_SHORT = "The setup of this installation was stopped before it finished"


@pytest.fixture
def cut_short(tmp_path: Path) -> Paths:
    """A setup killed with its database's schema written but no mission."""
    paths = Paths(tmp_path / "data")
    init_killed_at(paths, "before:_create_mission")
    assert paths.is_initialised()  # both files: the desktop used to ask for a sign-in
    return paths


def test_the_administrators_sign_in_brings_the_setup_wizard_back(
    qtbot: QtBot, cut_short: Paths, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[bool, str]] = []

    def wizard(_paths: Paths, _bridge: LanguageBridge, cut_short: bool, admin: str) -> None:
        opened.append((cut_short, admin))

    monkeypatch.setattr(ui_app, "run_setup_wizard", wizard)

    def sign_in() -> None:
        (dialog,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog)]
        type_into(qtbot, dialog.username, "admin")
        type_into(qtbot, dialog.password, PASSWORD)
        click(qtbot, dialog.sign_in_button)

    QTimer.singleShot(0, sign_in)
    assert ui_app.obtain_workspace(cut_short, bridge, ask=True) is None
    assert opened == [(True, "admin")]


def test_a_wrong_password_is_still_refused_in_the_sign_in_window(
    qtbot: QtBot, cut_short: Paths, bridge: LanguageBridge
) -> None:
    dialog = on_screen(qtbot, LoginDialog(cut_short, bridge))
    type_into(qtbot, dialog.username, "admin")
    type_into(qtbot, dialog.password, NEW_PASSWORD)
    click(qtbot, dialog.sign_in_button)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=10_000)
    assert dialog.error.text().startswith("Wrong user name or password.")
    assert dialog.set_up_again is None and dialog.isVisible()


def _to_the_admin_page(qtbot: QtBot, paths: Paths, bridge: LanguageBridge) -> SetupWizard:
    wizard = on_screen(qtbot, SetupWizard(paths, bridge, cut_short=True, admin="admin"))
    welcome = wizard.welcome
    assert welcome.subTitle().startswith(CUT_SHORT)
    assert not welcome.demo.isVisible() and not welcome.restore.isVisible()
    press(qtbot, wizard, NEXT)
    _fill_mission(qtbot, wizard)
    press(qtbot, wizard, NEXT)
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == ADMIN
    assert wizard.admin.username.text() == "admin"  # the name her sign-in gave
    return wizard


def test_the_same_administrator_sets_it_up_again_in_the_wizard(
    qtbot: QtBot, cut_short: Paths, bridge: LanguageBridge
) -> None:
    wizard = _to_the_admin_page(qtbot, cut_short, bridge)
    type_into(qtbot, wizard.admin.password, PASSWORD)
    type_into(qtbot, wizard.admin.repeat, PASSWORD)
    press(qtbot, wizard, FINISH)
    qtbot.waitUntil(lambda: wizard.recovery_dialog is not None, timeout=20_000)
    ws = wizard.workspace
    assert ws is not None
    try:
        assert (ws.actor.username, ws.mission.code) == ("admin", "IST")
    finally:
        ws.close()


def test_another_password_is_told_what_to_do_and_the_files_stay(
    qtbot: QtBot, cut_short: Paths, bridge: LanguageBridge
) -> None:
    key_file = cut_short.keyslots.read_bytes()
    wizard = _to_the_admin_page(qtbot, cut_short, bridge)
    type_into(qtbot, wizard.admin.password, NEW_PASSWORD)
    type_into(qtbot, wizard.admin.repeat, NEW_PASSWORD)
    press(qtbot, wizard, FINISH)
    qtbot.waitUntil(lambda: wizard.admin.error.isVisible(), timeout=20_000)
    said = wizard.admin.error.text()
    assert said.startswith("Only the administrator who began this setup")
    assert f"move the files qorgau.db, keyslots.json out of {cut_short.data_dir}" in said
    assert wizard.workspace is None and wizard.isVisible()
    assert cut_short.keyslots.read_bytes() == key_file


def test_a_key_file_without_its_database_opens_the_wizard_for_that_setup(
    cut_short: Paths, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed before the database was made: no sign-in is offered at all."""
    cut_short.db.unlink()
    opened: list[bool] = []
    monkeypatch.setattr(
        ui_app, "run_setup_wizard", lambda _p, _b, cut_short: opened.append(cut_short)
    )
    assert ui_app.obtain_workspace(cut_short, bridge, ask=True) is None
    assert opened == [True]
