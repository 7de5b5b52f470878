"""Settings → Escrow at headquarters (the administrator; not at an HQ on a database server).

At a mission: whether the database key is in escrow for HQ (an ``@escrow`` key slot), and
"Apply HQ's escrow policy…" (the signed file HQ sent; the service refuses one HQ's trusted key
did not sign, one for another mission, and an older one than applied). At HQ: "Issue the
escrow policy…" for a registered mission, and "Issue a one-time recovery code…" from the key
file of a mission that lost every password. The work runs off the GUI thread
(``app.services.recovery``), as ``qorgau escrow`` does it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.errors import DatabaseError, ValidationError
from app.i18n import _
from app.os_errors import os_error_reason
from app.security.keyring_store import SecretStore
from app.security.private_files import open_private
from app.services.keys import KeyService
from app.services.recovery import RecoveryService, issue_code, read_policy_file, sign_policy
from app.services.workspace import Workspace
from ui.recovery import fixed_pitch
from ui.tasks import BackgroundTask
from ui.widgets.common import STRETCH, push_button, widget_row, word_wrapped
from ui.widgets.dialogs import ValidatingDialog, inform
from ui.widgets.file_dialogs import in_documents
from ui.widgets.plain import plain_label
from ui.widgets.text_size import KEY_TEXT, sized_text

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox


def _json_filters() -> str:
    return _("Escrow policies (*.json)") + ";;" + _("All files (*)")


def write_policy(
    workspace: Workspace, mission_code: str, escrow: bool, out: Path, store: SecretStore
) -> Path:
    """Sign the policy and write it to ``out`` (never over another file), as the CLI does."""
    if out.exists():
        raise DatabaseError(_("{path} already exists; choose another file name.").format(path=out))
    signed = sign_policy(workspace, mission_code, escrow, store)
    try:
        with open_private(out, exclusive=True) as handle:
            handle.write(signed)
    except OSError as exc:
        raise DatabaseError(
            _("{path} cannot be written: {error}").format(path=out, error=os_error_reason(exc))
        ) from None
    return out


class EscrowBox(QGroupBox):
    def __init__(self, workspace: Workspace, store: SecretStore) -> None:
        super().__init__()
        self.workspace, self.store = workspace, store
        self.at_hq = workspace.mission.is_hq
        self.task: BackgroundTask[Any] | None = None
        self.dialog: QDialog | None = None
        self.done_box: QMessageBox | None = None
        self.state = word_wrapped(QLabel())
        self.apply_button = push_button(self.choose_policy)
        self.policy_button = push_button(self.issue_policy)
        self.code_button = push_button(self.choose_key_file)
        for button in (self.policy_button, self.code_button) if not self.at_hq else ():
            button.hide()
        if self.at_hq:
            self.apply_button.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addLayout(
            widget_row(self.apply_button, self.policy_button, self.code_button, STRETCH)
        )
        self.escrow_on = False if self.at_hq else RecoveryService(workspace).escrow_on()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Escrow at headquarters"))
        if self.at_hq:
            self.state.setText(
                _(
                    "A mission that applies headquarters' escrow policy keeps its database key "
                    "sealed to headquarters' escrow key in its key file. When it has lost every "
                    "password it sends that file here, and a one-time recovery code is read "
                    "from it for its administrator."
                )
            )
        elif self.escrow_on:
            self.state.setText(
                _(
                    "Escrow at headquarters is on: with this installation's key file, "
                    "headquarters can issue a one-time code that opens its data, should every "
                    "password and the recovery key be lost."
                )
            )
        else:
            self.state.setText(
                _(
                    "Escrow at headquarters is off: only the users' passwords and the recovery "
                    "key open this installation's data. Headquarters turns it on with a signed "
                    "policy file."
                )
            )
        self.apply_button.setText(_("&Apply HQ's escrow policy…"))
        self.policy_button.setText(_("Issue the escro&w policy…"))
        self.code_button.setText(_("Issue &a one-time recovery code…"))

    # -- at a mission ------------------------------------------------------------------------

    def choose_policy(self) -> None:
        name, _chosen = QFileDialog.getOpenFileName(
            self, _("Apply HQ's escrow policy"), in_documents(), _json_filters()
        )
        if not name:
            return
        file = Path(name)
        service = RecoveryService(self.workspace, self.store)
        task: BackgroundTask[bool] = BackgroundTask(
            self, lambda _ctx: service.apply_policy(read_policy_file(file))
        )
        # Switching escrow off re-keys the whole database: minutes at a large mission.
        task.with_progress(_("Applying headquarters' escrow policy…")).success(self._applied)
        self.task = task.run_in_background()

    def _applied(self, on: bool) -> None:
        self.escrow_on = on
        self.retranslate_ui()
        self.done_box = inform(
            self,
            _("Escrow at headquarters"),
            _("Escrow at headquarters is on.") if on else _("Escrow at headquarters is off."),
        )

    # -- at HQ -------------------------------------------------------------------------------

    def issue_policy(self) -> None:
        missions = [key.code for key in KeyService(self.workspace).trusted() if not key.is_hq]
        if not missions:
            self.done_box = inform(
                self,
                _("Issue the escrow policy"),
                _(
                    "No mission is registered here yet: a policy is issued for a mission whose "
                    "keys headquarters trusts (Exchange)."
                ),
            )
            return
        dialog = EscrowPolicyDialog(self, missions)
        dialog.accepted.connect(lambda: self._save_policy(dialog.mission(), dialog.escrow()))
        self.dialog = dialog
        dialog.open()

    def _save_policy(self, mission_code: str, escrow: bool) -> None:
        name, _chosen = QFileDialog.getSaveFileName(
            self,
            _("Issue the escrow policy"),
            in_documents(f"escrow-policy-{mission_code}.json"),
            _json_filters(),
            options=QFileDialog.Option.DontConfirmOverwrite,  # refused with its reason instead
        )
        if not name:
            return
        out, workspace, store = Path(name), self.workspace, self.store
        task: BackgroundTask[Path] = BackgroundTask(
            self, lambda _ctx: write_policy(workspace, mission_code, escrow, out, store)
        )
        self.task = task.success(self._policy_written).run_in_background()

    def _policy_written(self, out: Path) -> None:
        self.done_box = inform(
            self,
            _("Issue the escrow policy"),
            _("Escrow policy written to {path}.").format(path=out)
            + "\n\n"
            + _("Send it to the mission's administrator, who applies it in Settings."),
        )

    def choose_key_file(self) -> None:
        name, _chosen = QFileDialog.getOpenFileName(
            self,
            _("Issue a one-time recovery code"),
            in_documents(),
            _("Key files (*.json)") + ";;" + _("All files (*)"),
        )
        if not name:
            return
        key_file, workspace, store = Path(name), self.workspace, self.store
        task: BackgroundTask[tuple[str, str]] = BackgroundTask(
            self, lambda _ctx: issue_code(workspace, key_file, store)
        )
        self.task = task.success(self._code_issued).run_in_background()

    def _code_issued(self, issued: tuple[str, str]) -> None:
        dialog = RecoveryCodeDialog(self, *issued)
        self.dialog = dialog
        dialog.open()


class EscrowPolicyDialog(ValidatingDialog):
    """Which registered mission, and whether its key goes into escrow (on unless unticked)."""

    def __init__(self, parent: QWidget, missions: list[str]) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Issue the escrow policy"))
        self.set_intro(
            _(
                "The policy is signed with headquarters' key; the mission's administrator "
                "applies it. Switched off, the mission's database gets a new key, so what "
                "headquarters could open before opens nothing current."
            )
        )
        self.missions = QComboBox()
        for code in missions:
            self.missions.addItem(code, code)
        self.on = QCheckBox(_("Keep the mission's database key in &escrow at headquarters"))
        self.on.setChecked(True)
        self.form.addRow(_("&Mission:"), self.missions)
        self.form.addRow("", self.on)

    def mission(self) -> str:
        return str(self.missions.currentData())

    def escrow(self) -> bool:
        return self.on.isChecked()

    def validate(self) -> None:
        if not self.missions.currentData():
            raise ValidationError(_("Choose a mission."))


class RecoveryCodeDialog(QDialog):
    """The one-time code HQ read from a mission's key file, to read out to its administrator."""

    def __init__(self, parent: QWidget, mission_code: str, code: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Issue a one-time recovery code"))
        intro = word_wrapped(plain_label())
        intro.setText(
            _("One-time recovery code for {code} (read it to the mission's administrator):").format(
                code=mission_code
            )
            + "\n"
            + _(
                "The mission types it under “Forgot all passwords?”; once used it opens "
                "nothing more."
            )
        )
        self.code = plain_label(code)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setFont(fixed_pitch())
        sized_text(self.code, KEY_TEXT, QFont.Weight.Bold)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.code)
        layout.addWidget(buttons)
