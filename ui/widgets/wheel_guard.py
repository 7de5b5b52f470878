"""The mouse wheel scrolls the form; it changes a value only in the field the user is in.

Scrolling an open case over "Host country" used to walk it through the country list, and
nothing showed the case had changed. One filter on the application covers every combo box,
spin box and date edit, including those made later, instead of a subclass per widget.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox

_GUARDED = (QComboBox, QAbstractSpinBox)  # QAbstractSpinBox covers QDateEdit and QDateTimeEdit
_WATCHED = (QEvent.Type.Wheel, QEvent.Type.Polish)


class WheelGuard(QObject):
    """Application event filter: wheel events over an unfocused value field are ignored, so
    Qt passes them on to the parent (the scroll area), which scrolls."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        kind = event.type()
        if kind not in _WATCHED or not isinstance(watched, _GUARDED):
            return False
        if kind == QEvent.Type.Polish:
            # WheelFocus would hand the field the focus on the first wheel turn, and the next
            # turn would change it: only a click or Tab gives a value field the focus.
            if watched.focusPolicy() == Qt.FocusPolicy.WheelFocus:
                watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            return False
        if watched.hasFocus():
            return False
        event.ignore()  # ignored and filtered: Qt offers the event to the parent widget
        return True


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Install the guard once on ``app`` (a second call returns the first guard)."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard
