"""Small shared pieces: an inline error label and a language chooser."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QWidget

from app.i18n import LANGUAGES
from ui.i18n_bridge import LANGUAGE_NAMES, LanguageBridge
from ui.palette import ERROR_TEXT


def set_label(form: QFormLayout, field: QWidget, text: str) -> None:
    """Set the text of the label a form shows beside ``field``.

    Rows are added as ``addRow("", field)`` and labelled in ``retranslate_ui``; Qt makes no
    label for an empty text, so the first call creates it, with ``field`` as its buddy.
    """
    label = form.labelForField(field)
    if isinstance(label, QLabel):
        label.setText(text)
        return
    position: Any = form.getWidgetPosition(field)  # (row, role), typed "object" by PySide6
    row = int(position[0])
    if row < 0 or not text:
        return
    label = QLabel(text)
    label.setBuddy(field)
    form.setWidget(row, QFormLayout.ItemRole.LabelRole, label)


class ErrorLabel(QLabel):
    """A message shown beside the input it is about; hidden while there is nothing to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {ERROR_TEXT};")
        self.setAccessibleName("error")
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


class LanguageCombo(QComboBox):
    """Choose the interface language; the switch applies at once through the bridge."""

    def __init__(self, bridge: LanguageBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        for code in LANGUAGES:
            self.addItem(LANGUAGE_NAMES[code], code)
        self.setCurrentIndex(LANGUAGES.index(bridge.language))
        self.currentIndexChanged.connect(self._chosen)
        bridge.language_changed.connect(self._follow)

    def _chosen(self, index: int) -> None:
        code = self.itemData(index)
        if code != self._bridge.language:
            self._bridge.set_language(code)

    def _follow(self, language: str) -> None:
        index = LANGUAGES.index(language)
        if index != self.currentIndex():
            self.blockSignals(True)
            self.setCurrentIndex(index)
            self.blockSignals(False)
