"""Drive widgets the way a person does: click, type, choose, answer the dialog that opens.

Each helper refuses a widget a person could not use (hidden or disabled), so a test that
presses a button also proves the button is there to be pressed.

Saves, status changes and letter steps run on a pool thread (``ui/tasks.py``); a test clicks
as the officer does and waits on the task (``wait_for``, ``wait_written``), never on a clock.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QPoint, QRect, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QWidget,
)
from pytestqt.qtbot import QtBot

if TYPE_CHECKING:
    from ui.cases.editor import CaseEditor
    from ui.cases.timeline import TimelinePanel
    from ui.tasks import BackgroundTask
    from ui.widgets.dialogs import ReasonDialog

WAIT_MS = 20_000
"""How long a test waits for a write on the pool thread before it fails."""

Item = QTreeWidgetItem | QListWidgetItem | QTableWidgetItem
D = TypeVar("D", bound=QWidget)


def on_screen(qtbot: QtBot, widget: D) -> D:
    """``widget`` shown, and closed by qtbot after the test."""
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _usable(widget: QWidget) -> None:
    name = widget.objectName() or type(widget).__name__
    assert widget.isVisible(), f"{name} is hidden: nobody could press it"
    assert widget.isEnabled(), f"{name} is disabled: nobody could press it"


def click(qtbot: QtBot, widget: QWidget, pos: QPoint | None = None) -> None:
    """A left click where the officer clicks: at ``pos`` when given, else a check box or
    radio button on its indicator and any other widget in its middle."""
    _usable(widget)
    if pos is None and isinstance(widget, QCheckBox | QRadioButton):
        # A check box reacts on its box and text only, not across the width a layout gives it.
        pos = _indicator(widget).center()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def _indicator(button: QCheckBox | QRadioButton) -> QRect:
    """Where the style draws the button's box (or circle)."""
    option = QStyleOptionButton()
    button.initStyleOption(option)
    element = (
        QStyle.SubElement.SE_CheckBoxIndicator
        if isinstance(button, QCheckBox)
        else QStyle.SubElement.SE_RadioButtonIndicator
    )
    return button.style().subElementRect(element, option, button)


def type_into(
    qtbot: QtBot, edit: QLineEdit | QPlainTextEdit | QComboBox | QAbstractSpinBox, text: str
) -> None:
    """Replace what the field holds with ``text``, typed key by key."""
    _usable(edit)
    target: QWidget = edit.lineEdit() if isinstance(edit, QComboBox) else edit  # type: ignore[assignment]
    assert target is not None, "a combo box takes typing only when it is editable"
    target.setFocus()
    qtbot.keyClick(target, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(target, Qt.Key.Key_Delete)
    type_keys(qtbot, target, text)


def type_keys(qtbot: QtBot, target: QWidget, text: str) -> None:
    """Type ``text`` at the cursor, one key event a character.

    QTest types only ASCII (it aborts on a Kazakh or Russian letter, and on an empty
    string); other characters go as the key events a keyboard layout sends.
    """
    for char in text:
        if char.isascii():
            qtbot.keyClicks(target, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                target, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def choose(qtbot: QtBot, combo: QComboBox, data: object = None, *, text: str | None = None) -> None:
    """Open the combo's list and click the entry holding ``data`` (or showing ``text``)."""
    _usable(combo)
    index = combo.findText(text) if text is not None else combo.findData(data)
    assert index >= 0, f"{combo.objectName() or 'combo'} offers no {text or data!r}"
    view = _open_list(qtbot, combo)
    click_index(qtbot, view, combo.model().index(index, combo.modelColumn()))
    if combo.currentIndex() != index:
        # A list placed over the combo can be moved by the screen's edge away from where its
        # rows are drawn (offscreen, near the top): a click then closes it. Arrow keys and
        # Enter choose the same entry.
        if not view.isVisible():
            view = _open_list(qtbot, combo)
        steps = index - view.currentIndex().row()
        for _ in range(abs(steps)):
            qtbot.keyClick(view, Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up)
        qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=2000)
    assert combo.currentIndex() == index, (combo.currentIndex(), index, combo.currentText())


def _open_list(qtbot: QtBot, combo: QComboBox) -> QAbstractItemView:
    """Open the combo's list from the keyboard (F4).

    Not by a click: a list opened by a mouse press ignores a release that comes sooner than
    a double-click interval, which a test's click always does.
    """
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_F4)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=2000)
    return view


