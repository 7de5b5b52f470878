"""Issue 18, item 9: the sign-in dialog and the lock screen in every language.

The faults: the error stayed in English after a switch to Russian; "Unlock on this computer"
was clipped in ru and kk; the buttons fell back to Qt's OK/Cancel once Qt's own translation
reached them; a two-line error squashed the fields.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.i18n import _, language_override
from app.services.installation import init_installation
from tests.conftest import MISSION, PASSWORD
from tests.ui.press import click
from tests.ui.test_login_and_setup import login_dialog, refused_sign_in, sign_in
from ui.i18n_bridge import LanguageBridge
from ui.lock import LockScreen
from ui.login import LoginDialog

LANGUAGES = ("kk", "ru", "en")
LONG_ERROR = (
    "The database could not be opened: the file is locked by another program or is on a "
    "network drive that went away. Close the other program and try again."
)


def _switch(bridge: LanguageBridge, language: str) -> None:
    bridge.set_language(language)
    # Qt's LanguageChange event reaches the widgets after the signal, as in the running app.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LanguageChange)
    QCoreApplication.processEvents()


def _login(qtbot: QtBot, installation: Paths, bridge: LanguageBridge) -> LoginDialog:
    dialog = login_dialog(qtbot, installation, bridge)
    qtbot.waitExposed(dialog)
    return dialog


def _login_in(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, language: str
) -> LoginDialog:
    """The sign-in window on screen, then switched to ``language``."""
    dialog = _login(qtbot, installation, bridge)
    _switch(bridge, language)
    return dialog


def _button_texts(widget: QWidget) -> set[str]:
    return {b.text().replace("&", "") for b in widget.findChildren(QPushButton)}


def test_the_sign_in_error_follows_a_language_switch(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    dialog = _login(qtbot, installation, bridge)
    refused_sign_in(qtbot, dialog)
    _switch(bridge, "ru")
    with language_override("ru"):
        assert dialog.error.text() == _("Wrong user name or password.")
    assert dialog.error.text() != "Wrong user name or password."


def test_an_empty_field_message_follows_a_language_switch(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    dialog = _login(qtbot, installation, bridge)
    sign_in(qtbot, dialog, "", "")
    _switch(bridge, "kk")
    with language_override("kk"):
        assert dialog.error.text() == _("Enter your user name and password.")


@pytest.mark.parametrize("language", LANGUAGES)
def test_buttons_keep_their_own_labels_after_qt_translates(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, language: str
) -> None:
    dialog = _login_in(qtbot, installation, bridge, language)
    with language_override(language):
        wanted = {_("Sign in"), _("Quit")}
    texts = _button_texts(dialog)
    assert wanted <= texts, texts
    assert not texts & {"OK", "Cancel", "Отмена", "Болдырмау"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_unlock_on_this_computer_is_not_clipped(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, language: str
) -> None:
    dialog = _login_in(qtbot, installation, bridge, language)
    QCoreApplication.processEvents()
    for widget in (dialog.remember, dialog.forgot, *dialog.findChildren(QPushButton)):
        if widget.isVisible():
            assert widget.width() >= widget.sizeHint().width(), widget.text()


def _fields_not_squashed(fields: list[QLineEdit]) -> None:
    for field in fields:
        assert field.height() >= field.sizeHint().height(), field.objectName()


def test_a_two_line_error_does_not_squash_the_sign_in_fields(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    dialog = _login(qtbot, installation, bridge)
    dialog.error.show_message(LONG_ERROR)
    QCoreApplication.processEvents()
    qtbot.waitUntil(lambda: dialog.error.height() >= dialog.error.heightForWidth(
        dialog.error.width()), timeout=2000)  # fmt: skip
    _fields_not_squashed([dialog.username, dialog.password])
    assert dialog.error.height() >= 2 * dialog.error.fontMetrics().lineSpacing()


def test_the_lock_screen_error_follows_a_language_switch(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge
) -> None:
    lock = LockScreen(installation, "admin", bridge)
    qtbot.addWidget(lock)
    lock.resize(1366, 768)
    lock.show()
    lock.prepare()
    click(qtbot, lock.unlock_button)  # nothing typed
    assert lock.error.text() == "Enter your password."
    _switch(bridge, "ru")
    with language_override("ru"):
        assert lock.error.text() == _("Enter your password.")
        assert lock.unlock_button.text() == _("&Unlock")
    lock.error.show_message(LONG_ERROR)
    QCoreApplication.processEvents()
    _fields_not_squashed([lock.password])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_lock_screen_shows_its_whole_explanation(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, language: str
) -> None:
    """The centred box took its narrow size hint and the wrapped text lost its last line
    ("…Введите пароль" and no user)."""
    _switch(bridge, language)
    lock = LockScreen(installation, "consul", bridge)
    qtbot.addWidget(lock)
    lock.resize(1366, 768)
    lock.show()
    lock.prepare()
    QCoreApplication.processEvents()
    text = lock.explanation
    assert text.height() >= text.heightForWidth(text.width())
    assert "consul" in text.text()


def test_another_databases_key_file_is_named_whole_in_the_sign_in_window(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, tmp_path: Path
) -> None:
    """A key file copied from another installation: the window said the database was not a
    Qorgau database. It names the key file to restore, every line of it in sight."""
    other = Paths(tmp_path / "other")
    init_installation(other, MISSION, "admin", PASSWORD)
    installation.keyslots.write_bytes(other.keyslots.read_bytes())
    dialog = _login(qtbot, installation, bridge)
    sign_in(qtbot, dialog, "admin", PASSWORD)
    qtbot.waitUntil(lambda: dialog.error.isVisible(), timeout=5000)
    QCoreApplication.processEvents()
    assert dialog.error.text().startswith("qorgau.db does not open with the key in keyslots.json")
    assert "Restore keyslots.json from the backup" in dialog.error.text()
    assert dialog.error.height() >= dialog.error.heightForWidth(dialog.error.width())
    _fields_not_squashed([dialog.username, dialog.password])
    assert dialog.workspace is None
