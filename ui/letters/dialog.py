"""The letter editor: kind and language, the officer's parts, and a live PDF preview."""

from __future__ import annotations

from datetime import date
from typing import cast

from PySide6.QtCore import QDate, QLocale, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.codes import LetterKind, label
from app.errors import QorgauError
from app.i18n import LANGUAGES, N_, _
from app.letters import LETTER_KINDS, Addressee
from app.services.letters import LetterFields, LetterInfo, LetterService
from app.services.workspace import Workspace
from ui.i18n_bridge import LANGUAGE_NAMES
from ui.letters.preview import PdfPreview, approval_checks, show_checks
from ui.palette import WARNING_STYLE
from ui.tasks import BackgroundTask, LatestOnly, refusal_text, show_error, show_refusal
from ui.widgets.busy import BusyIndicator
from ui.widgets.common import (
    CheckText,
    ErrorLabel,
    ask_save_changes,
    check_row,
    labels_above_when_narrow,
    lines_tall,
    open_at,
    push_button,
    set_label,
    unlabelled_rows,
    word_wrapped,
)
from ui.widgets.fields import qt_date_format

PREVIEW_DELAY_MS = 700  # a pause in typing this long re-renders the preview
STALE_STYLE = WARNING_STYLE


def ask_unsaved_letter(parent: QWidget) -> QMessageBox.StandardButton:
    """Save, Discard or Cancel for a letter edited and not saved (replaced in tests)."""
    return ask_save_changes(
        parent, _("Unsaved changes"), _("The letter has unsaved changes. Save the draft?")
    )


