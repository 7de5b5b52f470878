"""This installation's public keys (to send to HQ) and the other installations it trusts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import _, format_datetime
from app.security.keyring_store import SecretStore
from app.services.key_review import key_review_message
from app.services.keys import (
    IdentityPlace,
    KeyService,
    TrustedKey,
    check_signing_key,
    fingerprint,
    hq_new_key_advice,
    new_key_advice,
    replaced_key_message,
)
from ui.widgets.common import (
    STRETCH,
    chars_wide,
    fit_to_contents,
    push_button,
    set_label,
    widget_row,
    word_wrapped,
)
from ui.widgets.dialogs import ShortScreenScroll, ValidatingDialog
from ui.widgets.plain import plain_label, plain_tooltip

CODE, SIGNING_KEY, AGE_RECIPIENT, SINCE = range(4)


def shorten(key: str, head: int = 12, tail: int = 6) -> str:
    """Enough of a key to tell it apart at a glance; the whole key is in the tooltip."""
    return key if len(key) <= head + tail + 1 else f"{key[:head]}…{key[-tail:]}"


def _key_field() -> QLineEdit:
    field = QLineEdit()
    field.setReadOnly(True)
    field.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    return field


class OwnKeysBox(QGroupBox):
    """Read-only keys with a Copy button each, for the administrator to send to HQ."""

    def __init__(self, service: KeyService, store: SecretStore | None = None) -> None:
        super().__init__()
        self.service = service
        self.store = store or SecretStore()
        # HQ only: where its decryption key is kept, said once, here where keys are shown.
        self.identity_note = word_wrapped(QLabel())
        self.identity_note.setTextFormat(Qt.TextFormat.PlainText)
        self.identity_place: IdentityPlace | None = None
        self.mission_code = _key_field()
        self.signing_key = _key_field()
        self.fingerprint = _key_field()
        self.age_recipient = _key_field()
        self.intro = word_wrapped(QLabel())
        # How replaced keys reach the other side: a mission's, at every revocation, go to HQ;
        # HQ's, after 'qorgau keys rotate', to every mission, with the command it runs.
        self.new_key_note = word_wrapped(QLabel())
        self.new_key_note.setTextFormat(Qt.TextFormat.PlainText)
        # The fingerprints are read out and HQ's command copied from here.
        self.new_key_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QFormLayout()
        self.labels: list[QLabel] = []
        self.copy_buttons: list[QPushButton] = []
        for field in (self.mission_code, self.signing_key, self.fingerprint, self.age_recipient):
            label = QLabel()
            label.setBuddy(field)
            button = QPushButton()
            button.clicked.connect(lambda _checked=False, f=field: self.copy(f))
            self.labels.append(label)
            self.copy_buttons.append(button)
            row = QHBoxLayout()
            row.addWidget(field, 1)
            row.addWidget(button)
            self.form.addRow(label, row)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.new_key_note)
        layout.addWidget(self.identity_note)
        self.reload()

    def reload(self) -> None:
        keys = self.service.own_keys()
        self.mission_code.setText(keys.mission_code)
        self.signing_key.setText(keys.signing_key)
        self.fingerprint.setText(keys.signing_key_fingerprint)
        self.age_recipient.setText(keys.age_recipient)
        is_hq = self.service.ws.mission.is_hq
        self._show_new_key_note()
        self.identity_place = self.service.identity_place(self.store) if is_hq else None
        self.identity_note.setVisible(self.identity_place is not None)
        self._show_identity_place()

    def _show_new_key_note(self) -> None:
        code, key, recipient = (
            self.mission_code.text(),
            self.signing_key.text(),
            self.age_recipient.text(),
        )
        if self.service.ws.mission.is_hq:
            self.new_key_note.setText(
                _(
                    "When these keys may have been copied (an operator who held them left, "
                    "this computer was lost), an administrator replaces them with 'qorgau "
                    "keys rotate' and the missions are told the new ones."
                )
                + " "
                + hq_new_key_advice(code, key, recipient)
            )
            return
        self.new_key_note.setText(
            _(
                "Each time a user is revoked, this mission's signing key and age recipient "
                "are replaced."
            )
            + " "
            + new_key_advice(code, key, recipient)
        )

    def _show_identity_place(self) -> None:
        if self.identity_place is IdentityPlace.KEYRING:
            text = _("Headquarters' decryption key is kept in this computer's system keyring.")
        elif self.identity_place is IdentityPlace.DATABASE and not self.store.is_system:
            text = _(
                "This computer has no system keyring, so headquarters' decryption key is "
                "kept inside the encrypted database. Imports work as usual; anyone who can "
                "open the database can also read the key."
            )
        elif self.identity_place is IdentityPlace.DATABASE:
            text = _(
                "Headquarters' decryption key is kept inside the encrypted database; "
                "'qorgau bundle keyring-identity' moves it into the system keyring."
            )
        elif self.identity_place is IdentityPlace.MISSING:
            text = _(
                "Headquarters' decryption key is not on this computer: bundles can only "
                "be imported with an identity file."
            )
        else:
            text = ""
        self.identity_note.setText(text)

    def copy(self, field: QLineEdit) -> None:
        QGuiApplication.clipboard().setText(field.text())

    def retranslate_ui(self) -> None:
        self.setTitle(_("This installation's keys"))
        # HQ's keys go the other way: at HQ the mission's sentence told it to send them to itself.
        self.intro.setText(
            _(
                "Send these public keys to every mission, to be trusted there as "
                "headquarters' keys: the missions encrypt their bundles to them and check "
                "headquarters' bundles by them. They are not secret."
            )
            if self.service.ws.mission.is_hq
            else _(
                "Send these public keys to headquarters so that it can check and read this "
                "installation's bundles. They are not secret."
            )
        )
        texts = (_("Mission code:"), _("Signing key:"), _("Fingerprint:"), _("Age recipient:"))
        for label, text in zip(self.labels, texts, strict=True):
            label.setText(text)
        for button in self.copy_buttons:
            button.setText(_("Copy"))
        self._show_identity_place()
        self._show_new_key_note()


class TrustKeyDialog(ValidatingDialog):
    """Register another installation's keys; the service checks them, errors stay here."""

    def __init__(self, parent: QWidget | None, service: KeyService) -> None:
        super().__init__(parent)
        self.service = service
        self.setWindowTitle(_("Trust a key"))
        self.set_intro(
            _(
                "Only enter keys received from a trusted person through a channel you "
                "trust: bundles signed with this key will be accepted."
            )
        )
        self.code = QLineEdit()
        self.code.setMaxLength(8)
        self.code.setPlaceholderText(_("for example, AST"))
        self.signing_key = QLineEdit()
        self.age_recipient = QLineEdit()
        self.age_recipient.setPlaceholderText("age1…")
        self.form.addRow("", self.code)
        self.form.addRow("", self.signing_key)
        self.form.addRow("", self.age_recipient)
        self.is_hq = QCheckBox(_("These are &headquarters' keys"))
        self.form.addRow("", self.is_hq)
        set_label(self.form, self.code, _("Mission &code:"))
        set_label(self.form, self.signing_key, _("&Signing key:"))
        set_label(self.form, self.age_recipient, _("&Age recipient (optional):"))
        # The fingerprint as the key is typed: the operator compares it with the one the
        # mission read out, and sees at once when a trusted key would be replaced.
        self.known = {key.code: key.signing_key for key in service.trusted()}
        self.key_check = word_wrapped(plain_label())
        self.form.insertRow(2, "", self.key_check)
        self.code.textChanged.connect(self._show_key_check)
        self.signing_key.textChanged.connect(self._show_key_check)
        self.age_recipient.textChanged.connect(self._show_key_check)
        self.setMinimumWidth(chars_wide(self, 93))  # 560 pixels at 9 pt
        self._show_key_check()

    def _show_key_check(self) -> None:
        key, code = self.signing_key.text().strip(), self.code.text().strip().upper()
        try:
            check_signing_key(key)
        except ValidationError:
            self.key_check.clear()
            self.key_check.hide()
            return
        lines = [_("Fingerprint: {fingerprint}").format(fingerprint=fingerprint(key))]
        recipient = self.age_recipient.text().strip()
        if recipient:
            # Compared too: bundles to the mission are encrypted to this recipient.
            lines.append(
                _("Age recipient's fingerprint: {fingerprint}").format(
                    fingerprint=fingerprint(recipient)
                )
            )
        previous = self.known.get(code)
        if previous and previous != key:
            lines.append(replaced_key_message(code, previous))
            # What came signed with the key replaced, for HQ to review with the mission.
            review = self.service.review_of_current_key(code)
            if review is not None:
                lines.append(key_review_message(review))
        self.key_check.setText("\n".join(lines))
        self.key_check.show()
        fit_to_contents(self)  # a warning of four lines must not run over the next field
        # The form scrolls on a short screen, so its minimum does not grow with these lines:
        # grow to what it asks for where the screen has the room (the fields stay in view).
        scroll = self.findChild(ShortScreenScroll)
        if scroll is not None:
            scroll.updateGeometry()  # a scroll area does not follow its form's hint itself
        screen = self.screen()
        room = screen.availableGeometry().height() if screen is not None else self.height()
        wanted = min(self.sizeHint().height(), room)
        if wanted > self.height():
            self.resize(self.width(), wanted)

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "code": self.code,
            "signing_key": self.signing_key,
            "age_recipient": self.age_recipient,
        }

    def writer(self) -> Callable[[], object]:
        """A refusal (a bad key, a role that may not trust) is shown in the dialog."""
        service, code = self.service, self.code.text().strip().upper()
        signing_key, recipient = self.signing_key.text().strip(), self.age_recipient.text().strip()
        is_hq = self.is_hq.isChecked()
        return lambda: service.trust(code, signing_key, recipient or None, is_hq=is_hq)


