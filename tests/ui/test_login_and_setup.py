"""Signing in and the first-run wizard, on real encrypted installations."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import keyring.backend
import keyring.errors
import pytest
from keyring.backends.fail import Keyring as FailKeyring
from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWizard
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.db import migrate
from app.db.models import LocalSecret
from app.i18n import _, language_override
from app.security import rekey as rekey_module
from app.security.keyring_store import SecretStore, identity_entry_name
from app.security.keyslots import KeySlotStore
from app.security.recovery_key import new_recovery_key, parse_recovery_key
from app.services import installation
from app.services.after_crash import Found, FoundAfterCrash
from app.services.installation import AGE_IDENTITY, init_installation, unlock, unlock_with_keyring
from tests.conftest import MISSION as MISSION_SETUP
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import downgraded
from tests.ui.press import (
    choose,
    click,
    on_screen,
    press_dialog_button,
    save_as,
    type_into,
    when_modal,
)
from ui import app as ui_app
from ui import login as login_module
from ui import ui_settings
from ui.i18n_bridge import LanguageBridge
from ui.login import LoginDialog, try_keyring_login
from ui.setup import wizard as wizard_module
from ui.setup.wizard import ADMIN, LETTERHEAD, MISSION, RESTORE, SetupWizard


def login_dialog(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, store: SecretStore | None = None
) -> LoginDialog:
    return on_screen(qtbot, LoginDialog(installation, bridge, store))


def sign_in(qtbot: QtBot, dialog: LoginDialog, username: str, password: str) -> None:
    """Type the name and password and press Sign in."""
    type_into(qtbot, dialog.username, username)
    type_into(qtbot, dialog.password, password)
    click(qtbot, dialog.sign_in_button)


def refused_sign_in(qtbot: QtBot, dialog: LoginDialog) -> None:
    """Aigul signs in with a wrong password: the dialog says so (in English)."""
    sign_in(qtbot, dialog, "aigul", "not the password")
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    assert dialog.error.text() == "Wrong user name or password."


def test_wrong_password_keeps_the_dialog_open_with_the_message(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    dialog = login_dialog(qtbot, installation, bridge)
    refused_sign_in(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.workspace is None
    assert dialog.password.text() == ""
    assert dialog.username.isEnabled()


def test_empty_fields_are_refused_without_touching_the_database(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    dialog = login_dialog(qtbot, installation, bridge)
    sign_in(qtbot, dialog, "aigul", "")
    assert dialog.error.text() == "Enter your user name and password."
    assert dialog._task is None


def test_right_password_opens_the_workspace_and_remembers_the_computer(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    store = SecretStore()
    dialog = login_dialog(qtbot, installation, bridge, store)
    assert dialog.remember.isEnabled()  # the in-memory test keyring counts as a system one
    type_into(qtbot, dialog.username, "serik")
    type_into(qtbot, dialog.password, PASSWORD)
    click(qtbot, dialog.remember)
    assert dialog.remember.isChecked()
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter signs in
    workspace = dialog.workspace
    assert workspace is not None
    try:
        assert workspace.actor.username == "serik"
        assert workspace.actor.role == "consul"
        assert ui_settings.last_username() == "serik"
    finally:
        workspace.close()
    # Next start: the keyring opens it without a password.
    again = try_keyring_login(installation, store)
    assert again is not None and again.actor.username == "serik"
    again.close()


class LockedKeyring(keyring.backend.KeyringBackend):
    """A real store whose collection is locked: it reads nothing and keeps nothing."""

    priority = 1  # type: ignore[assignment]  # counts as a real store (is_system)
    viable = False  # type: ignore[assignment]  # never picked by discovery

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.KeyringLocked("the collection is locked")


def test_a_locked_keyring_that_keeps_no_key_is_said_at_sign_in(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    """The fault: the box ticked, the keyring locked: the sign-in went on as if the key were
    kept, and the next start asked for the password again with no word why."""
    store = SecretStore(LockedKeyring())
    dialog = login_dialog(qtbot, installation, bridge, store)
    qtbot.waitUntil(dialog.remember.isEnabled, timeout=5000)
    click(qtbot, dialog.remember)
    said: list[str] = []

    def read(box: QMessageBox) -> None:
        said.append(box.text())
        box.close()

    when_modal(QMessageBox, read)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        sign_in(qtbot, dialog, "serik", PASSWORD)
    assert dialog.workspace is not None
    dialog.workspace.close()
    assert len(said) == 1 and "keyring did not keep your key" in said[0]
    assert ui_settings.unlock_remembered(installation.data_dir, "serik") is False


def test_a_locked_keyring_at_start_is_said_in_the_sign_in_window(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: Serik unlocks on this computer; his keyring locked, the sign-in window
    appeared with no word why, and he took his remembered sign-in for lost."""
    ui_settings.store_sign_in(installation.data_dir, "serik", True)
    monkeypatch.setattr(ui_app, "SecretStore", lambda: SecretStore(LockedKeyring()))
    said: list[str] = []

    def read_and_close() -> None:
        (dialog,) = [w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog)]
        said.append(dialog.error.text())
        dialog.reject()

    QTimer.singleShot(0, read_and_close)
    assert ui_app.obtain_workspace(installation, bridge) is None
    assert said == [
        "This computer's keyring did not answer (it may be locked), so Qorgau could not "
        "unlock by itself. Sign in with your password."
    ]


