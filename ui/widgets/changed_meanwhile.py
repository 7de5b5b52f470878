"""The bar a form shows when another desktop saved the record being edited here.

The form keeps what was typed: nothing is overwritten under the user's hands. "Reload" shows
the saved record instead (the edits here are dropped); saving as it is meets the version
check and says who changed the record meanwhile.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.i18n import _
from app.services.changes import SOMEONE
from ui.palette import WARNING_STYLE


class ChangedMeanwhileBar(QFrame):
    """ "Changed by X meanwhile — reload?", with a Reload button; hidden until ``show_by``."""

    reload_asked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("changed_meanwhile")
        self.setStyleSheet(f"QFrame#changed_meanwhile {{ {WARNING_STYLE} }}")
        self.by = ""
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.reload_button = QPushButton()
        self.reload_button.clicked.connect(self.reload_asked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.reload_button)
        self.retranslate_ui()
        self.hide()

    def show_by(self, user: str) -> None:
        self.by = user
        self.retranslate_ui()
        self.show()

    def retranslate_ui(self) -> None:
        if self.by and self.by != SOMEONE:
            said = _(
                "Changed by {user} meanwhile — reload? Your unsaved edits here would be lost."
            ).format(user=self.by)
        else:
            said = _(
                "Changed on another computer meanwhile — reload? Your unsaved edits here "
                "would be lost."
            )
        self.text.setText(said)
        # No mnemonic: every letter of it is taken by a field of the case form already.
        self.reload_button.setText(_("Reload"))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)