class TrustedKeysBox(QGroupBox):
    """The installations whose bundles are accepted here, and a way to add one."""

    changed = Signal()

    def __init__(self, service: KeyService) -> None:
        super().__init__()
        self.service = service
        self.keys: list[TrustedKey] = []
        self.dialog: TrustKeyDialog | None = None
        self.table = QTableWidget(0, 4)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.trust_button = push_button(self.trust_key)
        # Offered to an import operator, it opened a dialog whose OK said "your role does not
        # allow this action"; greyed, its tooltip says who may.
        self.trust_button.setEnabled(service.may_trust())
        buttons = widget_row(STRETCH, self.trust_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    def reload(self) -> None:
        self.keys = self.service.trusted()
        self.table.setRowCount(len(self.keys))
        for row, key in enumerate(self.keys):
            code = f"{key.code} ({_('headquarters')})" if key.is_hq else key.code
            since = format_datetime(key.trusted_at.astimezone()) if key.trusted_at else ""
            values = (code, shorten(key.signing_key), shorten(key.age_recipient), since)
            full = (key.code, key.signing_key, key.age_recipient, since)
            for column, (value, tip) in enumerate(zip(values, full, strict=True)):
                item = QTableWidgetItem(value)
                item.setToolTip(plain_tooltip(tip))
                item.setData(Qt.ItemDataRole.UserRole, tip)
                self.table.setItem(row, column, item)

    def trust_key(self) -> TrustKeyDialog:
        dialog = TrustKeyDialog(self, self.service)
        dialog.accepted.connect(self._trusted)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _trusted(self) -> None:
        self.reload()
        self.changed.emit()

    def retranslate_ui(self) -> None:
        self.setTitle(_("Trusted installations"))
        self.table.setHorizontalHeaderLabels(
            [_("Mission"), _("Signing key"), _("Age recipient"), _("Trusted since")]
        )
        self.trust_button.setText(_("&Trust a key…"))
        if not self.trust_button.isEnabled():
            self.trust_button.setToolTip(_("Only an administrator may register a key."))
        self.reload()
