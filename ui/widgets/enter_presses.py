"""Enter presses the focused push button in the main window, as Space does.

Qt gives Enter to a focused button only in a dialog (its buttons are "auto default"); in the
main window's areas an officer who had tabbed to "Add to the timeline" or "New case" pressed
Enter and nothing happened. One filter on the application covers every such button, those
made later too. Dialogs keep Qt's own rule: Enter there presses the default button.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QPushButton

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# The keypad's Enter comes with KeypadModifier; any other modifier is someone's shortcut.
_PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


class EnterPresses(QObject):
    """Application event filter: Enter on a focused, enabled push button of the main window
    clicks it."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() != QEvent.Type.KeyPress or not isinstance(watched, QPushButton):
            return False
        assert isinstance(event, QKeyEvent)
        if event.key() not in _ENTER or event.modifiers() not in _PLAIN or event.isAutoRepeat():
            return False
        if watched.autoDefault() or watched.isDefault():
            return False  # Qt presses it already
        if not isinstance(watched.window(), QMainWindow) or not watched.isEnabled():
            return False
        watched.animateClick()
        return True


def install_enter_presses(app: QApplication) -> EnterPresses:
    """Install the filter once on ``app`` (a second call returns the first one)."""
    presses = app.findChild(EnterPresses)
    if presses is None:
        presses = EnterPresses(app)
        app.installEventFilter(presses)
    return presses
