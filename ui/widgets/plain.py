"""Showing user data as text, never as markup.

Qt guesses whether a label's, a message box's or a tooltip's text is HTML (``Qt.AutoText``), so
a person named ``<b>x</b><img src=…>`` would be rendered, and a bundle from another mission
could put markup and remote-looking images on an officer's screen. Every widget that shows
data (names, numbers, file names, descriptions, messages that quote them) uses these helpers:
labels and message boxes are switched to ``Qt.PlainText``; tooltips, which have no such switch,
get the text converted to escaped rich text so it is shown exactly as typed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtGui import Qt as QtGui
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget


def plain_label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class ElidedLabel(QLabel):
    """One line of plain text that ends in "…" where it does not fit, rather than being cut
    mid-letter (a file's path beside a summary). ``text()`` keeps the whole; give it a tooltip
    with the whole too. A heading wraps instead: its every word matters."""

    def __init__(self, text: str = "") -> None:
        super().__init__(text)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def shown_text(self) -> str:
        """What is painted at the label's present width."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            self.contentsRect(),
            int(self.alignment()),
            self.palette(),
            self.isEnabled(),
            self.shown_text(),
            QPalette.ColorRole.WindowText,
        )


def make_plain(*labels: QLabel) -> None:
    for label in labels:
        label.setTextFormat(Qt.TextFormat.PlainText)


def literal_html(text: str) -> str:
    """``text`` escaped into rich text, for widgets that guess the format and have no switch
    (tooltips, QInputDialog's label): shown exactly as typed, tags and all."""
    return str(QtGui.convertFromPlainText(text, Qt.WhiteSpaceMode.WhiteSpaceNormal))


def plain_tooltip(text: str) -> str:
    """``text`` as a tooltip shows it literally (an empty text removes the tooltip).

    Converted only when Qt would take it for markup (the same test QToolTip applies), so a
    tooltip without tags stays the very string it was."""
    return literal_html(text) if QtGui.mightBeRichText(text) else text


def plain_message(
    parent: QWidget | None,
    title: str,
    text: str,
    icon: QMessageBox.Icon = QMessageBox.Icon.Warning,
) -> QMessageBox.StandardButton:
    """A modal message box whose text is plain, like ``QMessageBox.warning``."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return QMessageBox.StandardButton(box.exec())
