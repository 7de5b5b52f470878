"""User management for the mission administrator: list, add, reset a password, change a
role, revoke."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import Role, label
from app.domain.translit import latin_name
from app.errors import ValidationError
from app.i18n import _, format_datetime
from app.security.keyring_store import SecretStore
from app.security.rekey import Rekeyed
from app.services.installation import check_username
from app.services.keys import new_key_advice, rotated_message, rotation_failed_message
from app.services.server_hq import sessions_ended_message
from app.services.users import (
    Revocation,
    SignatureDetails,
    UserInfo,
    UserService,
    hq_keys_advice,
    recovery_key_advice,
    rekey_waiting_message,
    released_message,
    reset_rekey_waiting_message,
    role_changed_message,
    shared_os_account_message,
    unapproved_message,
)
from app.services.workspace import Workspace
from ui.changes import refresh_when_shown
from ui.i18n_bridge import LanguageBridge
from ui.palette import outcome_style
from ui.tasks import BackgroundTask, show_error
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import STRETCH, delete_presses, push_button, widget_row, word_wrapped
from ui.widgets.dialogs import (
    PasswordDialog,
    ValidatingDialog,
    check_passwords,
    confirm,
    inform,
    password_field,
)
from ui.widgets.plain import plain_label, plain_tooltip
from ui.widgets.row_menu import row_menu

USERNAME, FULL_NAME, ROLE, STATE, LAST_LOGIN = range(5)


class AddUserDialog(ValidatingDialog):
    def __init__(self, parent: QWidget | None, existing: set[str], roles: tuple[Role, ...]) -> None:
        super().__init__(parent)
        self.existing = existing
        self.setWindowTitle(_("Add a user"))
        self.username = QLineEdit()
        self.full_name = QLineEdit()
        self.role = QComboBox()
        for role in roles:  # only the roles that fit this installation
            self.role.addItem(label(role), role.value)
        self.password, self.repeat = password_field(), password_field()
        self.form.addRow(_("&User name:"), self.username)
        self.form.addRow(_("&Full name:"), self.full_name)
        self.form.addRow(_("R&ole:"), self.role)
        self.form.addRow(_("&Password:"), self.password)
        self.form.addRow(_("&Repeat the password:"), self.repeat)

    def validate(self) -> None:
        name = self.username.text().strip()
        check_username(name)
        if name in self.existing:
            raise ValidationError(
                _("A user named {name} already exists.").format(name=name), "username"
            )
        check_passwords(self.password.text(), self.repeat.text())


class SignatureDialog(ValidatingDialog):
    """The name and positions a user's letters print (the Latin name suggested, editable)."""

    def __init__(self, parent: QWidget | None, user: UserInfo) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Signature in letters"))
        self.full_name = QLineEdit(user.full_name)
        self.full_name_latin = QLineEdit(user.full_name_latin or latin_name(user.full_name))
        self.positions = [QLineEdit(text) for text in user.positions]
        self.form.addRow(_("&Full name:"), self.full_name)
        self.form.addRow(_("Name in &Latin letters:"), self.full_name_latin)
        for edit, text in zip(
            self.positions,
            (_("Position in &Kazakh:"), _("Position in &Russian:"), _("Position in &English:")),
            strict=True,
        ):
            self.form.addRow(text, edit)

    def details(self) -> SignatureDetails:
        kk, ru, en = (edit.text() for edit in self.positions)
        return SignatureDetails(self.full_name.text(), self.full_name_latin.text(), kk, ru, en)

    def validate(self) -> None:
        if not self.full_name.text().strip():
            raise ValidationError(_("Give the user's full name."), "full_name")


class RoleDialog(ValidatingDialog):
    """Another role for a user, chosen from those that fit the installation."""

    def __init__(self, parent: QWidget | None, user: UserInfo, roles: tuple[Role, ...]) -> None:
        super().__init__(parent)
        self.user = user
        self.setWindowTitle(_("Change the role"))
        self.role = QComboBox()
        for role in roles:
            self.role.addItem(label(role), role.value)
        self.role.setCurrentIndex(max(self.role.findData(user.role), 0))
        self.set_intro(
            _(
                "The new role holds at once: a window {name} has open refuses its next action "
                "and asks them to sign in again. A consul who no longer approves letters "
                "leaves none approved: those not issued yet become drafts."
            ).format(name=user.full_name or user.username)
        )
        self.form.addRow(_("R&ole:"), self.role)

    def validate(self) -> None:
        if self.role.currentData() == self.user.role:
            raise ValidationError(_("Choose another role than the user has."), "role")


