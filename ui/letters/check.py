"""Is this a letter of ours? A printed letter's code, or a PDF file, checked against the register.

Every issued letter carries a code in the bottom corner of its first page (``QORGAU|number|
digest``, see ``app/letters/qr.py``). A letter comes back to the mission on paper (an employer
or an authority shows it, a worker brings a copy) and the officer asks whether it is genuine:
a scanner that types as a keyboard writes the code into the box and presses Enter, or the
officer types or pastes it; a PDF file sent back is checked by its content. A letter found is
a click away in the register, to be compared with the paper: a code copied onto another text
matches as well.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import QorgauError
from app.i18n import _
from app.letters import qr_payload
from app.services.letters import LetterService, VerifyResult, outgoing_number
from ui.palette import outcome_style
from ui.widgets.common import chars_wide, word_wrapped
from ui.widgets.file_dialogs import in_documents
from ui.widgets.plain import plain_label


class LetterCheckDialog(QDialog):
    letter_chosen = Signal(str)  # the id of the letter found, to show in the register

    def __init__(self, service: LetterService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.service = service
        self.found: VerifyResult | None = None
        self.setWindowTitle(_("Check a letter"))
        self.setMinimumWidth(chars_wide(self, 107))  # 640 pixels at 9 pt
        intro = word_wrapped(
            plain_label(
                _(
                    "Scan the code in the bottom corner of the letter's first page, or type or "
                    "paste its text, and press Enter. A letter's PDF file is checked whole."
                )
            )
        )
        self.code = QLineEdit()
        # What a code looks like, numbered as this mission numbers its letters.
        example = outgoing_number(service.ws.mission_code, date.today().year, 42)
        self.code.setPlaceholderText(qr_payload(example, "…"))
        self.code.returnPressed.connect(self.check_code)
        self.check_button = QPushButton(_("Check the &code"))
        self.check_button.clicked.connect(self.check_code)
        self.file_button = QPushButton(_("Check a PDF &file…"))
        self.file_button.clicked.connect(self.choose_file)
        self.verdict = word_wrapped(plain_label())
        self.verdict.hide()
        self.show_button = QPushButton(_("&Show it in the register"))
        self.show_button.clicked.connect(self._show_found)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.show_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.show_button.hide()  # after addButton, which shows it: nothing is found yet
        entry = QHBoxLayout()
        entry.addWidget(self.code, 1)
        entry.addWidget(self.check_button)
        # Fields, the verdict, the buttons, nothing between: the window is as tall as they are
        # (``_fit_height``), so no stretch or minimum height leaves an empty band above the
        # buttons, before a check or after a shorter verdict than the last.
        self.rows = QVBoxLayout(self)
        self.rows.addWidget(intro)
        self.rows.addLayout(entry)
        self.rows.addWidget(self.file_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.rows.addWidget(self.verdict)
        self.rows.addWidget(buttons)
        self.code.setFocus()

    def check_code(self) -> None:
        text = self.code.text().strip()
        if not text:
            return
        self._checked(lambda: self.service.verify_code(text))
        # The next scan replaces this one: a scanner types into the box as it stands.
        self.code.selectAll()

    def choose_file(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self, _("Check a letter"), in_documents(), _("PDF files (*.pdf);;All files (*)")
        )
        if name:
            self.check_file(Path(name))

    def check_file(self, path: Path) -> None:
        self._checked(lambda: self.service.verify_file(path))

    def _checked(self, check: Callable[[], VerifyResult]) -> None:
        try:
            result = check()
        except QorgauError as exc:
            self.found = None
            self._say(str(exc), matched=False)
            return
        self.found = result if result.matched else None
        self._say(result.message, result.matched)

    def _say(self, text: str, matched: bool) -> None:
        self.verdict.setText(("✓ " if matched else "✗ ") + text)
        self.verdict.setStyleSheet(outcome_style(matched))
        self.verdict.show()
        self.show_button.setVisible(self.found is not None)
        self._fit_height()

    def _fit_height(self) -> None:
        """Exactly as tall as the contents at the present width: wrapped lines make the height
        depend on the width, which a window's minimum size does not follow, so the height is
        set whenever the text or the width changes; the width stays the officer's to choose."""
        self.rows.activate()
        height = self.rows.totalHeightForWidth(self.width())
        if height > 0 and height != self.minimumHeight():
            self.setFixedHeight(height)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt name
        super().showEvent(event)
        self._fit_height()  # the introduction's wrapped lines

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._fit_height()  # narrower, more lines; wider, fewer

    def _show_found(self) -> None:
        if self.found is not None and self.found.letter is not None:
            self.letter_chosen.emit(self.found.letter.id)
            self.accept()
