"""The login dialog of an existing installation.

A wrong password keeps the dialog open with the message under the fields. "Unlock on this
computer" keeps the database key in the OS keyring; without a system keyring it is disabled
and says why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.config import Paths
from app.errors import QorgauError, SetupCutShort
from app.i18n import _
from app.security.keyring_store import SecretStore
from ui import ui_settings, warm_up
from ui.i18n_bridge import LanguageBridge
from ui.tasks import BackgroundTask, show_error
from ui.widgets.common import ErrorLabel, LanguageCombo, chars_wide, fit_to_contents, set_label
from ui.widgets.plain import plain_message
from ui.widgets.text_size import heading

# A sign-in takes well under a second; one still going after this is bringing the database up
# to date after an update (a copy first, then the migrations: minutes at a large mission), or
# finishing a revocation's re-key (the whole file re-encrypted).
STILL_OPENING_MS = 4000

if TYPE_CHECKING:
    # The services (SQLAlchemy, the models) load after the window has painted: see warm_up.
    from app.services.workspace import Workspace
    from ui.recovery import RecoverDialog


def try_keyring_login(paths: Paths, store: SecretStore) -> Workspace | None:
    """Open silently for the last user if they chose "unlock on this computer"."""
    username = ui_settings.last_username()
    if not username or not paths.is_initialised():
        return None
    if ui_settings.unlock_remembered(paths.data_dir, username) is False:
        return None  # nothing to look for: the keyring library stays unloaded until painted
    if not store.is_system:
        return None
    from app.services.installation import unlock_with_keyring

    try:
        return unlock_with_keyring(paths, username, store)
    except QorgauError:
        return None  # a stale key (e.g. after a restore): ask for the password instead


def keyring_unanswered() -> str:
    """Why the window asks for a password that "Unlock on this computer" should have spared:
    it appeared with no word, and the officer took her remembered sign-in for lost."""
    return _(
        "This computer's keyring did not answer (it may be locked), so Qorgau could not "
        "unlock by itself. Sign in with your password."
    )


class LoginDialog(QDialog):
    # "Sign in" pressed: the key is being derived on a worker thread (Argon2id lets go of the
    # GIL), time the GUI thread can use to load what comes after the dialog.
    unlocking = Signal()

    def __init__(
        self,
        paths: Paths,
        bridge: LanguageBridge,
        store: SecretStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.bridge = bridge  # the recovery dialog follows the language too
        self.store = store or SecretStore()
        self.workspace: Workspace | None = None
        # Her password opened the key file of a setup stopped before its commit: the setup
        # wizard comes next, for her to set it up again (``ui.app.obtain_workspace``).
        self.set_up_again: str | None = None
        self._task: BackgroundTask[Workspace] | None = None
        self._warming_up = False
        self._rekey_pending = False  # what a long sign-in is doing (``_say_still_opening``)

        self.title = QLabel()
        heading(self.title)
        self.language = LanguageCombo(bridge)
        self.username = QLineEdit(ui_settings.last_username())
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox()
        self.forgot = QPushButton()
        self.forgot.setFlat(True)
        self.forgot.setAutoDefault(False)  # Enter signs in; it must not open the recovery
        self.forgot.clicked.connect(self.open_recovery)
        self.recovery: RecoverDialog | None = None
        self.error = ErrorLabel()
        self.still_opening = QLabel()
        self.still_opening.setWordWrap(True)
        self.still_opening.hide()
        self._still_opening_timer = QTimer(self)
        self._still_opening_timer.setSingleShot(True)
        self._still_opening_timer.timeout.connect(self._say_still_opening)
        # Buttons of our own, not Ok/Cancel: Qt renames standard buttons back to its
        # "OK"/"Cancel" when a language switch reaches them, after our labels were set.
        self.buttons = QDialogButtonBox()
        self.sign_in_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        self.form = QFormLayout()
        # In a language whose labels are long the label goes above its field, not over it.
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.addRow("", self.username)
        self.form.addRow("", self.password)
        self.form.addRow("", self.remember)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.language)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(self.form)
        layout.addWidget(self.forgot, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.still_opening)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        # Again now that the button is inside the dialog: before, it had no dialog to be the
        # default button of, and the dialog made the first button in the tab order its default.
        self.sign_in_button.setDefault(True)
        self.setMinimumWidth(chars_wide(self, 70))  # 420 pixels at 9 pt
        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.remember)
        # Whether a system keyring exists: loading the keyring library costs about as much
        # as painting this window, so a default store is asked once the window has painted.
        self._keyring: bool | None = None
        if store is not None and store.backend_given:
            self._check_keyring()
        # An HQ on a database server: each user signs in with their own server account every
        # time (no key to keep here), and no recovery key exists (the server's admin helps).
        self.on_server = paths.server.exists()
        if self.on_server:
            self.form.setRowVisible(self.remember, False)
            self.forgot.hide()
        (self.password if self.username.text() else self.username).setFocus()
        bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(_("Qorgau — sign in"))
        self.title.setText(_("Sign in to Qorgau"))
        set_label(self.form, self.username, _("&User name:"))
        set_label(self.form, self.password, _("&Password:"))
        self.remember.setText(_("&Unlock on this computer"))
        self.forgot.setText(_("Forgot all passwords?"))
        self.remember.setToolTip(
            self.store.unavailable_message()
            if self._keyring is False
            else _("Keep the key in this computer's keyring, so Qorgau opens without a password.")
        )
        self.sign_in_button.setText(_("Sign in"))
        self.quit_button.setText(_("Quit"))
        self.still_opening.setText(self._still_opening_text())
        self.error.retranslate()
        fit_to_contents(self, to_hint=True)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._warming_up:
            # Once painted, what signing in needs is imported while the user types.
            self._warming_up = True
            QTimer.singleShot(0, warm_up.start)
            if self._keyring is None:
                QTimer.singleShot(0, self._check_keyring)

    def _check_keyring(self) -> None:
        """Without a system keyring "Unlock on this computer" is disabled, and says why."""
        self._keyring = self.store.is_system
        self.remember.setEnabled(self._keyring and not self._busy())
        self.retranslate_ui()

    def _busy(self) -> bool:
        return self._task is not None and self._task.running

    def accept(self) -> None:
        if self._busy():
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            self.error.show_message(lambda: _("Enter your user name and password."))
            (self.username if not username else self.password).setFocus()
            return
        self.error.clear_message()
        self._set_busy(True)
        # Pressed before the first paint started it (Enter as the window appears): else the
        # worker and the GUI thread would import the services beside a later warm-up thread.
        warm_up.start()
        warm_up.skip_areas()  # the main window comes next: it waits for none of them
        paths = self.paths
        self._task = (
            BackgroundTask(self, lambda _ctx: _unlock(paths, username, password))
            .success(self._unlocked)
            .failure(self._failed)
            .run_in_background()
        )
        self.unlocking.emit()

    def reject(self) -> None:
        # Esc and the title bar's close quit Qorgau mid-sign-in, while the database may be
        # being brought up to date: the window stays until the sign-in ends (seconds, or the
        # minutes its "still opening" note announces).
        if self._busy():
            return
        super().reject()

    def open_recovery(self) -> None:
        """The recovery key (or HQ's code) makes a new administrator, who then signs in."""
        warm_up.wait()
        from ui.recovery import RecoverDialog

        dialog = RecoverDialog(self, self.paths, self.bridge, self.store)
        dialog.accepted.connect(lambda: self._recovered(dialog))
        self.recovery = dialog
        dialog.open()

    def _recovered(self, dialog: RecoverDialog) -> None:
        if dialog.recovered is None:
            return
        self.username.setText(dialog.recovered.username)
        self.password.clear()
        self.password.setFocus()
        from app.services.recovery import recovered_message  # loaded with the dialog

        recovered = dialog.recovered
        self.error.show_message(lambda: recovered_message(recovered))

    def _still_opening_text(self) -> str:
        if self._rekey_pending:
            return _(
                "Still opening: the database is getting the new key of a revocation that could "
                "not finish earlier, which re-encrypts the whole file. At a large mission this "
                "takes a minute; please do not close Qorgau."
            )
        return _(
            "Still opening: the first sign-in after an update brings the database up to "
            "date, keeping a copy of it first. At a large mission this takes a few "
            "minutes; please do not close Qorgau."
        )

    def _say_still_opening(self) -> None:
        if self._busy():
            # Read now, seconds into the sign-in, whose imports the key file's module needs.
            from app.security.keyslots import KeySlotStore

            try:
                state = KeySlotStore(self.paths.keyslots).state()
                self._rekey_pending = state.rekey_to is not None
            except QorgauError:
                self._rekey_pending = False
            self.still_opening.setText(self._still_opening_text())
            self.still_opening.show()
            fit_to_contents(self, to_hint=True)

    def _set_busy(self, busy: bool) -> None:
        if busy:
            self._still_opening_timer.start(STILL_OPENING_MS)
        else:
            self._still_opening_timer.stop()
            self.still_opening.hide()
        for widget in (self.username, self.password, self.remember, self.buttons):
            widget.setEnabled(
                not busy and (widget is not self.remember or self._keyring is not False)
            )
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _unlocked(self, workspace: Workspace) -> None:
        from app.services.installation import forget_unlock, remember_unlock

        self._set_busy(False)
        remembered = False
        if self.remember.isChecked() and not self.on_server:
            remembered = remember_unlock(workspace, self.store)
            if not remembered:
                self._say_not_remembered()
        else:
            forget_unlock(workspace, self.store)
        ui_settings.store_sign_in(self.paths.data_dir, workspace.actor.username, remembered)
        self.workspace = workspace
        super().accept()

    def _say_not_remembered(self) -> None:
        """The box was ticked but the keyring refused the key (locked, not answering): the
        next start asked for the password again with no word why."""
        plain_message(
            self,
            _("Unlock on this computer"),
            _(
                "This computer's keyring did not keep your key (it is locked or did not "
                "answer), so Qorgau will ask for your password next time. Unlock the keyring "
                "(your computer's password manager) and tick the box again at your next "
                "sign-in."
            ),
        )

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        warm_up.resume_areas()  # the window stays: what its recovery link opens is worth loading
        if not isinstance(exc, QorgauError):
            show_error(self, exc)
            return
        if isinstance(exc, SetupCutShort):
            self.set_up_again = self.username.text().strip()
            super().reject()
            return
        self.error.show_message(lambda: str(exc))  # a lazy message re-translates
        self.password.clear()
        self.password.setFocus()


def _unlock(paths: Paths, username: str, password: str) -> Workspace:
    """On the sign-in worker thread: the key is derived while the background imports of what
    sign-in needs finish (``app.services.sign_in`` itself imports no SQLAlchemy)."""
    warm_up.wait_for_proof()
    from app.services.sign_in import unlock

    return unlock(paths, username, password, prepare=warm_up.wait_for_sign_in)