class UsersPanel(QWidget):
    # A revoked user may have seen the recovery sheet and the administrator chose to replace
    # the key (the settings page runs the rotation, as its own button does).
    recovery_key_replacement_asked = Signal()

    def __init__(
        self, workspace: Workspace, bridge: LanguageBridge, store: SecretStore | None = None
    ) -> None:
        super().__init__()
        # The store lets a revocation refresh this computer's "unlock" key after the re-key.
        self.service = UserService(workspace, store)
        self.me = workspace.actor.username
        self.on_server = workspace.on_server
        self.users: list[UserInfo] = []
        self.dialog: ValidatingDialog | None = None
        self.notice: QMessageBox | None = None  # what the last revocation did
        self.task: BackgroundTask[object] | None = None

        # Accounts written into the database outside Qorgau (app.security.user_ledger).
        self.findings = word_wrapped(plain_label())
        self.findings.setStyleSheet(outcome_style(False))
        self.findings.hide()
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnCount(5)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(self._update_buttons)
        self.add_button = push_button(self.add_user)
        self.reset_button = push_button(self.reset_password)
        self.revoke_button = push_button(self.revoke_user)
        self.signature_button = push_button(self.edit_signature)
        delete_presses(self.tree, self.revoke_button)  # confirmed first, as by the button
        self.role_button = push_button(self.change_role)
        if self.on_server:  # a role there is the user's server group: revoked, added again
            self.role_button.hide()  # (never show(): a widget without a parent is a window)
        row_menu(
            self.tree,
            self.reset_button,
            self.role_button,
            self.revoke_button,
            self.signature_button,
        )
        # Under the buttons, not beside them: a revocation's sentence is long in Kazakh.
        self.busy = BusyIndicator()
        buttons = widget_row(
            self.add_button,
            self.reset_button,
            self.role_button,
            self.revoke_button,
            self.signature_button,
            STRETCH,
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.findings)
        layout.addWidget(self.tree)
        layout.addLayout(buttons)
        layout.addWidget(self.busy)
        bridge.language_changed.connect(self.retranslate_ui)
        self.retranslate_ui()
        # Users another administrator added, revoked or changed (HQ on a server); ``reload``
        # keeps the chosen user.
        refresh_when_shown(self, workspace, ("user",), self._changed, self.tree)

    def retranslate_ui(self) -> None:
        self.tree.setHeaderLabels(
            [_("User name"), _("Full name"), _("Role"), _("State"), _("Last sign-in")]
        )
        self.add_button.setText(_("A&dd a user…"))
        self.reset_button.setText(_("Reset the &password…"))
        self.revoke_button.setText(_("Re&voke…"))
        self.role_button.setText(_("Change the r&ole…"))
        self.signature_button.setText(_("&Signature in letters…"))
        self.reload()

    def _changed(self, _change: object) -> None:
        if self.task is None or not self.task.running:  # this panel's own act reloads at its end
            self.reload()

    def reload(self) -> None:
        self.users = self.service.list()
        current = self.selected_username()
        self.tree.clear()
        for user in self.users:
            item = QTreeWidgetItem(
                [
                    user.username,
                    user.full_name,
                    label(Role(user.role)),
                    _state(user),
                    format_datetime(user.last_login_at.astimezone()) if user.last_login_at else "",
                ]
            )
            item.setData(USERNAME, Qt.ItemDataRole.UserRole, user.username)
            if not user.active:
                item.setDisabled(True)
            if user.finding:
                for column in range(self.tree.columnCount()):
                    item.setToolTip(column, plain_tooltip(user.finding))
            self.tree.addTopLevelItem(item)
            if user.username == current:
                self.tree.setCurrentItem(item)
        found = [user.finding for user in self.users if user.finding]
        self.findings.setText("\n\n".join(found))
        self.findings.setVisible(bool(found))
        self._update_buttons()

    def selected_username(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(USERNAME, Qt.ItemDataRole.UserRole) if item is not None else None

    def select(self, username: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(USERNAME, Qt.ItemDataRole.UserRole) == username:
                self.tree.setCurrentItem(item)

    def _selected_info(self) -> UserInfo | None:
        name = self.selected_username()
        return next((u for u in self.users if u.username == name), None)

    def _update_buttons(self) -> None:
        info = self._selected_info()
        usable = info is not None and info.active
        self.reset_button.setEnabled(usable)
        self.revoke_button.setEnabled(usable and info is not None and info.username != self.me)
        self.signature_button.setEnabled(usable)
        self.role_button.setEnabled(usable)

    def _run(
        self,
        work: Callable[[], object],
        done: Callable[[object], None] | None = None,
        busy: str = "",
        rekeys: bool = False,
    ) -> None:
        task: BackgroundTask[object] = BackgroundTask(self, lambda _ctx: work())
        if rekeys:
            # The whole file is re-encrypted (14 s at 100k cases, after a backup being
            # written): the window waits under a dialog saying so, as every read asked for
            # meanwhile would wait for the new key anyway.
            task.with_progress(busy)
        task.while_busy(
            self.tree,
            self.add_button,
            self.reset_button,
            self.revoke_button,
            self.signature_button,
            self.role_button,
            indicator=self.busy,
            text=busy or _("Saving…"),
        )
        task.success(done or (lambda _result: self.reload())).failure(self._failed)
        self.task = task.run_in_background()

    def _failed(self, exc: BaseException) -> None:
        """Said, with the list read again: work stopped half-way may have changed some of
        it (a revocation a full disk cut short has deactivated the account all the same)."""
        self.reload()
        show_error(self, exc)

    def _open(self, dialog: ValidatingDialog, on_accepted: Callable[[], None]) -> None:
        """Show ``dialog`` (kept while it is open); ``on_accepted`` runs once it is accepted."""
        dialog.accepted.connect(on_accepted)
        self.dialog = dialog
        dialog.open()

    def add_user(self) -> None:
        dialog = AddUserDialog(self, {u.username for u in self.users}, self.service.roles_to_give())

        def _add() -> None:
            name = dialog.username.text().strip()
            role = dialog.role.currentData()
            password = dialog.password.text()
            full_name = dialog.full_name.text().strip()
            self._run(lambda: self.service.add(name, role, password, full_name))

        self._open(dialog, _add)

    def edit_signature(self) -> None:
        info = self._selected_info()
        if info is None:
            return
        dialog = SignatureDialog(self, info)
        self._open(
            dialog,
            lambda: self._run(lambda: self.service.set_signature(info.username, dialog.details())),
        )

    def change_role(self) -> None:
        info = self._selected_info()
        if info is None or not info.active:
            return
        dialog = RoleDialog(self, info, self.service.roles_to_give())

        def _change() -> None:
            role = dialog.role.currentData()
            self._run(
                lambda: self.service.set_role(info.username, role),
                lambda unapproved: self._role_changed(info.username, role, unapproved),
            )

        self._open(dialog, _change)

    def _role_changed(self, username: str, role: str, unapproved: object) -> None:
        self.reload()
        said = [role_changed_message(username, role)]
        if isinstance(unapproved, tuple) and unapproved:
            said.append(unapproved_message(list(unapproved)))
        self.notice = inform(self, _("Change the role"), "\n\n".join(said))

    def reset_password(self) -> None:
        name = self.selected_username()
        if name is None:
            return
        dialog = PasswordDialog(
            self,
            _("Reset the password"),
            _("A new password for {name}. Tell it to them in person.").format(name=name),
        )
        self._open(
            dialog,
            lambda: self._run(
                lambda: self.service.change_password(name, dialog.password.text()),
                lambda result: self._password_reset(name, cast("Rekeyed | None", result)),
                _("Resetting the password of {name}: the database gets a new key…").format(
                    name=name
                ),
                rekeys=True,
            ),
        )

    def _password_reset(self, username: str, rekeyed: Rekeyed | None) -> None:
        """Said: the list looks the same after a reset, and the administrator was left to
        guess whether it was done."""
        self.reload()
        said = [
            _("The password of {name} was reset. Tell them the new one in person.").format(
                name=username
            )
        ]
        if rekeyed is not None and rekeyed.waiting is not None:
            said.append(reset_rekey_waiting_message(username))
        if rekeyed is not None and rekeyed.without_keys:
            said.append(
                _("Reset the passwords of: {users} (their key slots predate the new key).").format(
                    users=", ".join(rekeyed.without_keys)
                )
            )
        self.notice = inform(self, _("Reset the password"), "\n\n".join(said))

    def revoke_user(self) -> None:
        name = self.selected_username()
        if name is None or name == self.me:
            return
        confirm(
            self,
            _("Revoke a user"),
            _(
                "Revoke {name}? They will no longer be able to sign in; "
                "their work stays in the records."
            ).format(name=name),
            lambda: self._run(
                lambda: self.service.revoke(name),
                self._revoked,
                _("Revoking {name}: the database gets a new key…").format(name=name),
                rekeys=True,
            ),
            _("Revoke"),
        )

    def _revoked(self, result: object) -> None:
        """The database has a new key; slots that could not receive it need a reset. At an HQ
        on a server: what became of the user's open sessions."""
        self.reload()
        if not isinstance(result, Revocation):
            return
        said = []
        if result.rekey_waiting:
            said.append(rekey_waiting_message(result.username))
        if self.on_server:
            said.append(sessions_ended_message(result.sessions_ended))
        elif result.need_password_reset:
            said.append(
                _(
                    "The database now has a new key. These users had not signed in since the "
                    "last update and must have their passwords reset: {names}."
                ).format(names=", ".join(result.need_password_reset))
            )
        if result.shared_os_account:
            said.append(shared_os_account_message(result.username))
        if result.released:
            said.append(released_message(result.username, result.released))
        if result.unapproved:
            said.append(unapproved_message(result.unapproved))
        if result.saw_recovery_key:
            said.append(recovery_key_advice(result.username))
        if result.key_rotation is not None:
            rotation = result.key_rotation
            said.append(rotated_message(rotation))
            said.append(
                new_key_advice(rotation.mission_code, rotation.new_key, rotation.new_recipient)
            )
        elif result.rotation_error:
            said.append(rotation_failed_message(result.rotation_error))
        if result.used_hq_keys:
            said.append(hq_keys_advice(result.username))
        if not said:
            return
        self.notice = inform(self, _("Revoke a user"), "\n\n".join(said))
        if result.saw_recovery_key:
            replace = self.notice.addButton(
                _("&Replace the recovery key…"), QMessageBox.ButtonRole.ActionRole
            )
            replace.clicked.connect(self.recovery_key_replacement_asked)


def _state(user: UserInfo) -> str:
    if not user.active:
        return _("revoked")
    return _("written outside Qorgau") if user.finding else _("active")
