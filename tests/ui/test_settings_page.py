"""The settings page: language, idle lock, keyring state, user management."""

from __future__ import annotations

from collections.abc import Callable

from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.errors import AuthError
from app.i18n import current_language
from app.security.keyring_store import SecretStore
from app.security.keyslots import KeySlotStore
from app.security.recovery_key import parse_recovery_key
from app.services.recovery import recover
from app.services.retention import retention_years
from app.services.settings import idle_lock_minutes
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from ui import ui_settings
from ui.main_window import MainWindow
from ui.settings.page import SettingsPage

MakeWindow = Callable[..., MainWindow]


def _page(window: MainWindow) -> SettingsPage:
    page = window.show_area("settings")
    assert isinstance(page, SettingsPage)
    return page


def test_language_choice_applies_at_once_and_is_remembered(
    make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    page = _page(window)
    assert page.language.currentText() == "English"
    page.language.setCurrentIndex(page.language.findData("ru"))
    assert current_language() == "ru"
    assert ui_settings.stored_language() == "ru"
    assert window.status_user.text().endswith("Республика Корея")


def test_idle_minutes_are_stored_and_applied_to_the_lock(
    make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    page = _page(window)
    assert page.idle_minutes.value() == 10
    page.idle_minutes.setValue(3)
    assert idle_lock_minutes(ws) == 3  # in the database: the mission's policy
    assert window.idle_lock.timeout_ms == 3 * 60_000
    page.retention_years.setValue(7)
    assert retention_years(ws) == 7


def test_only_an_administrator_sets_the_policies(
    make_window: MakeWindow, open_ws: Callable[[str], Workspace]
) -> None:
    page = _page(make_window(open_ws("aigul")))
    assert not page.idle_minutes.isEnabled()
    assert not page.retention_years.isEnabled()


def test_keyring_state_is_shown(make_window: MakeWindow, ws: Workspace) -> None:
    window = make_window(ws)
    page = SettingsPage(window, SecretStore(FailKeyring()))
    assert page.keyring_state.text() == SecretStore().unavailable_message()
    assert not page.forget_button.isEnabled()
    assert "available" in _page(window).keyring_state.text()


def test_only_administrators_manage_users(
    make_window: MakeWindow, open_ws: Callable[[str], Workspace]
) -> None:
    window = make_window(open_ws("aigul"))
    page = _page(window)
    assert page.users is None
    assert page.users_box.isHidden()


def test_administrator_adds_a_user_who_can_then_unlock(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    panel = _page(make_window(ws)).users
    assert panel is not None
    assert panel.tree.topLevelItemCount() == 4
    panel.add_user()
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.username.setText("dana")  # type: ignore[attr-defined]
    dialog.full_name.setText("Дана Серікқызы")  # type: ignore[attr-defined]
    dialog.role.setCurrentIndex(dialog.role.findData("attache"))  # type: ignore[attr-defined]
    dialog.password.setText("dana's password")  # type: ignore[attr-defined]
    dialog.repeat.setText("dana's password")  # type: ignore[attr-defined]
    dialog.accept()
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 5, timeout=5000)
    names = [panel.tree.topLevelItem(i).text(0) for i in range(5)]  # type: ignore[union-attr]
    assert names == ["admin", "aigul", "astana", "dana", "serik"]
    row = panel.tree.topLevelItem(3)
    assert row is not None
    assert [row.text(c) for c in range(4)] == [
        "dana",
        "Дана Серікқызы",
        "Labour attaché",
        "active",
    ]
    KeySlotStore(installation.keyslots).unlock("dana", "dana's password")


def test_add_user_dialog_keeps_bad_input_and_adds_nothing(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    panel = _page(make_window(ws)).users
    assert panel is not None
    panel.add_user()
    dialog = panel.dialog
    assert dialog is not None
    dialog.username.setText("aigul")  # type: ignore[attr-defined]
    dialog.password.setText("whatever long")  # type: ignore[attr-defined]
    dialog.repeat.setText("whatever long")  # type: ignore[attr-defined]
    dialog.accept()
    assert dialog.isVisible()
    assert dialog.error.text() == "A user named aigul already exists."
    dialog.username.setText("Bad Name")  # type: ignore[attr-defined]
    dialog.accept()
    assert dialog.error.text().startswith("A user name is 2–32 characters")
    dialog.reject()
    assert panel.task is None
    assert len(UserService(ws).list()) == 4


def test_reset_password_and_revoke(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    panel = _page(make_window(ws)).users
    assert panel is not None
    panel.select("admin")
    assert panel.reset_button.isEnabled()
    assert not panel.revoke_button.isEnabled()  # nobody revokes their own account

    panel.select("aigul")
    panel.reset_password()
    dialog = panel.dialog
    assert dialog is not None
    assert "aigul" in dialog.intro.text()
    dialog.password.setText("a fresh password")  # type: ignore[attr-defined]
    dialog.repeat.setText("a fresh password")  # type: ignore[attr-defined]
    dialog.accept()
    slots = KeySlotStore(installation.keyslots)
    qtbot.waitUntil(lambda: panel.task is not None and not panel.task.running, timeout=5000)
    slots.unlock("aigul", "a fresh password")

    panel.select("serik")
    panel.revoke_user()
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    assert "serik" in box.text()
    revoke = next(b for b in box.buttons() if b.text() == "Revoke")
    revoke.click()
    qtbot.waitUntil(
        lambda: any(u.username == "serik" and not u.active for u in panel.users),
        timeout=5000,
    )
    try:
        slots.unlock("serik", PASSWORD)
    except AuthError as exc:
        assert str(exc) == "Wrong user name or password."
    else:
        raise AssertionError("a revoked user must not unlock")
    panel.select("serik")
    assert not panel.reset_button.isEnabled()


def test_administrator_replaces_the_recovery_key_and_keeps_working(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, installation: Paths
) -> None:
    page = _page(make_window(ws))
    assert page.recovery_button.isVisibleTo(page)
    old_key = ws.db.key
    page.recovery_button.click()
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    next(b for b in box.buttons() if b.text() == "Replace").click()
    qtbot.waitUntil(lambda: page.recovery_dialog is not None, timeout=10_000)
    dialog = page.recovery_dialog
    assert dialog is not None
    new_key = dialog.key.text()
    assert parse_recovery_key(new_key) == new_key
    assert ws.db.key != old_key  # re-keyed; the open window goes on with the new key
    assert [u.username for u in UserService(ws).list()][0] == "admin"
    dialog.accept()
    assert recover(installation, new_key, "dana", "a new password").method == "recovery_key"


def test_the_recovery_key_is_for_administrators_only(
    make_window: MakeWindow, open_ws: Callable[[str], Workspace]
) -> None:
    page = _page(make_window(open_ws("aigul")))
    assert not page.recovery_button.isVisibleTo(page)