def click_index(
    qtbot: QtBot, view: QAbstractItemView, index: QModelIndex, *, double: bool = False
) -> None:
    """Click (or double-click) the cell at ``index`` where the view draws it."""
    _usable(view)
    QApplication.processEvents()  # a view just shown lays out its scroll range first
    view.scrollTo(index)
    QApplication.processEvents()
    # The part of the cell in sight (a cell may be wider than a narrow popup list).
    seen = view.visualRect(index).intersected(view.viewport().rect())
    assert not seen.isEmpty(), "the row is not where a mouse can reach it"
    pos = seen.center()
    if double:
        # A double-click is preceded by the press that selects the row, as under a mouse.
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    else:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def click_item(qtbot: QtBot, view: QTreeWidget | QListWidget | QTableWidget, item: Item) -> None:
    """Click a row of a tree, list or table widget."""
    if isinstance(view, QTreeWidget):
        assert isinstance(item, QTreeWidgetItem)
        index = view.indexFromItem(item)
    elif isinstance(view, QListWidget):
        assert isinstance(item, QListWidgetItem)
        index = view.indexFromItem(item)
    else:
        assert isinstance(item, QTableWidgetItem)
        index = view.indexFromItem(item)
    click_index(qtbot, view, index)


def _dialog_button(dialog: QWidget, which: QDialogButtonBox.StandardButton) -> QAbstractButton:
    """The dialog's standard button ``which`` (OK, Save, Yes...)."""
    if isinstance(dialog, QMessageBox):
        button = dialog.button(QMessageBox.StandardButton(which.value))
    else:
        boxes = dialog.findChildren(QDialogButtonBox)
        assert boxes, f"{type(dialog).__name__} has no button box"
        button = next((b.button(which) for b in boxes if b.button(which) is not None), None)
    assert button is not None, f"{type(dialog).__name__} has no {which.name} button"
    return button


def when_modal(kind: type[D], act: Callable[[D], None], tries: int = 250) -> None:
    """Once a modal ``kind`` is open, run ``act`` on it (looked for every 20 ms, up to ~5 s).

    Call this before the click that opens the dialog: the dialog's own event loop runs ``act``.
    """

    def look(left: int) -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, kind):
            act(dialog)
        elif left:
            QTimer.singleShot(20, lambda: look(left - 1))

    QTimer.singleShot(0, lambda: look(tries))


def answer_modal(
    qtbot: QtBot,
    kind: type[D],
    fill: Callable[[D], None] | None = None,
    button: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Ok,
    seen: list[D] | None = None,
) -> None:
    """Once a modal ``kind`` opens, let ``fill`` type into it, then press ``button``; each
    dialog answered is appended to ``seen``."""

    def answer(dialog: D) -> None:
        if seen is not None:
            seen.append(dialog)
        if fill is not None:
            fill(dialog)
        click(qtbot, _dialog_button(dialog, button))

    when_modal(kind, answer)


def save_as(qtbot: QtBot, path: Path) -> None:
    """Answer the next save dialog (a QFileDialog) with ``path`` and press Save."""

    def name_the_file(dialog: QFileDialog) -> None:
        assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
        dialog.selectFile(str(path))

    answer_modal(qtbot, QFileDialog, name_the_file, QDialogButtonBox.StandardButton.Save)


def open_file(qtbot: QtBot, path: Path) -> None:
    """Answer the next open dialog (a QFileDialog) with ``path`` and press Open."""

    def choose_the_file(dialog: QFileDialog) -> None:
        assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptOpen
        dialog.selectFile(str(path))

    answer_modal(qtbot, QFileDialog, choose_the_file, QDialogButtonBox.StandardButton.Open)


