"""Every dialog fits an 800×600 screen (a small office laptop), its buttons on it.

The fault: the letter editor kept a minimum of 1000×680 and the spreadsheet import opened at
760×660, the audit log at 1100×620: on an 800×600 screen their Save, Import and Close
buttons lay below or beside its edge, where nobody could press them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.ui.test_no_stray_windows import _dialogs
from ui.cases.import_undo import ImportUndoDialog
from ui.main_window import MainWindow
from ui.settings.audit_log import AuditLogDialog
from ui.widgets.common import FRAME_ALLOWANCE

SMALL = QRect(0, 0, 800, 600)


@pytest.fixture
def small_screen(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen the app measures is 800×600 (its offscreen one is larger)."""
    monkeypatch.setattr(QScreen, "availableGeometry", lambda _screen: QRect(SMALL))


def _overflow(dialog: QDialog) -> str:
    """What of ``dialog``, shown, lies off the small screen: '' when nothing does."""
    frame = dialog.size() + FRAME_ALLOWANCE
    if frame.width() > SMALL.width() or frame.height() > SMALL.height():
        return f"{type(dialog).__name__} is {dialog.width()}×{dialog.height()}"
    for box in dialog.findChildren(QDialogButtonBox):
        corner = box.mapTo(dialog, box.rect().bottomRight())
        if box.isVisible() and not dialog.rect().contains(corner):
            return f"{type(dialog).__name__}'s buttons end at {corner.x()},{corner.y()}"
    return ""


@pytest.mark.usefixtures("small_screen")
def test_every_dialog_and_its_buttons_fit_an_800x600_screen(
    open_ws: Callable[[str], Workspace], make_window: Callable[..., MainWindow]
) -> None:
    ws = open_ws("admin")
    case = CaseService(ws).create_case(new_case())
    window = make_window(ws)
    dialogs = [
        *_dialogs(window, ws, case.id, case.number),
        ImportUndoDialog(window, ws),
        AuditLogDialog(ws, window),
    ]
    found = []
    for dialog in dialogs:
        dialog.show()
        QApplication.processEvents()
        found.append(_overflow(dialog))
        dialog.close()
        QApplication.processEvents()
    assert [f for f in found if f] == []