class LetterDialog(QDialog):
    """Drafts a new letter for a case, or edits a draft; OK saves it as a draft."""

    letter_saved = Signal(object)  # LetterInfo
    preview_shown = Signal()  # a rendering of the editor's content is drawn

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
        # Rendered off the GUI thread (50-100 ms a rendering), the last edit's rendering shown:
        # typing again as a rendering began used to wait for it.
        self._previews = LatestOnly(self, workspace.db.interrupt, resume=workspace.db.resume)
        self._previews.answered.connect(self._preview_rendered)
        self._previews.refused.connect(self._preview_refused)
        self.case_id = case_id
        self.case_number = case_number
        self.letter = letter
        # The organisation and its dative as last filled in (not typed): see _organisation_edited.
        self._filled_dative = ("", "")
        self._parts_lang = ""  # the language the draft's parts are written in
        # The form beside the preview wants 1000×680; a smaller screen gets what it has.
        open_at(self, QSize(1000, 680), minimum=QSize(1000, 680))

        self._build_fields()
        self._build_form()
        self._build_buttons()
        self._build_layout()

        self.reply.toggled.connect(self._reply_toggled)
        self.organisation.textEdited.connect(self._organisation_edited)
        if letter is None:
            # A language the officer picked stays when the kind changes; until then each kind
            # starts in the language its letters are usually written in.
            self._lang_picked = False
            self.lang.activated.connect(self._pick_lang)
            self.kind.currentIndexChanged.connect(self._kind_chosen)
            # Another language keeps the addressee and subject the officer typed.
            self.lang.currentIndexChanged.connect(self._load_language_parts)
            self._kind_chosen()
        else:
            self._show_letter(letter)
        self._reply_toggled(self.reply.isChecked())
        self.retranslate_ui()
        self._watch_edits()
        self.mark_stale()
        self.edited = False  # by the officer since the dialog opened: asked before it closes
        # The cursor starts in the first field it can change, not on the scroll area that
        # holds the form: a draft keeps its kind, and the disabled kind left it there.
        (self.kind if self.kind.isEnabled() else self.lang).setFocus()

    def _build_fields(self) -> None:
        """The letter's fields, in the order the form shows them."""
        self.kind = QComboBox()
        for code in LETTER_KINDS:
            self.kind.addItem("", code)
        self.lang = QComboBox()
        for code in LANGUAGES:
            self.lang.addItem(LANGUAGE_NAMES[code], code)
        self.organisation = QLineEdit()
        self.organisation_dative = QLineEdit()
        self.addressee_name = QLineEdit()
        self.addressee_surname = QLineEdit()  # the salutation's «господин …», "Mr …"
        self.position = QLineEdit()
        self.address = QLineEdit()
        self.subject = QLineEdit()
        self.reply = QCheckBox()
        self.incoming_number = QLineEdit()
        self.incoming_date = QDateEdit()
        self.incoming_date.setCalendarPopup(True)
        self.incoming_date.setDate(QDate.currentDate())
        self.addressee_sex = QComboBox()  # the salutation's form
        for code in ("", "female", "male"):
            self.addressee_sex.addItem("", code)
        self.forward_to = QLineEdit()
        self.share_identity = QCheckBox()
        self.share_identity_text = CheckText(self.share_identity)
        self.facts = QPlainTextEdit()
        self.facts.setTabChangesFocus(True)
        self.requests = QPlainTextEdit()
        self.requests.setTabChangesFocus(True)
        self.signer = word_wrapped(QLabel())
        self.free_text = QPlainTextEdit()
        self.free_text.setTabChangesFocus(True)
        self.enclosures = QPlainTextEdit()
        self.enclosures.setTabChangesFocus(True)
        lines_tall(self.enclosures, 3)

    def _build_form(self) -> None:
        """One row per field; labels are set by retranslate_ui."""
        incoming = QHBoxLayout()
        incoming.addWidget(self.reply)
        incoming.addWidget(self.incoming_number, 1)
        incoming.addWidget(self.incoming_date)
        self.incoming_row = QWidget()
        self.incoming_row.setLayout(incoming)
        incoming.setContentsMargins(0, 0, 0, 0)
        self.form = QFormLayout()
        unlabelled_rows(
            self.form,
            self.kind,
            self.lang,
            self.organisation,
            self.organisation_dative,
            self.addressee_name,
            self.addressee_surname,
            self.position,
            self.addressee_sex,
            self.address,
            self.forward_to,
            self.subject,
            self.incoming_row,
            self.facts,
            self.requests,
            self.free_text,
            self.enclosures,
            check_row(self.share_identity, self.share_identity_text),
            self.signer,
        )

    def _build_buttons(self) -> None:
        """Save, Cancel and Preview, and the timer that refreshes the preview."""
        self.error = ErrorLabel()
        self.preview_button = push_button(self.show_preview)
        # The preview follows the editor: a pause in typing re-renders it; until then it is
        # marked out of date.
        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.setInterval(PREVIEW_DELAY_MS)
        self.refresh_timer.timeout.connect(self.show_preview)
        # Wraps: on one line at 150 % text size it kept the preview 530 pixels wide and the
        # form beside it scrolled sideways.
        self.stale = word_wrapped(QLabel())
        self.stale.setStyleSheet(STALE_STYLE)
        self.stale.setVisible(False)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.addButton(self.preview_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        # Ctrl+S as in the case form: Enter in the facts or requests starts a new line, and
        # Save was otherwise a long way down the Tab order.
        save = QShortcut(QKeySequence.StandardKey.Save, self, self.accept)
        save.setWhatsThis(N_("Save the letter's draft"))

    def _build_layout(self) -> None:
        """The form on the left in a scroll area, the preview on the right."""
        editor = QWidget()
        left = QVBoxLayout(editor)
        left.addLayout(self.form)
        left.addWidget(self.error)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(editor)
        labels_above_when_narrow(self.form, editor)
        self.preview = PdfPreview()
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.stale)
        right_layout.addWidget(self.preview, 1)
        self.checks = approval_checks()
        right_layout.addWidget(self.checks)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(right)
        splitter.setSizes([460, 540])
        # A screen narrower than 1000 pixels takes its width from the preview: the form kept
        # its share, 350 pixels at 800, and its Kazakh fields scrolled sideways.
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        self.busy = BusyIndicator()
        self.task: BackgroundTask[LetterInfo] | None = None
        self.editing = splitter  # disabled with the buttons while the draft is written
        bottom = QHBoxLayout()
        bottom.addWidget(self.busy)
        bottom.addWidget(self.buttons, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)

    def retranslate_ui(self) -> None:
        self.incoming_date.setLocale(QLocale())  # month names in the interface's language
        self.incoming_date.setDisplayFormat(qt_date_format())
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
            (self.addressee_surname, _("Addressee's s&urname:")),
            (self.position, _("Addressee's &position:")),
            (self.addressee_sex, _("Salutation:")),
            (self.address, _("&Address:")),
            (self.forward_to, _("Ask to &forward to:")),
            (self.subject, _("&Subject:")),
            (self.incoming_row, _("In reply to:")),
            (self.facts, _("Fa&cts:")),
            (self.requests, _("&Requests (one per line):")),
            (self.free_text, _("&Text:")),
            (self.enclosures, _("&Enclosures (one per line):")),
            (self.signer, _("Signed by:")),
        )
        for field, text in labels:
            set_label(self.form, field, text)
        self.reply.setText(_("their letter No."))
        self.addressee_surname.setToolTip(
            _(
                "The surname alone, for the salutation (“Dear Mr …”). Left empty, the "
                "salutation names the addressee in full, without Mr or Ms."
            )
        )
        for index, text in enumerate((_("Sir or Madam"), _("Ms"), _("Mr"))):
            self.addressee_sex.setItemText(index, text)
        self.share_identity_text.setText(
            _("Print the person's birth date and passport number (and IIN to Kazakh bodies)")
        )
        self.facts.setPlaceholderText(
            _("Written from the case in the letter's language; edit it as needed.")
        )
        self.stale.setText(_("The preview is out of date; it refreshes when you pause."))
        self.requests.setPlaceholderText(
            _("Empty: the standard request of this kind of letter; your text replaces it.")
        )
        self.preview_button.setText(_("Pre&view"))
        save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if save_button is not None:
            save_button.setToolTip(_("Save the draft (Ctrl+S)"))
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
                sex=str(self.addressee_sex.currentData() or ""),
                surname=self.addressee_surname.text(),
            ),
            facts=self.facts.toPlainText(),
            requests=self.requests.toPlainText(),
            forward_to=self.forward_to.text(),
            share_identity=self.share_identity.isChecked(),
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
        self._filled_dative = (addressee.organisation, addressee.organisation_dative or "")
        self.addressee_name.setText(addressee.name)
        self.addressee_surname.setText(addressee.surname)
        self.position.setText(addressee.position or "")
        self.address.setText(addressee.address)
        self.addressee_sex.setCurrentIndex(max(self.addressee_sex.findData(addressee.sex), 0))
        self.subject.setText(fields.subject)
        self.facts.setPlainText(fields.facts or "")
        self.requests.setPlainText(fields.requests or "")
        self.forward_to.setText(fields.forward_to)
        self.share_identity.setChecked(bool(fields.share_identity))
        kind = self.chosen_kind()
        self.forward_to.setEnabled(kind == "note_verbale_labour_authority")
        self.requests.setEnabled(kind != "assistance_certificate")
        self.signer.setText(
            self.service.signer_text(self.letter.id if self.letter else None, self.chosen_lang())
        )
        self._show_starts()

    def _show_starts(self) -> None:
        """Each line filled in shows its beginning: setText leaves the cursor at the end, and a
        long name or subject showed only its tail ("…Cluster Number Seven", ".203 іс
        бойынша: …"), hiding whom the letter goes to and which case it is."""
        for line in self._addressee_lines():
            line.setCursorPosition(0)

    def _addressee_lines(self) -> tuple[QLineEdit, ...]:
        """The lines whose beginning matters: whom the letter goes to, and its subject."""
        return (
            self.organisation,
            self.organisation_dative,
            self.addressee_name,
            self.addressee_surname,
            self.position,
            self.address,
            self.subject,
            self.forward_to,
        )

    def _show_letter(self, letter: LetterInfo) -> None:
        self.kind.setCurrentIndex(self.kind.findData(letter.kind))
        self.kind.setEnabled(False)  # a draft keeps its kind; start a new letter for another
        self.lang.setCurrentIndex(self.lang.findData(letter.lang))
        self._set_fields(letter.fields)
        # Another language: the facts and requests are written again in it (never mixed).
        self._parts_lang = letter.lang
        self.lang.currentIndexChanged.connect(self._load_language_parts)
        self.free_text.setPlainText(letter.free_text)
        self.enclosures.setPlainText("\n".join(letter.attachments))
        if letter.incoming_ref is not None:
            number, when = letter.incoming_ref
            self.reply.setChecked(True)
            self.incoming_number.setText(number)
            self.incoming_date.setDate(QDate(when.year, when.month, when.day))

    def _pick_lang(self) -> None:
        self._lang_picked = True

    def _kind_chosen(self) -> None:
        """A new letter's kind chosen: its language suggested (unless picked), its parts filled."""
        if not self._lang_picked:
            try:
                lang = self.service.suggested_lang(self.case_id, self.chosen_kind())
            except QorgauError as exc:
                self.error.show_message(refusal_text(exc))
                return
            blocked = self.lang.blockSignals(True)
            self.lang.setCurrentIndex(self.lang.findData(lang))
            self.lang.blockSignals(blocked)
        self._load_defaults()

    def _load_defaults(self) -> None:
        try:
            self._set_fields(
                self.service.defaults(self.case_id, self.chosen_kind(), self.chosen_lang())
            )
        except QorgauError as exc:
            self.error.show_message(refusal_text(exc))
            return
        self._parts_lang = self.chosen_lang()

    def _load_language_parts(self) -> None:
        """A letter put into another language: its parts written in the old one are written
        again in the new one. The addressee and subject, when still as filled in, follow too:
        a Russian draft turned Kazakh greeted «Министерству иностранных дел …» in the Kazakh
        note and kept its Russian subject. What the officer typed there stays."""
        kind, lang = self.chosen_kind(), self.chosen_lang()
        try:
            before = self.service.defaults(self.case_id, kind, self._parts_lang)
            fresh = self.service.defaults(self.case_id, kind, lang)
        except QorgauError as exc:
            self.error.show_message(refusal_text(exc))
            return
        self._parts_lang = lang
        was, now = before.addressee, fresh.addressee
        if was is not None and now is not None:
            for edit, old, new in (
                (self.organisation, was.organisation, now.organisation),
                (self.organisation_dative, was.organisation_dative, now.organisation_dative),
                (self.address, was.address, now.address),
            ):
                if edit.text() == (old or ""):
                    edit.setText(new or "")
            filled = (now.organisation, now.organisation_dative or "")
            if (self.organisation.text(), self.organisation_dative.text()) == filled:
                self._filled_dative = filled
        if self.subject.text() == before.subject:
            self.subject.setText(fresh.subject)
        self.facts.setPlainText(fresh.facts or "")
        self.requests.setPlainText(fresh.requests or "")
        self.forward_to.setText(fresh.forward_to)
        self._show_starts()
        self.signer.setText(
            self.service.signer_text(self.letter.id if self.letter else None, self.chosen_lang())
        )

    def _watch_edits(self) -> None:
        for line in (*self._addressee_lines(), self.incoming_number):
            line.textChanged.connect(self.mark_stale)
        for text in (self.facts, self.requests, self.free_text, self.enclosures):
            text.textChanged.connect(self.mark_stale)
        for combo in (self.kind, self.lang, self.addressee_sex):
            combo.currentIndexChanged.connect(self.mark_stale)
        self.reply.toggled.connect(self.mark_stale)
        self.share_identity.toggled.connect(self.mark_stale)
        self.incoming_date.dateChanged.connect(self.mark_stale)

    def mark_stale(self) -> None:
        """Something changed: say the preview is out of date and render again after a pause."""
        self.edited = True
        self.stale.setVisible(True)
        self.refresh_timer.start()

    def _organisation_edited(self, text: str) -> None:
        """Another organisation typed: the dative filled in with the ministry's name is not
        its own (the note greeted the ministry and was addressed to the inspectorate), so it
        goes, and the letter declines the name typed."""
        organisation, dative = self._filled_dative
        if dative and text != organisation and self.organisation_dative.text() == dative:
            self.organisation_dative.clear()

    def _reply_toggled(self, checked: bool) -> None:
        self.incoming_number.setEnabled(checked)
        self.incoming_date.setEnabled(checked)

    # -- actions ---------------------------------------------------------------------------

    def show_preview(self) -> None:
        """Render the editor's content as it stands; drawn (``preview_shown``) when it comes."""
        self.refresh_timer.stop()
        service, case_id = self.service, self.case_id
        kind, lang, fields = self.chosen_kind(), self.chosen_lang(), self.fields()
        self._previews.submit(
            [
                lambda: service.preview_for_case(case_id, kind, lang, fields),
                lambda: service.checks_for_case(case_id, kind, lang, fields),
            ]
        )

    def _preview_rendered(self, step: int, result: object) -> None:
        if step == 1:  # the checks before approval, once the letter is drawn
            show_checks(self.checks, cast(list[str], result))
            return
        self.error.clear_message()
        self.preview.set_pdf(cast(bytes, result))
        self.stale.setVisible(False)
        self.preview_shown.emit()

    def _preview_refused(self, exc: object) -> None:
        if isinstance(exc, QorgauError):
            # The old preview stays, still marked out of date.
            self.error.show_message(refusal_text(exc))
        else:
            show_error(self, cast(BaseException, exc))

    def accept(self) -> None:
        """Write the draft on a pool thread; the dialog closes once it is written."""
        if self.task is not None and self.task.running:
            return  # a second click on Save while the first is being written
        service, letter = self.service, self.letter
        case_id, kind, lang = self.case_id, self.chosen_kind(), self.chosen_lang()
        fields = self.fields()

        def write(_context: object) -> LetterInfo:
            if letter is None:
                return service.draft(case_id, kind, lang, fields)
            return service.update_draft(letter.id, fields, lang, letter.version)

        task: BackgroundTask[LetterInfo] = BackgroundTask(self, write)
        task.while_busy(self.editing, self.buttons, indicator=self.busy, text=_("Saving…"))
        self.task = task.success(self._saved).failure(self._refused).run_in_background()

    def _saved(self, info: LetterInfo) -> None:
        self.letter = info
        self.error.clear_message()
        self.letter_saved.emit(info)
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        show_refusal(self, self.error, exc)

    def reject(self) -> None:
        """Cancel, Esc or the window's close button: what was typed is saved, thrown away or
        kept on screen, as the officer says."""
        if self.task is not None and self.task.running:
            return  # Esc while the draft is written: it closes once written
        if self.edited:
            answer = ask_unsaved_letter(self)
            if answer == QMessageBox.StandardButton.Save:
                self.accept()  # closes once written; a refusal keeps it open, said
                return
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()
