"""A small busy indicator, "Saving…" beside a moving bar, shown while a write runs."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QSizePolicy, QWidget


class BusyIndicator(QWidget):
    """Hidden until ``start(text)``; ``BackgroundTask.while_busy`` starts and stops it. A text
    given as a function is said again on a language switch (a long search under way)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # no numbers: the bar moves to say the app is working
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(60)
        self.bar.setMaximumHeight(self.fontMetrics().height())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self._text: Callable[[], str] | None = None
        self.hide()

    def start(self, text: str | Callable[[], str]) -> None:
        self._text = text if callable(text) else None
        self.label.setText(text() if callable(text) else text)
        self.show()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt name
        if event.type() == QEvent.Type.LanguageChange and self._text is not None:
            self.label.setText(self._text())
        super().changeEvent(event)

    def stop(self) -> None:
        self.hide()

    @property
    def busy(self) -> bool:
        return not self.isHidden()
