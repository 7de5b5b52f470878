"""Press the real buttons of the Cases area and the Letters page, then wait for the write.

Saves, status changes and letter steps run on a pool thread (``ui/tasks.py``); a test clicks
as the officer does and waits on the task, never on a clock."""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from ui.cases.editor import CaseEditor
from ui.tasks import BackgroundTask

WAIT_MS = 20_000


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    """A mouse click where the officer clicks: a check box on its box, a button anywhere."""
    assert button.isEnabled(), f"{button.text()!r} is disabled"
    if isinstance(button, QCheckBox | QRadioButton):
        option = QStyleOptionButton()
        button.initStyleOption(option)
        element = QStyle.SubElement.SE_CheckBoxIndicator
        box = button.style().subElementRect(element, option, button)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=box.center())
        return
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_for(qtbot: QtBot, task: BackgroundTask[object] | None) -> None:
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


def modal_dialog(qtbot: QtBot) -> QDialog:
    """The dialog a click opened (``open()`` or ``exec()``), once it is on screen."""
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QDialog), timeout=5000)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, QDialog)
    return dialog


def press_dialog_button(
    qtbot: QtBot, dialog: QDialog, which: QDialogButtonBox.StandardButton | str
) -> None:
    """Click one of a dialog's buttons: a standard one, or the one whose text is ``which``."""
    if isinstance(which, str):
        buttons = [b for b in dialog.findChildren(QAbstractButton) if b.text() == which]
        assert buttons, f"no button {which!r} in {dialog.windowTitle()!r}"
        button = buttons[0]
    else:
        box = dialog.findChild(QDialogButtonBox)
        assert box is not None
        found = box.button(which)
        assert found is not None
        button = found
    click(qtbot, button)


def click_yes(qtbot: QtBot, box: QMessageBox | None) -> None:
    """Click the accepting button of a question (``ui.widgets.dialogs.confirm``)."""
    assert box is not None and box.isVisible()
    yes = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.AcceptRole)
    click(qtbot, yes)
