"""The recovery key shown once (after setup or a rotation), and "Forgot all passwords?".

Both dialogs are opened with ``open()``; the work (key derivation, re-key) runs off the GUI
thread through ``ui.tasks``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.config import Paths
from app.errors import QorgauError
from app.i18n import LANGUAGES, _, current_language
from app.security.keyring_store import SecretStore
from app.security.keyslots import KeySlotStore
from app.security.recovery_key import GROUP_CHARS, GROUPS, parse_recovery_key
from app.services.installation import check_username
from app.services.recovery import Recovered, recover
from app.services.recovery_sheet import SheetFacts, write_recovery_sheet
from ui.i18n_bridge import LANGUAGE_NAMES, LanguageBridge
from ui.tasks import BackgroundTask, show_error
from ui.widgets.common import ErrorLabel, chars_wide, word_wrapped
from ui.widgets.dialogs import ValidatingDialog, check_passwords, password_field
from ui.widgets.file_dialogs import in_documents
from ui.widgets.text_size import KEY_TEXT, sized_text


class RecoveryKeyDialog(QDialog):
    """Shows a new recovery key once, with the printable sheet in the mission's languages."""

    def __init__(
        self,
        parent: QWidget | None,
        recovery_key: str,
        facts: Callable[[str], SheetFacts],
    ) -> None:
        super().__init__(parent)
        self.recovery_key = recovery_key
        self.facts = facts
        self.intro = word_wrapped(QLabel())
        self.key = QLabel(recovery_key)
        self.key.setTextFormat(Qt.TextFormat.PlainText)
        self.key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.key.setFont(fixed_pitch())
        sized_text(self.key, KEY_TEXT, QFont.Weight.Bold)
        self.language = QComboBox()
        for code in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[code], code)
        self.language_label = QLabel()
        self.language_label.setBuddy(self.language)
        self.language.setCurrentIndex(max(0, self.language.findData(current_language())))
        self.save_button = QPushButton()
        self.save_button.clicked.connect(self.save_sheet)
        self.saved = ErrorLabel()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.accept)
        sheet = QHBoxLayout()
        sheet.addWidget(self.language_label)
        sheet.addWidget(self.language)
        sheet.addWidget(self.save_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.key)
        layout.addLayout(sheet)
        layout.addWidget(self.saved)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(chars_wide(self, 93))  # 560 pixels at 9 pt
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Recovery key"))
        self.intro.setText(
            _(
                "This recovery key opens the database when every password is lost. It is shown "
                "only now: print the sheet and keep it in the mission's safe."
            )
        )
        self.language_label.setText(_("Sheet &language:"))
        self.save_button.setText(_("&Save the printable sheet (PDF)…"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(_("I have stored it"))
        self.saved.retranslate()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt name
        super().changeEvent(event)
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()  # Qt has just named the OK button "OK" again

    def save_sheet(self) -> None:
        lang = str(self.language.currentData())
        name, _filter = QFileDialog.getSaveFileName(
            self,
            _("Save the recovery sheet"),
            in_documents(f"qorgau-recovery-{lang}.pdf"),
            "PDF (*.pdf)",
        )
        if name:
            self.write_sheet(Path(name), lang)

    def write_sheet(self, path: Path, lang: str) -> None:
        try:
            write_recovery_sheet(path, self.recovery_key, self.facts(lang), lang)
        except QorgauError as exc:
            refusal = exc  # said again after a language switch, as what follows
            self.saved.show_message(lambda: str(refusal))
            return
        self.saved.show_message(lambda: _("Saved: {path}").format(path=str(path)))


def _slot_usernames(paths: Paths) -> list[str]:
    try:
        return KeySlotStore(paths.keyslots).usernames()
    except QorgauError:  # a missing or damaged key file: recovery itself will say so
        return []


def fixed_pitch() -> QFont:
    """The key's font: every character as wide as the next, 0 and O apart."""
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class RecoverDialog(ValidatingDialog):
    """ "Forgot all passwords?": the recovery key (or HQ's code) makes an administrator: a new
    account, or the existing account of the name typed, taken over."""

    def __init__(
        self,
        parent: QWidget | None,
        paths: Paths,
        bridge: LanguageBridge,
        store: SecretStore | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.store = store  # where a taken-over account's "unlock on this computer" is forgotten
        self.recovered: Recovered | None = None
        self.task: BackgroundTask[Recovered] | None = None
        self.key = QLineEdit()
        # The whole key in view, in a fixed-pitch font, to check it against the paper group by
        # group (the field showed 14 of its 47 characters).
        self.key.setFont(fixed_pitch())
        sample = "-".join(["W" * GROUP_CHARS] * GROUPS)
        self.key.setMinimumWidth(self.key.fontMetrics().horizontalAdvance(sample) + 16)
        self.username = QLineEdit()
        self.username.textChanged.connect(self._say_takeover)
        # Said while the name is typed, not after the takeover: the people with a key slot
        # (the key file lists them without a password; a revoked account has none).
        self.with_slots = set(_slot_usernames(paths))
        self.takeover = word_wrapped(QLabel())
        self.takeover.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the typed name
        self.takeover.hide()
        self.password, self.repeat = password_field(), password_field()
        # On a row of its own: beside its label it did not fit, and the label was cut.
        self.key_label = QLabel()
        self.key_label.setBuddy(self.key)
        self.username_label, self.password_label, self.repeat_label = QLabel(), QLabel(), QLabel()
        self.username_label.setBuddy(self.username)
        self.password_label.setBuddy(self.password)
        self.repeat_label.setBuddy(self.repeat)
        self.form.addRow(self.key_label)
        self.form.addRow(self.key)
        self.form.addRow(self.username_label, self.username)
        self.form.addRow(self.takeover)
        self.form.addRow(self.password_label, self.password)
        self.form.addRow(self.repeat_label, self.repeat)
        bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Forgot all passwords?"))
        self.set_intro(
            _(
                "Type the recovery key from the mission's safe, or the one-time code headquarters "
                "read out to you. A new user name makes a new administrator; the name of an "
                "existing account takes that account over: its password is replaced and it "
                "becomes an administrator. The recovery is recorded."
            )
        )
        self.key_label.setText(_("Recovery &key or HQ's code:"))
        self.username_label.setText(_("&Administrator's user name:"))
        self.password_label.setText(_("New &password:"))
        self.repeat_label.setText(_("&Repeat it:"))
        self._say_takeover()
        self.error.retranslate()

    def _say_takeover(self) -> None:
        name = self.username.text().strip()
        taken = name in self.with_slots
        if taken:
            self.takeover.setText(
                _(
                    "{user} is an existing account: its password will be replaced and it will "
                    "be an administrator."
                ).format(user=name)
            )
        self.takeover.setVisible(taken)

    def validate(self) -> None:
        parse_recovery_key(self.key.text())
        check_username(self.username.text().strip())
        check_passwords(self.password.text(), self.repeat.text())

    def accept(self) -> None:
        if self.task is not None and self.task.running:
            return
        if not self.error.passes(self.validate):
            return
        paths, key, store = self.paths, self.key.text(), self.store
        name, password = self.username.text().strip(), self.password.text()
        self.buttons.setEnabled(False)
        self.task = (
            BackgroundTask(self, lambda _ctx: recover(paths, key, name, password, store=store))
            .success(self._recovered)
            .failure(self._failed)
            .run_in_background()
        )

    def _recovered(self, result: Recovered) -> None:
        self.recovered = result
        self.buttons.setEnabled(True)
        QDialog.accept(self)

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(exc, QorgauError):
            self.error.show_message(lambda: str(exc))  # a lazy message re-translates
        else:
            show_error(self, exc)
