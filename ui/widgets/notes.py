"""A list of notes (warnings of a check) that takes no more height than a few lines.

Joined into one paragraph, ten notes of an import's check filled half the dialog and pushed
the table of columns the officer maps down to a few rows; each note here is an item of its
own, and a list longer than ``lines`` scrolls inside its own box.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.plain import plain_label

BULLET = "•"


class NotesList(QScrollArea):
    """Plain-text notes, one bulleted item each, as tall as they are up to ``lines`` lines."""

    def __init__(self, lines: int = 5, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lines = lines
        self._notes: list[str] = []
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._inner = QWidget()
        self._layout = QVBoxLayout(self._inner)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        self.setWidget(self._inner)
        self.hide()

    def notes(self) -> list[str]:
        return list(self._notes)

    def set_notes(self, notes: list[str]) -> None:
        """Show ``notes`` (hidden when there are none)."""
        self._notes = list(notes)
        while (item := self._layout.takeAt(0)) is not None:
            if (widget := item.widget()) is not None:
                widget.deleteLater()
        for note in self._notes:
            self._layout.addWidget(_item(note))
        self._layout.addStretch(1)
        self.setVisible(bool(self._notes))
        self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt name
        width = self.viewport().width() or super().sizeHint().width()
        needed = self._inner.heightForWidth(width)
        if needed < 0:
            needed = self._inner.sizeHint().height()
        cap = self.fontMetrics().lineSpacing() * self.lines
        return QSize(super().sizeHint().width(), min(needed, cap) + 2 * self.frameWidth())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt name
        return QSize(super().minimumSizeHint().width(), self.sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt name
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.updateGeometry()  # the notes wrap to another number of lines


def _item(note: str) -> QWidget:
    """One note: a bullet, and the note's text wrapped beside it (never under it)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    bullet = plain_label(BULLET)
    bullet.setAlignment(Qt.AlignmentFlag.AlignTop)
    text = plain_label(note)
    text.setWordWrap(True)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    layout.addWidget(bullet)
    layout.addWidget(text, 1)
    return row
