"""What an officer's session leaves readable outside the database once the window locks or
closes: a thief (or a colleague at the desk) with the OS account and no Qorgau password.

- A surname or IIN copied from the case editor is taken off the clipboard (and X11's
  selection) at a lock and when the window closes; text copied in another program since is
  the user's and stays.
- The plain copy of an attachment opened in the desktop's viewer is removed at a lock, not
  only when the window closes; opening it again after the unlock writes a new one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.builders import ASSEL_IDENTIFIED, new_case
from tests.ui import conftest as ui_fixtures
from ui.cases import attachments as attachments_module
from ui.cases.area import CasesArea
from ui.clipboard_guard import ClipboardGuard
from ui.main_window import MainWindow

MakeWindow = Callable[..., MainWindow]
isolated_qsettings = ui_fixtures.isolated_qsettings
discard_unsaved_on_teardown = ui_fixtures.discard_unsaved_on_teardown
bridge = ui_fixtures.bridge
make_window = ui_fixtures.make_window
IIN = ASSEL_IDENTIFIED.iin
SURNAME = ASSEL_IDENTIFIED.surname


@pytest.fixture
def clean_clipboard() -> Iterator[QClipboard]:
    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    yield clipboard
    clipboard.clear()


def open_case(make_window: MakeWindow, ws: Workspace, case_id: str) -> CasesArea:
    area = make_window(ws).show_area("cases")
    assert isinstance(area, CasesArea)
    area.open_case(case_id)
    return area


def copy_from_editor(area: CasesArea, text: str) -> None:
    """Select and copy (Ctrl+C) the editor's field that shows ``text``."""
    [field] = [f for f in area.editor.findChildren(QLineEdit) if f.text() == text]
    field.setFocus()
    field.selectAll()
    field.copy()


def everything_held(clipboard: QClipboard) -> str:
    modes = [QClipboard.Mode.Clipboard]
    if clipboard.supportsSelection():
        modes.append(QClipboard.Mode.Selection)
    return "".join(clipboard.text(mode) for mode in modes)


@pytest.mark.parametrize("ending", ["lock", "close"])
def test_a_name_and_an_iin_copied_in_the_editor_are_off_the_clipboard_after_the_session(
    make_window: MakeWindow, ws: Workspace, clean_clipboard: QClipboard, ending: str
) -> None:
    case = CaseService(ws).create_case(new_case(ASSEL_IDENTIFIED))
    area = open_case(make_window, ws, case.id)
    window = area.window()
    assert isinstance(window, MainWindow)
    copy_from_editor(area, SURNAME)
    copy_from_editor(area, IIN)
    assert clean_clipboard.text() == IIN  # the officer pastes it elsewhere meanwhile

    window.lock() if ending == "lock" else window.close()

    held = everything_held(clean_clipboard)
    assert IIN not in held and SURNAME not in held


def test_text_copied_in_another_program_afterwards_is_left_alone(
    qtbot: QtBot, clean_clipboard: QClipboard
) -> None:
    in_front = [True]
    guard = ClipboardGuard(copied_here=lambda: in_front[0])
    clean_clipboard.setText(IIN)  # copied in Qorgau
    in_front[0] = False
    clean_clipboard.setText("the officer's own note")  # then in her mail program
    guard.clear_ours()
    assert clean_clipboard.text() == "the officer's own note"

    in_front[0] = True
    clean_clipboard.setText(SURNAME)
    guard.clear_ours()
    assert clean_clipboard.text() == ""


def test_an_opened_attachment_is_removed_at_a_lock_and_written_again_after_the_unlock(
    qtbot: QtBot,
    make_window: MakeWindow,
    ws: Workspace,
    private_tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = CaseService(ws)
    case = service.create_case(new_case(ASSEL_IDENTIFIED))
    content = f"%PDF-1.4 passport of {SURNAME}, IIN {IIN}".encode()
    service.add_attachment(case.id, "contract.pdf", content)
    opened: list[QUrl] = []
    monkeypatch.setattr(attachments_module, "open_with_system", opened.append)
    area = open_case(make_window, ws, case.id)
    window = area.window()
    assert isinstance(window, MainWindow)
    panel = area.editor.attachments
    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    panel.open_selected()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    first = Path(opened[0].toLocalFile())
    assert first.read_bytes() == content

    window.lock()

    assert not first.exists()
    left = [p for p in private_tmp.rglob("*") if p.is_file()]
    assert not any(IIN.encode() in p.read_bytes() for p in left)
    assert not any(p.name == "contract.pdf" for p in left)

    window.unlock()  # as the lock screen does once her password is right
    panel.open_selected()
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=5000)
    assert Path(opened[1].toLocalFile()).read_bytes() == content
    window.close()
    assert [p for p in private_tmp.rglob("*") if p.is_file()] == []
