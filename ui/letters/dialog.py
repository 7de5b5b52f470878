"""The letter editor: kind and language, the officer's parts, and a live PDF preview."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import LetterKind, label
from app.errors import QorgauError
from app.i18n import LANGUAGES, _
from app.letters import LETTER_KINDS, Addressee
from app.services.letters import LetterFields, LetterInfo, LetterService
from app.services.workspace import Workspace
from ui.i18n_bridge import LANGUAGE_NAMES
from ui.letters.preview import PdfPreview
from ui.widgets.common import ErrorLabel, set_label


class LetterDialog(QDialog):
    """Drafts a new letter for a case, or edits a draft; OK saves it as a draft."""

    letter_saved = Signal(object)  # LetterInfo

    def __init__(
        self,
        workspace: Workspace,
        case_id: str,
        case_number: str,
        letter: LetterInfo | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = LetterService(workspace)
        self.case_id = case_id
        self.case_number = case_number
        self.letter = letter
        self.setMinimumSize(1000, 680)

        self.kind = QComboBox()
        for code in LETTER_KINDS:
            self.kind.addItem("", code)
        self.lang = QComboBox()
        for code in LANGUAGES:
            self.lang.addItem(LANGUAGE_NAMES[code], code)
        self.organisation = QLineEdit()
        self.organisation_dative = QLineEdit()
        self.addressee_name = QLineEdit()
        self.position = QLineEdit()
        self.address = QLineEdit()
        self.subject = QLineEdit()
        self.reply = QCheckBox()
        self.incoming_number = QLineEdit()
        self.incoming_date = QDateEdit()
        self.incoming_date.setCalendarPopup(True)
        self.incoming_date.setDisplayFormat("yyyy-MM-dd")
        self.incoming_date.setDate(QDate.currentDate())
        self.free_text = QPlainTextEdit()
        self.free_text.setTabChangesFocus(True)
        self.enclosures = QPlainTextEdit()
        self.enclosures.setTabChangesFocus(True)
        self.enclosures.setFixedHeight(60)

        incoming = QHBoxLayout()
        incoming.addWidget(self.reply)
        incoming.addWidget(self.incoming_number, 1)
        incoming.addWidget(self.incoming_date)
        self.form = QFormLayout()
        self.form.addRow("", self.kind)
        self.form.addRow("", self.lang)
        self.form.addRow("", self.organisation)
        self.form.addRow("", self.organisation_dative)
        self.form.addRow("", self.addressee_name)
        self.form.addRow("", self.position)
        self.form.addRow("", self.address)
        self.form.addRow("", self.subject)
        self.incoming_row = QWidget()
        self.incoming_row.setLayout(incoming)
        incoming.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("", self.incoming_row)
        self.form.addRow("", self.free_text)
        self.form.addRow("", self.enclosures)

        self.error = ErrorLabel()
        self.preview_button = QPushButton()
        self.preview_button.clicked.connect(self.show_preview)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        editor = QWidget()
        left = QVBoxLayout(editor)
        left.addLayout(self.form)
        left.addWidget(self.error)
        self.preview = PdfPreview()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(editor)
        splitter.addWidget(self.preview)
        splitter.setSizes([460, 540])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.buttons)

        self.reply.toggled.connect(self._reply_toggled)
        if letter is None:
            self.kind.currentIndexChanged.connect(self._load_defaults)
            self.lang.currentIndexChanged.connect(self._load_defaults)
            self._load_defaults()
        else:
            self._show_letter(letter)
        self._reply_toggled(self.reply.isChecked())
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(
            _("Letter for case {number}").format(number=self.case_number)
            if self.letter is None
            else _("Edit letter for case {number}").format(number=self.case_number)
        )
        for index, code in enumerate(LETTER_KINDS):
            self.kind.setItemText(index, label(LetterKind(code)))
        labels = (
            (self.kind, _("&Kind:")),
            (self.lang, _("&Language:")),
            (self.organisation, _("&Organisation:")),
            (self.organisation_dative, _("Organisation, &dative (kk, ru notes):")),
            (self.addressee_name, _("Addressee's &name:")),
            (self.position, _("Addressee's &position:")),
            (self.address, _("&Address:")),
            (self.subject, _("&Subject:")),
            (self.incoming_row, _("In reply to:")),
            (self.free_text, _("&Text:")),
            (self.enclosures, _("&Enclosures (one per line):")),
        )
        for field, text in labels:
            set_label(self.form, field, text)
        self.reply.setText(_("their letter No."))
        self.preview_button.setText(_("&Preview"))
        self.free_text.setPlaceholderText(
            _("Your own paragraphs; a blank line starts a new paragraph.")
        )
        self.preview.retranslate_ui()

    # -- values ----------------------------------------------------------------------------

    def chosen_kind(self) -> str:
        return str(self.kind.currentData())

    def chosen_lang(self) -> str:
        return str(self.lang.currentData())

    def fields(self) -> LetterFields:
        incoming = None
        if self.reply.isChecked():
            when = self.incoming_date.date()
            incoming = (self.incoming_number.text(), date(when.year(), when.month(), when.day()))
        return LetterFields(
            addressee=Addressee(
                name=self.addressee_name.text(),
                organisation=self.organisation.text(),
                address=self.address.text(),
                position=self.position.text() or None,
                organisation_dative=self.organisation_dative.text() or None,
            ),
            subject=self.subject.text(),
            free_text=self.free_text.toPlainText(),
            incoming_ref=incoming,
            attachments=tuple(
                line.strip() for line in self.enclosures.toPlainText().splitlines() if line.strip()
            ),
        )

    def _set_fields(self, fields: LetterFields) -> None:
        addressee = fields.addressee or Addressee("", "", "")
        self.organisation.setText(addressee.organisation)
        self.organisation_dative.setText(addressee.organisation_dative or "")
        self.addressee_name.setText(addressee.name)
        self.position.setText(addressee.position or "")
        self.address.setText(addressee.address)
        self.subject.setText(fields.subject)

    def _show_letter(self, letter: LetterInfo) -> None:
        self.kind.setCurrentIndex(self.kind.findData(letter.kind))
        self.kind.setEnabled(False)  # a draft keeps its kind; start a new letter for another
        self.lang.setCurrentIndex(self.lang.findData(letter.lang))
        self._set_fields(letter.fields)
        self.free_text.setPlainText(letter.free_text)
        self.enclosures.setPlainText("\n".join(letter.attachments))
        if letter.incoming_ref is not None:
            number, when = letter.incoming_ref
            self.reply.setChecked(True)
            self.incoming_number.setText(number)
            self.incoming_date.setDate(QDate(when.year, when.month, when.day))

    def _load_defaults(self) -> None:
        try:
            self._set_fields(
                self.service.defaults(self.case_id, self.chosen_kind(), self.chosen_lang())
            )
        except QorgauError as exc:
            self.error.show_message(str(exc))

    def _reply_toggled(self, checked: bool) -> None:
        self.incoming_number.setEnabled(checked)
        self.incoming_date.setEnabled(checked)

    # -- actions ---------------------------------------------------------------------------

    def show_preview(self) -> bool:
        try:
            pdf = self.service.preview_for_case(
                self.case_id, self.chosen_kind(), self.chosen_lang(), self.fields()
            )
        except QorgauError as exc:
            self.error.show_message(str(exc))
            return False
        self.error.clear_message()
        self.preview.set_pdf(pdf)
        return True

    def accept(self) -> None:
        try:
            if self.letter is None:
                info = self.service.draft(
                    self.case_id, self.chosen_kind(), self.chosen_lang(), self.fields()
                )
            else:
                info = self.service.update_draft(
                    self.letter.id, self.fields(), self.chosen_lang(), self.letter.version
                )
        except QorgauError as exc:
            self.error.show_message(str(exc))
            return
        self.letter = info
        self.error.clear_message()
        self.letter_saved.emit(info)
        super().accept()