def test_unlock_on_this_computer_is_disabled_without_a_system_keyring(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    store = SecretStore(FailKeyring())
    dialog = LoginDialog(installation, bridge, store)
    qtbot.addWidget(dialog)
    assert not dialog.remember.isEnabled()
    assert dialog.remember.toolTip() == store.unavailable_message()
    assert "No system keyring" in dialog.remember.toolTip()


def test_unticking_the_box_forgets_the_computer(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    store = SecretStore()
    ws = unlock(installation, "aigul", PASSWORD)
    from app.services.installation import remember_unlock

    remember_unlock(ws, store)
    ws.close()
    dialog = login_dialog(qtbot, installation, bridge, store)
    assert not dialog.remember.isChecked()  # left unticked
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        sign_in(qtbot, dialog, "aigul", PASSWORD)
    assert dialog.workspace is not None
    dialog.workspace.close()
    assert unlock_with_keyring(installation, "aigul", store) is None


def test_environment_credentials_sign_in_directly(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QORGAU_USER", "astana")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    ws = ui_app.env_login(installation)
    assert ws is not None
    assert ws.actor.role == "hq"
    ws.close()


def test_language_priority_is_option_then_settings_then_detected(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ui_app.QLocale, "system", staticmethod(lambda: QLocale("de_DE")))
    assert ui_app.choose_language("ru") == "ru"
    assert ui_app.choose_language(None) == "en"  # a German system: English
    monkeypatch.setenv("QORGAU_LANG", "ru")
    assert ui_app.choose_language(None) == "ru"
    ui_settings.store_language("kk")
    assert ui_app.choose_language(None) == "kk"
    assert ui_app.choose_language("en") == "en"


@pytest.mark.parametrize(
    ("system", "expected"),
    [("kk_KZ", "kk"), ("ru_KZ", "ru"), ("ru_RU", "ru"), ("en_US", "en"), ("ko_KR", "en")],
)
def test_a_first_start_speaks_the_systems_language_when_it_is_kk_or_ru(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bridge: LanguageBridge,
    system: str,
    expected: str,
) -> None:
    # Windows and macOS set no LANG: the system locale is all a new laptop tells.
    monkeypatch.delenv("LANG", raising=False)
    monkeypatch.setattr(ui_app.QLocale, "system", staticmethod(lambda: QLocale(system)))
    language = ui_app.choose_language(None)
    assert language == expected
    bridge.set_language(language)
    wizard = new_wizard(qtbot, Paths(tmp_path / "new"), bridge)
    with language_override(expected):
        assert wizard.windowTitle() == _("Qorgau — first start")


def _fill_mission(qtbot: QtBot, wizard: SetupWizard) -> None:
    page = wizard.mission
    type_into(qtbot, page.code, "IST")
    choose(qtbot, page.country, "TR")
    type_into(qtbot, page.city, "Istanbul")
    type_into(qtbot, page.name_kk, "Қазақстан Республикасының Ыстамбұлдағы Бас консулдығы")
    type_into(qtbot, page.name_ru, "Генеральное консульство Республики Казахстан в Стамбуле")
    type_into(qtbot, page.name_en, "Consulate General of the Republic of Kazakhstan in Istanbul")


def press(qtbot: QtBot, wizard: SetupWizard, which: QWizard.WizardButton) -> None:
    """Press Next or Finish at the bottom of the wizard."""
    click(qtbot, wizard.button(which))


NEXT, FINISH = QWizard.WizardButton.NextButton, QWizard.WizardButton.FinishButton


def new_wizard(qtbot: QtBot, paths: Paths, bridge: LanguageBridge) -> SetupWizard:
    """The first-run wizard on screen, at its welcome page."""
    return on_screen(qtbot, SetupWizard(paths, bridge))


def at_filled_mission_page(qtbot: QtBot, paths: Paths, bridge: LanguageBridge) -> SetupWizard:
    """The first-run wizard on screen, moved on to its mission page and that filled in."""
    wizard = new_wizard(qtbot, paths, bridge)
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == MISSION
    _fill_mission(qtbot, wizard)
    return wizard


def test_wizard_creates_the_mission_and_signs_the_administrator_in(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge
) -> None:
    paths = Paths(tmp_path / "new-install")
    wizard = at_filled_mission_page(qtbot, paths, bridge)
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == LETTERHEAD
    type_into(qtbot, wizard.letterhead.address_en, "Istanbul, Beşiktaş, Ortaköy")
    type_into(qtbot, wizard.letterhead.phone, "+90 212 000 0000")
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == ADMIN
    type_into(qtbot, wizard.admin.username, "bolat")
    type_into(qtbot, wizard.admin.password, "long enough pw")
    type_into(qtbot, wizard.admin.repeat, "long enough pw")
    press(qtbot, wizard, FINISH)
    # The recovery key is shown once before the wizard closes, with its printable sheet.
    qtbot.waitUntil(lambda: wizard.recovery_dialog is not None, timeout=10_000)
    dialog = wizard.recovery_dialog
    assert dialog is not None and dialog.isVisible()
    shown = dialog.key.text()
    assert parse_recovery_key(shown) == shown
    sheet = tmp_path / "sheet-kk.pdf"
    # The sheet's languages by name, as every other language box has them (were kk, ru, en).
    names = [dialog.language.itemText(i) for i in range(dialog.language.count())]
    assert names == ["Қазақша", "Русский", "English"]
    assert dialog.language_label.buddy() is dialog.language
    choose(qtbot, dialog.language, "kk")
    save_as(qtbot, sheet)
    click(qtbot, dialog.save_button)
    assert sheet.read_bytes().startswith(b"%PDF")
    assert dialog.saved.text() == f"Saved: {sheet}"
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):
        press_dialog_button(qtbot, dialog)
    ws = wizard.workspace
    assert ws is not None
    try:
        assert ws.actor.username == "bolat"
        assert ws.actor.role == "admin"
        assert ws.mission.code == "IST"
        assert ws.mission.country == "TR"
        assert ws.mission.name_kk.startswith("Қазақстан")
    finally:
        ws.close()
    assert paths.is_initialised()
    again = unlock(paths, "bolat", "long enough pw")
    again.close()
    assert again.after_crash == []  # the key was shown: no sign-in offers another


def test_a_wizard_stopped_before_it_showed_the_recovery_key_has_the_sign_in_say_so(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed between the commit and the key's dialog: what the dialog would have cleared."""
    monkeypatch.setattr(installation, "recovery_key_shown", lambda _workspace: None)
    paths = Paths(tmp_path / "new-install")
    wizard = at_filled_mission_page(qtbot, paths, bridge)
    press(qtbot, wizard, NEXT)
    press(qtbot, wizard, NEXT)
    type_into(qtbot, wizard.admin.password, "long enough pw")
    type_into(qtbot, wizard.admin.repeat, "long enough pw")
    press(qtbot, wizard, FINISH)
    qtbot.waitUntil(lambda: wizard.recovery_dialog is not None, timeout=10_000)
    assert wizard.workspace is not None
    assert wizard.workspace.after_crash == []  # its own sign-in says nothing: it shows it
    wizard.workspace.close()
    ws = unlock(paths, "admin", "long enough pw")
    ws.close()
    assert ws.after_crash == [FoundAfterCrash(Found.RECOVERY_KEY_UNSEEN)]


def test_an_hq_made_in_the_wizard_keeps_its_age_identity_in_the_keyring(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge
) -> None:
    """The fault: `qorgau init --hq` moved HQ's age identity (which opens every mission's
    bundles) into the OS keyring, and an HQ made in the wizard left it in the database."""
    paths = Paths(tmp_path / "hq")
    wizard = at_filled_mission_page(qtbot, paths, bridge)
    wizard.mission.is_hq.setChecked(True)
    press(qtbot, wizard, NEXT)
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == ADMIN
    type_into(qtbot, wizard.admin.password, "long enough pw")
    type_into(qtbot, wizard.admin.repeat, "long enough pw")
    press(qtbot, wizard, FINISH)
    qtbot.waitUntil(lambda: wizard.recovery_dialog is not None, timeout=10_000)
    with qtbot.waitSignal(wizard.accepted, timeout=10_000):  # moved: nothing more to say
        press_dialog_button(qtbot, wizard.recovery_dialog)
    ws = wizard.workspace
    assert ws is not None
    try:
        assert ws.mission.is_hq
        with ws.read() as session:
            assert session.get(LocalSecret, AGE_IDENTITY) is None
        assert SecretStore().get(identity_entry_name(ws.database_id))
    finally:
        ws.close()


def test_the_wizard_asks_for_the_country_instead_of_offering_the_first(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge
) -> None:
    """The country began at "U.S. Virgin Islands" (first in Kazakh order): left in place, the
    mission was set up in the wrong country for good."""
    assert new_wizard(qtbot, Paths(tmp_path / "fresh"), bridge).mission.country.code() == ""
    wizard = at_filled_mission_page(qtbot, Paths(tmp_path / "new"), bridge)
    page = wizard.mission
    page.country.setCurrentIndex(0)
    assert page.country.code() == "" and page.country.currentText() == "choose the country"
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == MISSION
    assert page.error.text() == "Choose the country the mission is in."
    # Headquarters is in Astana: ticked, it fills in what was left empty.
    page.city.clear()
    page.is_hq.setChecked(True)
    assert (page.country.code(), page.city.text()) == ("KZ", "Astana")


def test_the_mission_code_takes_capitals_where_the_cursor_is(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge
) -> None:
    """The box upper-cased its text with ``setText`` at each key: the cursor jumped to the
    end, and a letter typed in the middle of the code went after it."""
    wizard = at_filled_mission_page(qtbot, Paths(tmp_path / "new"), bridge)
    code = wizard.mission.code
    type_into(qtbot, code, "sl")
    assert (code.text(), code.cursorPosition()) == ("SL", 2)
    qtbot.keyClick(code, Qt.Key.Key_Left)
    qtbot.keyClicks(code, "eo")  # old: «SELO», the «o» after the end
    assert (code.text(), code.cursorPosition()) == ("SEOL", 3)
    code.selectAll()
    code.insert("ist")  # as a paste puts it in, in place of the selection
    assert code.text() == "IST"


def test_wizard_shows_bad_input_on_the_page_and_creates_nothing(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge
) -> None:
    paths = Paths(tmp_path / "new-install")
    wizard = at_filled_mission_page(qtbot, paths, bridge)
    type_into(qtbot, wizard.mission.code, "is1")
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == MISSION
    assert wizard.mission.error.text() == (
        "The mission code is 2–8 capital Latin letters, for example SEL."
    )
    type_into(qtbot, wizard.mission.code, "IST")
    press(qtbot, wizard, NEXT)
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == ADMIN
    type_into(qtbot, wizard.admin.password, "long enough pw")
    type_into(qtbot, wizard.admin.repeat, "long enough px")
    press(qtbot, wizard, FINISH)  # the last page: validation runs on Finish
    assert wizard.isVisible() and wizard.currentId() == ADMIN
    assert wizard.admin.error.text() == "The two passwords do not match."
    type_into(qtbot, wizard.admin.password, "short")
    type_into(qtbot, wizard.admin.repeat, "short")
    press(qtbot, wizard, FINISH)
    assert wizard.admin.error.text() == "The password must be at least 8 characters long."
    # Eight characters, but the first a guesser holding the key file tries.
    type_into(qtbot, wizard.admin.password, "12345678")
    type_into(qtbot, wizard.admin.repeat, "12345678")
    press(qtbot, wizard, FINISH)
    assert wizard.isVisible() and wizard.currentId() == ADMIN
    assert wizard.admin.error.text() == (
        "This password is among the first that anyone guessing tries: choose one of your "
        "own, for example a few words."
    )
    assert not paths.data_dir.exists()


def test_a_message_about_fields_hidden_since_is_not_left_on_the_page(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge
) -> None:
    """Headquarters on a server, a bad address refused; then back, headquarters unticked:
    the administrator page still said "The database address must be …" with no address field
    on it, and kept saying it beside the password fields."""
    paths = Paths(tmp_path / "new-install")
    wizard = at_filled_mission_page(qtbot, paths, bridge)
    wizard.mission.is_hq.setChecked(True)
    press(qtbot, wizard, NEXT)
    press(qtbot, wizard, NEXT)
    page = wizard.admin
    page.on_server.setChecked(True)
    type_into(qtbot, page.server_url, "qorgau.example")
    press(qtbot, wizard, FINISH)
    assert page.error.isVisibleTo(page) and "database address" in page.error.text()
    page.on_server.setChecked(False)  # the address field hidden: so is what was said of it
    assert not page.error.isVisibleTo(page)
    page.on_server.setChecked(True)
    press(qtbot, wizard, FINISH)
    assert "database address" in page.error.text()
    wizard.back()
    wizard.back()
    wizard.mission.is_hq.setChecked(False)
    press(qtbot, wizard, NEXT)
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == ADMIN and not page.on_server.isChecked()
    assert not page.error.isVisibleTo(page) and page.error.text() == ""
    assert not paths.data_dir.exists()


def test_wizard_opens_the_demo_mission(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wizard_module, "DEMO_CASES", 15)
    paths = Paths(tmp_path / "demo")
    wizard = new_wizard(qtbot, paths, bridge)
    click(qtbot, wizard.welcome.demo)
    assert wizard.welcome.nextId() == -1
    with qtbot.waitSignal(wizard.accepted, timeout=20_000):
        press(qtbot, wizard, FINISH)
    ws = wizard.workspace
    assert ws is not None
    assert ws.actor.username == "admin"
    assert ws.mission.code == "SEL"
    ws.close()


def test_switching_language_in_the_wizard_retranslates_country_names(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge
) -> None:
    wizard = new_wizard(qtbot, Paths(tmp_path / "x"), bridge)
    choose(qtbot, wizard.welcome.language, wizard.welcome.language.itemData(0))  # Қазақша
    press(qtbot, wizard, NEXT)
    bridge.set_language("en")
    choose(qtbot, wizard.mission.country, "DE")
    assert wizard.mission.country.currentText() == "Germany"
    click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    choose(qtbot, wizard.welcome.language, wizard.welcome.language.itemData(0))
    assert bridge.language == "kk"
    assert wizard.mission.country.code() == "DE"
    assert wizard.mission.country.currentText() == "Германия"


def test_forgot_all_passwords_makes_a_new_administrator(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge
) -> None:
    paths = Paths(tmp_path / "forgotten")
    recovery_key = init_installation(paths, MISSION_SETUP, "admin", PASSWORD)
    dialog = login_dialog(qtbot, paths, bridge)
    click(qtbot, dialog.forgot)
    recover_dialog = dialog.recovery
    assert recover_dialog is not None and recover_dialog.isVisible()
    groups = recovery_key.split("-")
    groups[4] = ("1" if groups[4][0] != "1" else "2") + groups[4][1:]
    type_into(qtbot, recover_dialog.key, "-".join(groups))
    type_into(qtbot, recover_dialog.username, "dana")
    type_into(qtbot, recover_dialog.password, "a new password")
    type_into(qtbot, recover_dialog.repeat, "a new password")
    press_dialog_button(qtbot, recover_dialog)
    assert "Group 5" in recover_dialog.error.text()
    assert not KeySlotStore(paths.keyslots).has_slot("dana")
    type_into(qtbot, recover_dialog.key, recovery_key.lower())
    with qtbot.waitSignal(recover_dialog.accepted, timeout=10_000):
        press_dialog_button(qtbot, recover_dialog)
    assert dialog.username.text() == "dana"
    unlock(paths, "dana", "a new password").close()


def test_the_recovery_dialog_says_an_existing_name_is_taken_over(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    """It said "a new administrator is created" while an existing name was taken over: its
    password replaced, the account made administrator."""
    dialog = login_dialog(qtbot, installation, bridge)
    click(qtbot, dialog.forgot)
    recover_dialog = dialog.recovery
    assert recover_dialog is not None
    assert "takes that account over" in recover_dialog.intro.text()
    type_into(qtbot, recover_dialog.username, "dana")
    assert not recover_dialog.takeover.isVisible()
    type_into(qtbot, recover_dialog.username, "aigul")
    assert recover_dialog.takeover.isVisible()
    assert recover_dialog.takeover.text() == (
        "aigul is an existing account: its password will be replaced and it will be an "
        "administrator."
    )


def test_the_recovery_dialog_follows_a_language_switch(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    """Its title and labels stayed in the language it was opened in."""
    dialog = login_dialog(qtbot, installation, bridge)
    click(qtbot, dialog.forgot)
    recover_dialog = dialog.recovery
    assert recover_dialog is not None
    assert recover_dialog.windowTitle() == "Forgot all passwords?"
    bridge.set_language("ru")
    with language_override("ru"):
        title, label, repeat = _("Forgot all passwords?"), _("New &password:"), _("&Repeat it:")
    assert title != "Forgot all passwords?"
    assert recover_dialog.windowTitle() == title
    assert recover_dialog.password_label.text() == label
    assert recover_dialog.repeat_label.text() == repeat


class CountingStore(SecretStore):
    """A default store (no backend handed in) that counts how often it was asked."""

    def __init__(self, system: bool) -> None:
        super().__init__()
        self.system = system
        self.asked = 0

    @property
    def is_system(self) -> bool:
        self.asked += 1
        return self.system


def test_the_keyring_is_asked_about_once_the_sign_in_window_has_painted(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    """Loading the keyring library costs about as much as painting the window (issue 17)."""
    store = CountingStore(system=False)
    dialog = LoginDialog(installation, bridge, store)
    qtbot.addWidget(dialog)
    assert store.asked == 0
    assert dialog.remember.isEnabled()  # not known yet
    dialog.show()
    qtbot.waitUntil(lambda: not dialog.remember.isEnabled(), timeout=5000)
    assert dialog.remember.toolTip() == store.unavailable_message()


def test_a_user_who_did_not_tick_the_box_starts_without_asking_the_keyring(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    dialog = login_dialog(qtbot, installation, bridge, SecretStore())
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        sign_in(qtbot, dialog, "aigul", PASSWORD)
    assert dialog.workspace is not None
    dialog.workspace.close()
    assert ui_settings.unlock_remembered(installation.data_dir, "aigul") is False
    store = CountingStore(system=True)
    assert try_keyring_login(installation, store) is None
    assert store.asked == 0
    # Another data folder's choice is its own: not known there, so the keyring is asked.
    assert ui_settings.unlock_remembered(installation.data_dir.parent, "aigul") is None


def slow_sign_in(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> tuple[LoginDialog, str]:
    """Serik signs in, the dialog saying at once what a long sign-in does: it and that text."""
    monkeypatch.setattr(login_module, "STILL_OPENING_MS", 1)
    dialog = login_dialog(qtbot, installation, bridge)
    qtbot.waitUntil(lambda: dialog.isVisible())
    type_into(qtbot, dialog.username, "serik")
    type_into(qtbot, dialog.password, PASSWORD)
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        click(qtbot, dialog.sign_in_button)
        qtbot.waitUntil(lambda: dialog.still_opening.isVisible(), timeout=10_000)
        seen = dialog.still_opening.text()
    return dialog, seen


def test_a_sign_in_that_brings_the_database_up_to_date_says_so(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first sign-in after an update copies the database and migrates it: minutes at a
    large mission, which the dialog used to spend with only a busy cursor."""
    ws = unlock(installation, "admin", PASSWORD)
    downgraded(installation, ws, "0018").dispose()
    dialog, seen = slow_sign_in(qtbot, installation, bridge, monkeypatch)
    assert seen.startswith("Still opening: the first sign-in after an update")
    assert not dialog.still_opening.isVisible()
    workspace = dialog.workspace
    assert workspace is not None
    try:
        with workspace.db.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
    finally:
        workspace.close()
    assert list(installation.backups.glob("before-migration-0018-*"))  # a copy was kept first


def test_a_sign_in_that_finishes_a_revocations_new_key_says_so(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A revocation whose re-key another window kept waiting (that window signed in before
    it, so it cannot finish it at its close) is finished by the next password sign-in (the
    whole file re-encrypted): said as such, not as an update."""
    from app.services.users import UserService

    other = unlock(installation, "serik", PASSWORD)
    ws = unlock(installation, "admin", PASSWORD)
    try:
        assert UserService(ws).revoke("aigul").rekey_waiting
    finally:
        ws.close()  # the other window still holds the file
        other.close()
    assert KeySlotStore(installation.keyslots).state().rekey_to is not None
    # The small file re-keys in milliseconds: on a loaded machine it could be done before the
    # dialog read the key file, and the dialog then (rightly) spoke of an update instead.
    real_rekey = rekey_module.rekey_database

    def slow_rekey(*args: Any, **kwargs: Any) -> None:
        time.sleep(1.0)
        real_rekey(*args, **kwargs)

    monkeypatch.setattr(rekey_module, "rekey_database", slow_rekey)
    dialog, seen = slow_sign_in(qtbot, installation, bridge, monkeypatch)
    assert seen.startswith("Still opening: the database is getting the new key")
    assert dialog.workspace is not None
    dialog.workspace.close()
    assert KeySlotStore(installation.keyslots).state().rekey_to is None


@pytest.mark.parametrize("wrong", ["opens nothing", "mistyped"])
def test_the_recovery_dialogs_refusal_follows_a_language_switch(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, wrong: str
) -> None:
    """The dialog's labels followed a switch, its refusal stayed in the language it was said
    in: a Russian window telling, in English, that the key opens nothing."""
    dialog = login_dialog(qtbot, installation, bridge)
    click(qtbot, dialog.forgot)
    recover_dialog = dialog.recovery
    assert recover_dialog is not None
    key = new_recovery_key()  # well formed, but not this installation's
    if wrong == "mistyped":
        first = key[0]
        key = ("1" if first != "1" else "2") + key[1:]
    type_into(qtbot, recover_dialog.key, key)
    type_into(qtbot, recover_dialog.username, "dana")
    type_into(qtbot, recover_dialog.password, "a brand new password")
    type_into(qtbot, recover_dialog.repeat, "a brand new password")
    click(qtbot, recover_dialog.ok_button())
    qtbot.waitUntil(lambda: recover_dialog.error.isVisible(), timeout=10000)
    english = recover_dialog.error.text()
    said = {
        "opens nothing": "This key opens nothing here: it is wrong, or it was replaced.",
        "mistyped": "Group {n} of the recovery key ({group}) has a typing error.",
    }[wrong]
    group = key.split("-")[0]
    assert english.startswith(said.format(n=1, group=group))
    bridge.set_language("ru")
    with language_override("ru"):
        russian = _(said).format(n=1, group=group)
    assert russian != said.format(n=1, group=group)
    assert recover_dialog.error.text().startswith(russian)


def test_esc_does_not_close_the_sign_in_window_while_it_opens_the_database(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Esc (or the title bar's close) during a sign-in closed the window and quit Qorgau with
    no word, while the key was derived or the database brought up to date ("please do not
    close Qorgau")."""
    import threading

    opened = threading.Event()
    real_unlock = login_module._unlock

    def held_unlock(paths: Paths, username: str, password: str) -> object:
        opened.wait(10)
        return real_unlock(paths, username, password)

    monkeypatch.setattr(login_module, "_unlock", held_unlock)
    dialog = login_dialog(qtbot, installation, bridge)
    type_into(qtbot, dialog.username, "aigul")
    type_into(qtbot, dialog.password, PASSWORD)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog._busy()
    closed: list[int] = []
    dialog.finished.connect(closed.append)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    dialog.close()
    assert dialog.isVisible() and closed == []
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        opened.set()
    assert dialog.workspace is not None
    dialog.workspace.close()


def test_the_wizard_takes_no_letterhead_longer_than_a_bundle_may_carry(
    qtbot: QtBot, tmp_path: Path, bridge: LanguageBridge
) -> None:
    """HQ refuses a bundle whose mission record breaks the schema, and nothing edits the
    letterhead after setup: the fields stop where the schema does."""
    wizard = at_filled_mission_page(qtbot, Paths(tmp_path / "new-install"), bridge)
    type_into(qtbot, wizard.mission.name_en, "Embassy " * 50)
    assert len(wizard.mission.name_en.text()) == 300
    press(qtbot, wizard, NEXT)
    type_into(qtbot, wizard.letterhead.address_en, "Istanbul, Beşiktaş, Ortaköy, " * 30)
    assert len(wizard.letterhead.address_en.text()) == 500
    assert wizard.letterhead.phone.maxLength() == 60


def test_the_wizard_on_a_new_computer_restores_the_missions_backup(
    qtbot: QtBot, tmp_path: Path, installation: Paths, bridge: LanguageBridge
) -> None:
    """The laptop died: on the new one the first start offered only a new mission (whose
    installation then refused the old one's backup as another installation's) or the demo;
    restoring took the command line."""
    from app.services.backup import create_backup
    from app.services.cases import CaseService
    from app.services.records import PersonInput
    from tests.builders import wage_case

    ws = unlock(installation, "admin", PASSWORD)
    case = wage_case(ws, PersonInput(surname="Сәрсенбаев", given_names="Нұрлан"))
    night = create_backup(ws, tmp_path / "last-night.qbackup").path
    ws.close()
    paths = Paths(tmp_path / "new laptop")
    wizard = new_wizard(qtbot, paths, bridge)
    click(qtbot, wizard.welcome.restore)
    press(qtbot, wizard, NEXT)
    assert wizard.currentId() == RESTORE
    page = wizard.from_backup
    press(qtbot, wizard, FINISH)  # nothing typed: said on the page, nothing made
    assert page.error.text() == "Choose the backup to restore."
    assert wizard.focusWidget() is page.file and not paths.data_dir.exists()
    type_into(qtbot, page.file, str(night))
    type_into(qtbot, page.username, "admin")
    type_into(qtbot, page.password, "not the password")
    press(qtbot, wizard, FINISH)
    qtbot.waitUntil(lambda: page.error.isVisible() and bool(page.error.text()), timeout=20_000)
    said = page.error.text()
    assert "Your password does not open this backup" in said
    assert not paths.is_initialised()
    page.password.clear()
    type_into(qtbot, page.password, PASSWORD)
    with qtbot.waitSignal(wizard.accepted, timeout=20_000):
        press(qtbot, wizard, FINISH)
    restored = wizard.workspace
    assert restored is not None
    try:
        assert restored.actor.username == "admin" and restored.mission.code == "SEL"
        assert CaseService(restored).get_case(case.id).number == case.number
    finally:
        restored.close()
