"""Settings: interface language, idle lock, this computer's keyring, own password, backups,
escrow at headquarters, users."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import Role
from app.domain.roles import POLICY_SETTERS, USER_MANAGERS
from app.i18n import _
from app.security.keyring_store import SecretStore
from app.services import retention
from app.services import settings as domain_settings
from app.services.audit_log import AUDIT_READERS
from app.services.installation import forget_unlock
from app.services.recovery import RecoveryService
from app.services.recovery_sheet import sheet_facts
from app.services.users import UserService
from ui import ui_settings
from ui.main_window import MainWindow
from ui.palette import outcome_style
from ui.recovery import RecoveryKeyDialog
from ui.settings.backups import BackupsBox
from ui.settings.contacts import MissionContactsBox
from ui.settings.escrow import EscrowBox
from ui.settings.users import UsersPanel
from ui.tasks import BackgroundTask, show_error
from ui.widgets.common import (
    STRETCH,
    LanguageCombo,
    push_button,
    set_label,
    widget_row,
    word_wrapped,
)
from ui.widgets.dialogs import PasswordDialog, confirm
from ui.widgets.plain import plain_label
from ui.widgets.text_size import heading

SETTLE_MS = 700  # the arrows' steps, or a wheel's, written once they pause


class SettledSetting(QObject):
    """A mission policy in a spin box, written once the administrator settles on a value, off
    the GUI thread. Written at each change, typing "25" over "10" years first set (and audited)
    a retention period of 2 years, and each click of an arrow was a write of its own on the GUI
    thread (seconds behind a running import). Now a typed value counts once it is entered
    (Enter, or leaving the box), the arrows' steps once they pause; a value that cannot be
    written is said and the box shows the stored one again."""

    def __init__(
        self,
        spin: QSpinBox,
        store: Callable[[int], None],
        applied: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__(spin)
        self.spin, self.store, self.applied = spin, store, applied
        self.stored = spin.value()
        self.task: BackgroundTask[None] | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self.flush)
        spin.setKeyboardTracking(False)
        spin.valueChanged.connect(lambda _value: self.timer.start())

    @property
    def writing(self) -> bool:
        return self.task is not None and self.task.running

    def flush(self) -> None:
        """Write the value shown now, unless it is the stored one (or wait for the write under
        way, then write the newer value)."""
        self.timer.stop()
        value = self.spin.value()
        if self.writing:
            self.timer.start()
            return
        if value == self.stored:
            return
        task: BackgroundTask[None] = BackgroundTask(self.spin, lambda _ctx: self.store(value))
        self.task = (
            task.success(lambda _none: self._written(value)).failure(self._failed)
        ).run_in_background()

    def finish(self) -> None:
        """As the window closes: the value shown is written before the workspace goes."""
        self.flush()
        if self.task is not None:
            self.task.wait_finished()
        if self.timer.isActive():  # a newer value waited for the write that just ended
            self.flush()
            if self.task is not None:
                self.task.wait_finished()

    def _written(self, value: int) -> None:
        self.stored = value
        if self.applied is not None:
            self.applied(value)

    def _failed(self, exc: BaseException) -> None:
        self.spin.blockSignals(True)
        self.spin.setValue(self.stored)
        self.spin.blockSignals(False)
        show_error(self.spin, exc)


def _policy_spin(low: int, high: int, value: int, editable: bool) -> QSpinBox:
    """A number the mission's administrator sets for everyone (read-only to the others)."""
    spin = QSpinBox()
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setEnabled(editable)  # a mission policy, not a personal choice
    return spin


