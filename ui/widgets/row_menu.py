"""A list's context menu: the current row's own buttons (Edit, Discard, Revoke…), offered by a
right click and by the keyboard.

The keyboard's Menu key (Shift+F10 where the system maps it) opens it under the current row,
not at the mouse pointer, which may be anywhere. Each entry presses its button, so the
button's confirmation and rules apply, and a disabled or hidden button is disabled or left
out here too. A list whose columns the user may choose offers them here as well.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QMenu

from ui.widgets.columns import ColumnFit


class RowMenu(QObject):
    def __init__(self, view: QAbstractItemView, buttons: Sequence[QAbstractButton]) -> None:
        super().__init__(view)
        self.view = view
        self.buttons = tuple(buttons)
        self.menu = QMenu(view)
        self._columns: QMenu | None = None  # the Columns submenu of the last popup
        # The Menu key reaches the view (it has the focus), a right click its viewport.
        view.installEventFilter(self)
        view.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if event.type() != QEvent.Type.ContextMenu or not isinstance(event, QContextMenuEvent):
            return False
        viewport = self.view.viewport()
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            index = self.view.indexAt(viewport.mapFromGlobal(event.globalPos()))
            if index.isValid():
                self.view.setCurrentIndex(index)  # the row clicked is the row acted on
            at = event.globalPos()
        else:
            index = self.view.currentIndex()
            row = self.view.visualRect(index)
            at = viewport.mapToGlobal(QPoint(row.left() + row.height(), row.bottom()))
        if not index.isValid():
            return False
        self.popup(at)
        event.accept()
        return True

    def popup(self, at: QPoint) -> None:
        """The menu at ``at`` (global), with what the buttons offer now."""
        if self.menu.isVisible():
            return  # the same key seen twice (Shift+F10 as a key and as a menu request)
        self.menu.clear()
        for button in self.buttons:
            if button.isHidden():
                continue
            action = self.menu.addAction(button.icon(), button.text())
            action.setEnabled(button.isEnabled())
            action.triggered.connect(lambda _checked=False, pressed=button: pressed.click())
        # The columns to show, as the header's own menu offers them (which the keyboard
        # cannot reach: a header takes no focus).
        if self._columns is not None:
            self._columns.deleteLater()
            self._columns = None
        fit = self.view.findChild(ColumnFit)
        if fit is not None and fit.choosable:
            self._columns = fit.column_menu()
            if not self.menu.isEmpty():
                self.menu.addSeparator()
            self.menu.addMenu(self._columns)
        if not self.menu.isEmpty():
            self.menu.popup(at)


def row_menu(view: QAbstractItemView, *buttons: QAbstractButton) -> RowMenu:
    """Give ``view`` a context menu of ``buttons`` (see the module's docstring)."""
    return RowMenu(view, buttons)
