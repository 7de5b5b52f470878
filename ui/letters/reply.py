"""Record the answer to an issued letter: when it came, from whom, what it says, its scan.

The reply goes on the case's timeline (``LetterService.record_reply``); a scan chosen here is
stored on the case with it, in the same write, as any file attached to the case. Opened on a
reply already recorded, it corrects its date, sender and summary
(``LetterService.correct_reply``): in place the same day, else as a new entry.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)

from app.errors import ValidationError
from app.i18n import _, format_date, format_datetime
from app.services.cases import read_attachment
from app.services.letters import LetterInfo, LetterService, ReplyCorrected, ReplyInfo
from ui.widgets.common import STRETCH, lines_tall, set_label, widget_row
from ui.widgets.dialogs import ValidatingDialog
from ui.widgets.fields import DateField
from ui.widgets.file_dialogs import in_documents
from ui.widgets.plain import plain_label


class ReplyDialog(ValidatingDialog):
    """Emits ``accepted`` once the reply is on file; ``answered`` is the letter as it reads then."""

    def __init__(
        self,
        service: LetterService,
        letter: LetterInfo,
        parent: QWidget | None = None,
        correcting: ReplyInfo | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.letter = letter
        self.correcting = correcting  # the reply recorded, to correct
        self.in_place = correcting is not None and service.reply_correctable_in_place(correcting)
        self.answered: LetterInfo | None = None
        self.scan: Path | None = None
        self.received_on = DateField("received_on")
        self.received_on.set_date(service.today)
        # The addressee usually answers; a department or a lawyer may answer for them.
        self.from_field = QLineEdit(letter.addressee_text)
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        lines_tall(self.summary, 5)
        self.scan_name = plain_label()
        self.choose_button = QPushButton()
        self.choose_button.clicked.connect(self.choose_scan)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(lambda: self.set_scan(None))
        self.scan_row = QWidget()
        row = widget_row(self.scan_name, STRETCH, self.choose_button, self.clear_button)
        row.setContentsMargins(0, 0, 0, 0)
        self.scan_row.setLayout(row)
        self.form.addRow("", self.received_on)
        self.form.addRow("", self.from_field)
        self.form.addRow("", self.summary)
        self.form.addRow("", self.scan_row)
        self.set_scan(None)
        if correcting is not None:
            self.received_on.set_date(correcting.received_on)
            self.from_field.setText(correcting.sender)
            self.summary.setPlainText(correcting.summary)
        self.retranslate_ui()
        if correcting is not None:
            # The scan stays the reply's; a correction changes its words. After the labels:
            # the scan's label is made by the first ``retranslate_ui``.
            self.form.setRowVisible(self.scan_row, False)

    def retranslate_ui(self) -> None:
        number = self.letter.outgoing_number or ""
        sent = format_date(self.letter.letter_date) if self.letter.letter_date else ""
        # The sentence's own full stop ends a name that has one: not «Co., Ltd..».
        addressee = self.letter.addressee_text.rstrip(". ")
        intro = _("Letter {number} of {date} to {addressee}.").format(
            number=number, date=sent, addressee=addressee
        )
        if self.correcting is None:
            self.setWindowTitle(_("Reply to letter {number}").format(number=number))
        else:
            self.setWindowTitle(_("Correct the reply to letter {number}").format(number=number))
            intro += "\n" + self._correction_said(self.correcting)
        self.set_intro(intro)
        for widget, text in (
            (self.received_on, _("&Received on:")),
            (self.from_field, _("&From:")),
            (self.summary, _("&Summary:")),
            (self.scan_row, _("Scan of the reply:")),
        ):
            set_label(self.form, widget, text)
        self.received_on.retranslate_ui()
        self.summary.setPlaceholderText(_("What the reply says, in a few lines"))
        self.choose_button.setText(_("C&hoose a file…"))
        self.clear_button.setText(_("No file"))
        self._say_scan()

    def _correction_said(self, reply: ReplyInfo) -> str:
        """Whether the correction changes the entry or adds one, said before OK."""
        if self.in_place:
            return _(
                "Recorded today: the correction changes the entry, and the audit log keeps "
                "what it said before."
            )
        when = format_datetime(reply.recorded_at.astimezone()) if reply.recorded_at else ""
        return _(
            "Recorded on {when} by {user}: the correction is a new entry on the case's "
            "timeline that says which reply it corrects."
        ).format(when=when, user=reply.recorded_by)

    def set_scan(self, path: Path | None) -> None:
        self.scan = path
        self.clear_button.setEnabled(path is not None)
        self._say_scan()

    def _say_scan(self) -> None:
        self.scan_name.setText(self.scan.name if self.scan else _("none (optional)"))

    def choose_scan(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Choose the scan of the reply"), in_documents()
        )
        if name:
            self.set_scan(Path(name))

    def field_widgets(self) -> dict[str, QWidget]:
        return {
            "received_on": self.received_on,
            "sender": self.from_field,
            "summary": self.summary,
            "content": self.choose_button,
        }

    def validate(self) -> None:
        if self.received_on.date() is None:
            raise ValidationError(_("Received on must not be empty."), field="received_on")

    def writer(self) -> Callable[[], object] | None:
        received_on = self.received_on.date()
        assert received_on is not None  # validate() said so
        service, letter_id, scan = self.service, self.letter.id, self.scan
        sender, summary = self.from_field.text(), self.summary.toPlainText()
        if self.correcting is not None:
            entry_id = self.correcting.entry_id
            return lambda: service.correct_reply(letter_id, entry_id, received_on, sender, summary)

        def write() -> LetterInfo:
            attachment = (scan.name, read_attachment(scan)) if scan else None
            return service.record_reply(letter_id, received_on, sender, summary, attachment)

        return write

    def written(self, result: object) -> None:
        if isinstance(result, ReplyCorrected):
            result = result.letter
        self.answered = result if isinstance(result, LetterInfo) else None

    def typed(self) -> bool:
        return bool(self.summary.toPlainText().strip())