class SettingsPage(QScrollArea):
    def __init__(self, window: MainWindow, store: SecretStore | None = None) -> None:
        super().__init__()
        self.window_ = window
        self.store = store or SecretStore()
        self.task: BackgroundTask[Any] | None = None  # rotation or escrow: results differ
        self.dialog: PasswordDialog | None = None
        workspace = window.workspace
        is_admin = workspace.actor.role == Role.ADMIN
        # An HQ on a database server keeps no key here and has no recovery key: no buttons
        # that could only fail (app/services/server_hq.py).
        self.on_server = workspace.on_server
        self._build_interface(window, workspace.actor.role in POLICY_SETTERS)
        self._build_security(window, is_admin)
        self._build_users(window)
        self.contacts = MissionContactsBox(workspace)
        # The administrator "manages backups" (DESIGN.md); an HQ on a database server leaves
        # backups to the server (pg_dump) and has no key file of its own to escrow, but issues
        # missions' policies and codes as any HQ does (its escrow key is on the import
        # workstation; elsewhere the actions say so).
        self.backups: BackupsBox | None = None
        self.escrow: EscrowBox | None = None
        if is_admin and not self.on_server:
            self.backups = BackupsBox(window)
        if is_admin or workspace.actor.role == Role.HQ_ADMIN:
            self.escrow = EscrowBox(workspace, self.store)
        self._lay_out()
        window.bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()

    def _build_interface(self, window: MainWindow, sets_policies: bool) -> None:
        """The language (a personal choice) and the mission's idle lock and retention period
        (policies only an administrator sets)."""
        workspace = window.workspace
        self.interface = QGroupBox()
        self.language = LanguageCombo(window.bridge)
        self.language.currentIndexChanged.connect(
            lambda _i: ui_settings.store_language(self.language.currentData())
        )
        self.idle_minutes = _policy_spin(
            domain_settings.MIN_IDLE_MINUTES,
            domain_settings.MAX_IDLE_MINUTES,
            domain_settings.idle_lock_minutes(workspace),
            sets_policies,
        )
        self.idle_writes = SettledSetting(
            self.idle_minutes,
            lambda minutes: domain_settings.set_idle_lock_minutes(workspace, minutes),
            lambda minutes: window.idle_lock.set_timeout_ms(minutes * 60_000),
        )
        self.retention_years = _policy_spin(
            retention.MIN_YEARS,
            retention.MAX_YEARS,
            retention.retention_years(workspace),
            sets_policies,
        )
        self.retention_writes = SettledSetting(
            self.retention_years,
            lambda years: retention.set_retention_years(workspace, years),
        )
        self.reply_wait = _policy_spin(
            domain_settings.MIN_REPLY_WAIT_DAYS,
            domain_settings.MAX_REPLY_WAIT_DAYS,
            domain_settings.reply_wait_days(workspace),
            sets_policies,
        )
        self.reply_wait_writes = SettledSetting(
            self.reply_wait, lambda days: domain_settings.set_reply_wait_days(workspace, days)
        )
        self.interface_form = QFormLayout(self.interface)
        self.interface_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        self.interface_form.addRow("", self.language)
        self.interface_form.addRow("", self.idle_minutes)
        self.interface_form.addRow("", self.retention_years)
        self.interface_form.addRow("", self.reply_wait)

    def _build_security(self, window: MainWindow, is_admin: bool) -> None:
        """The keyring's state and the password, keyring, recovery-key and audit buttons."""
        self.security = QGroupBox()
        self.keyring_state = word_wrapped(QLabel())
        self.forget_button = QPushButton()
        self.forget_button.setEnabled(False)  # until the keyring is found
        if self.on_server:
            self.forget_button.hide()
        # Finding the system keyring loads its plugins and, on Linux, asks D-Bus for the
        # Secret Service: 100-150 ms here, seconds when the service hangs. Off the GUI thread.
        self.keyring_available: bool | None = None
        self.keyring_task: BackgroundTask[bool] | None = None
        if not self.on_server:
            task: BackgroundTask[bool] = BackgroundTask(self, lambda _ctx: self.store.is_system)
            task.success(self._keyring_found).failure(lambda _exc: self._keyring_found(False))
            self.keyring_task = task.run_in_background()
        self.forget_button.clicked.connect(self.forget_this_computer)
        self.password_button = push_button(self.change_own_password)
        self.recovery_button = push_button(self.rotate_recovery_key)
        if not is_admin or self.on_server:
            self.recovery_button.hide()
        self.recovery_dialog: RecoveryKeyDialog | None = None
        # A recovery or escrow slot an older version made: its signing key is not on record.
        self.slots_note = word_wrapped(plain_label())
        self.slots_note.setStyleSheet(outcome_style(False))
        self.slots_note.hide()
        self.shows_slots_note = is_admin and not self.on_server
        self.audit_button = push_button(self.show_audit_log)
        if window.workspace.actor.role not in AUDIT_READERS:
            self.audit_button.hide()
        buttons = widget_row(
            self.password_button,
            self.forget_button,
            self.recovery_button,
            self.audit_button,
            STRETCH,
        )
        security_layout = QVBoxLayout(self.security)
        security_layout.addWidget(self.keyring_state)
        security_layout.addWidget(self.slots_note)
        security_layout.addLayout(buttons)

    def _build_users(self, window: MainWindow) -> None:
        """The users panel, for those who manage users; an empty, hidden box for the rest."""
        self.users_box = QGroupBox()
        self.users: UsersPanel | None = None
        if window.workspace.actor.role in USER_MANAGERS:
            self.users = UsersPanel(window.workspace, window.bridge, self.store)
            self.users.recovery_key_replacement_asked.connect(self.rotate_recovery_key)
            QVBoxLayout(self.users_box).addWidget(self.users)
        else:
            self.users_box.hide()

    def _lay_out(self) -> None:
        """The boxes one under another under the heading, scrolled as one page."""
        boxes = [box for box in (self.backups, self.escrow) if box is not None]
        content = QWidget()
        layout = QVBoxLayout(content)
        layout.setContentsMargins(24, 20, 24, 20)
        self.heading = QLabel()
        heading(self.heading)
        layout.addWidget(self.heading)
        for box in (self.interface, self.contacts, self.security, *boxes, self.users_box):
            layout.addWidget(box)
        layout.addStretch(1)
        self.setWidget(content)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)

    def retranslate_ui(self) -> None:
        self.heading.setText(_("Settings"))
        self.interface.setTitle(_("Interface"))
        set_label(self.interface_form, self.language, _("&Interface language:"))
        set_label(self.interface_form, self.idle_minutes, _("&Lock after idle:"))
        self.idle_minutes.setSuffix(" " + _("min"))
        set_label(self.interface_form, self.retention_years, _("Anon&ymise closed cases after:"))
        self.retention_years.setSuffix(" " + _("years"))
        self.retention_years.setToolTip(
            _(
                "Personal data of a case closed longer ago than this is anonymised; the "
                "figures for statistics stay."
            )
        )
        set_label(self.interface_form, self.reply_wait, _("Ma&x. wait for a letter's reply:"))
        self.reply_wait.setSuffix(" " + _("days"))
        self.reply_wait.setToolTip(
            _(
                "A letter to an employer or an authority with no reply recorded after this "
                "many days is listed on the Start page and marked in the letters register."
            )
        )
        self.security.setTitle(_("Security"))
        if self.on_server:
            self.keyring_state.setText(
                _(
                    "This headquarters' data is on a database server: you sign in with your own "
                    "server account every time, the server backs it up (pg_dump and "
                    "point-in-time recovery), and an HQ administrator resets a forgotten "
                    "password. There is no recovery key."
                )
            )
        elif self.keyring_available is None:
            self.keyring_state.setText(_("Looking for this computer's keyring…"))
        else:
            self.keyring_state.setText(
                _(
                    "The system keyring is available: you may choose “Unlock on this computer” "
                    "when you sign in."
                )
                if self.keyring_available
                else self.store.unavailable_message()
            )
        self.refresh_slots_note()
        self.forget_button.setText(_("&Forget this computer"))
        self.password_button.setText(_("Change &my password…"))
        self.audit_button.setText(_("Audit lo&g…"))
        self.audit_button.setToolTip(_("Who did what and when; whether the log is intact"))
        self.users_box.setTitle(
            _("Users of this headquarters")
            if self.window_.workspace.mission.is_hq
            else _("Users of this mission")
        )
        self.contacts.retranslate_ui()
        for box in (self.backups, self.escrow):
            if box is not None:
                box.retranslate_ui()

    def confirm_close(self) -> bool:
        """A policy value still settling, and a write under way, end before the window
        closes (and the workspace with it)."""
        for writes in (self.idle_writes, self.retention_writes):
            writes.finish()
        for task in (
            self.contacts.writes.task,
            getattr(self.users, "task", None),
            self.task,
            self.keyring_task,
            getattr(self.backups, "task", None),
            getattr(self.escrow, "task", None),
        ):
            if task is not None:
                task.wait_finished()
        return True

    def show_audit_log(self) -> QDialog:
        from ui.settings.audit_log import open_audit_log  # loads when first used

        return open_audit_log(self.window_.workspace, self)

    def rotate_recovery_key(self) -> None:
        if not RecoveryService(self.window_.workspace).has_recovery_key():
            confirm(
                self,
                _("Make a recovery key"),
                _(
                    "Make a recovery key? The mission has none now. The database gets a new "
                    "key, and the recovery key is shown once, to be printed for the safe."
                ),
                self._rotate,
                _("Make"),
            )
            return
        confirm(
            self,
            _("Replace the recovery key"),
            _(
                "Make a new recovery key? The database gets a new key and the old recovery "
                "key, and its printed sheet, will open nothing."
            ),
            self._rotate,
            _("Replace"),
        )

    def _rotate(self) -> None:
        workspace, store = self.window_.workspace, self.store
        self.task = (
            BackgroundTask(self, lambda _ctx: RecoveryService(workspace, store).rotate())
            .with_progress(_("Replacing the recovery key: the database gets a new key…"))
            .success(self._rotated)
            .run_in_background()
        )

    def refresh_slots_note(self) -> None:
        """The note on a recovery or escrow slot whose signing key is not on record (read
        again after the recovery key is replaced, and when the page is shown)."""
        if not self.shows_slots_note:
            return
        service = RecoveryService(self.window_.workspace)
        has_key = service.has_recovery_key()
        # A rotation killed after its re-key leaves none: the button says what it will do.
        if has_key:
            self.recovery_button.setText(_("&Replace the recovery key…"))
            self.recovery_button.setToolTip(
                _("A new recovery key for the mission's safe; the old one then opens nothing.")
            )
        else:
            self.recovery_button.setText(_("&Make a recovery key…"))
            self.recovery_button.setToolTip(_("A recovery key for the mission's safe."))
        notes = [service.missing_recovery_key_note(), service.unsigned_slots_note()]
        note = " ".join(n for n in notes if n)
        self.slots_note.setText(note)
        self.slots_note.setVisible(bool(note))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh_slots_note()  # escrow applied meanwhile makes its slot again

    def _rotated(self, recovery_key: object) -> None:
        self.refresh_slots_note()
        workspace = self.window_.workspace
        dialog = RecoveryKeyDialog(
            self, str(recovery_key), lambda lang: sheet_facts(workspace, lang)
        )
        self.recovery_dialog = dialog
        dialog.open()

    @property
    def loading(self) -> bool:
        """Still looking for the keyring (what a screenshot or test waits for)."""
        return self.keyring_task is not None and self.keyring_available is None

    def _keyring_found(self, available: bool) -> None:
        self.keyring_available = available
        self.forget_button.setEnabled(available)
        self.retranslate_ui()

    def forget_this_computer(self) -> None:
        workspace, store = self.window_.workspace, self.store
        task: BackgroundTask[None] = BackgroundTask(
            self, lambda _ctx: forget_unlock(workspace, store)
        )
        task.while_busy(self.forget_button)
        self.task = task.success(
            lambda _none: self.window_.statusBar().showMessage(
                _("This computer no longer unlocks Qorgau without a password."), 5000
            )
        ).run_in_background()

    def change_own_password(self) -> None:
        service = UserService(self.window_.workspace, self.store)
        username = self.window_.workspace.actor.username
        dialog = PasswordDialog(self, _("Change my password"))

        def _change() -> None:
            password = dialog.password.text()
            task: BackgroundTask[object] = BackgroundTask(
                self, lambda _ctx: service.change_password(username, password)
            )
            self.task = task.success(
                lambda _r: self.window_.statusBar().showMessage(
                    _("Your password has been changed."), 5000
                )
            ).run_in_background()

        dialog.accepted.connect(_change)
        self.dialog = dialog
        dialog.open()