def show_tab(qtbot: QtBot, tabs: QTabWidget, page: QWidget) -> None:
    """Click the tab that shows ``page``."""
    bar = tabs.tabBar()
    click(qtbot, bar, bar.tabRect(tabs.indexOf(page)).center())
    assert tabs.currentWidget() is page


def press_dialog_button(
    qtbot: QtBot,
    dialog: QWidget,
    which: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Ok,
) -> None:
    """Press the standard button ``which`` (OK unless told) of an open dialog; a dialog whose
    OK writes off the GUI thread (``ValidatingDialog.writer``) is waited for."""
    click(qtbot, _dialog_button(dialog, which))
    qtbot.waitUntil(lambda: not getattr(dialog, "writing", False), timeout=WAIT_MS)


def open_area(qtbot: QtBot, window: QWidget, key: str) -> QWidget:
    """Click the area ``key`` in the main window's navigation list; the area shown."""
    nav = window.findChild(QListWidget, "navigation")
    assert nav is not None
    items = [nav.item(row) for row in range(nav.count())]
    item = next((i for i in items if i.data(Qt.ItemDataRole.UserRole) == key), None)
    assert item is not None, f"no area {key!r} in the navigation"
    click_item(qtbot, nav, item)
    assert nav.currentItem() is item
    shown = window.area_widget(key)  # type: ignore[attr-defined]
    assert isinstance(shown, QWidget) and shown.isVisible()
    return shown


def press_button(qtbot: QtBot, box: QWidget, text: str) -> None:
    """Press the button labelled ``text`` (mnemonic ampersands ignored) in ``box``."""
    buttons = [b for b in box.findChildren(QAbstractButton) if b.text().replace("&", "") == text]
    assert len(buttons) == 1, f"{len(buttons)} buttons named {text!r}"
    click(qtbot, buttons[0])


def modal_dialog(qtbot: QtBot) -> QDialog:
    """The dialog or message box a click opened (``open()`` or ``exec()``), once it is on
    screen."""
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QDialog), timeout=5000)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, QDialog)
    return dialog


def ask_status(qtbot: QtBot, timeline: TimelinePanel, target: str) -> ReasonDialog:
    """Choose ``target`` in the timeline's "Move to" list and press "Change status": the reason
    dialog it opens, on screen."""
    from ui.widgets.dialogs import ReasonDialog

    timeline.target.setCurrentIndex(timeline.target.findData(target))
    click(qtbot, timeline.status_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, ReasonDialog) and dialog is timeline.dialog
    return dialog


def click_yes(qtbot: QtBot, box: QMessageBox | None) -> None:
    """Click the accepting button of an open question (``ui.widgets.dialogs.confirm``)."""
    assert box is not None and box.isVisible()
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    click(qtbot, yes)


def wait_for(qtbot: QtBot, task: BackgroundTask[object] | None) -> None:
    """Wait until ``task`` (if one was started) has finished."""
    if task is not None:
        qtbot.waitUntil(lambda: not task.running, timeout=WAIT_MS)


class Writer(Protocol):
    @property
    def writing(self) -> bool: ...


def wait_written(qtbot: QtBot, panel: Writer) -> None:
    """Wait until the panel's writes (queued ones too) are done and shown."""
    qtbot.waitUntil(lambda: not panel.writing, timeout=WAIT_MS)


def press_save(qtbot: QtBot, editor: CaseEditor) -> bool:
    """Click Save; True when the case was written, False when a rule refused it."""
    before = editor.save_task
    click(qtbot, editor.save_button)
    if editor.save_task is before:
        return False  # refused before any write started (the message is shown)
    wait_for(qtbot, editor.save_task)
    return editor.last_save_ok


def activate(qtbot: QtBot, widget: QWidget) -> None:
    """Make ``widget``'s window the active one again (a popup may have taken it while the
    test waited), so that focus and shortcuts reach it."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
