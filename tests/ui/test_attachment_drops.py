"""Files dropped on a case's attachments that cannot be stored are refused at once, said."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from app.errors import ValidationError
from app.services.cases import CaseService, read_attachment
from app.services.records import PersonInput
from tests.builders import wage_case
from tests.conftest import OpenWs
from tests.ui.press import wait_written
from ui.cases import attachments as attachments_module
from ui.cases.attachments import AttachmentsPanel

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="named pipes as files: POSIX")


def drop(panel: AttachmentsPanel, *urls: QUrl) -> None:
    data = QMimeData()
    data.setUrls(list(urls))
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.dropEvent(event)


def release(fifo: Path) -> None:
    """A reader left waiting on the pipe (as the old code's was) gets its end of file."""
    try:
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass  # nobody reads it


def test_a_pipe_and_a_web_link_are_refused_at_once_and_a_file_beside_them_is_stored(
    qtbot: QtBot, open_ws: OpenWs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: a named pipe dropped on the attachments held their save queue forever (its
    read never ends), and a dropped web link was ignored without a word."""
    said: list[str] = []
    monkeypatch.setattr(attachments_module, "show_error", lambda _p, exc: said.append(str(exc)))
    ws = open_ws("aigul")
    service = CaseService(ws)
    worker = PersonInput(surname="Abenov", given_names="Nurlan")
    case = service.get_case(wage_case(ws, worker, date(2026, 11, 2), description="").id)
    panel = AttachmentsPanel(service)
    qtbot.addWidget(panel)
    panel.set_case(case)
    fifo = tmp_path / "contract.pdf"
    os.mkfifo(fifo)
    letter = tmp_path / "letter.txt"
    letter.write_bytes(b"The employer's answer")
    try:
        drop(
            panel,
            QUrl.fromLocalFile(str(fifo)),
            QUrl("https://example.org/contract.pdf"),
            QUrl.fromLocalFile(str(tmp_path)),
        )
        assert not panel.writing  # nothing queued: nothing waits on the pipe
        qtbot.waitUntil(lambda: bool(said), timeout=2000)
        assert said == [
            "“contract.pdf” is not a file with content (a pipe or a device): it cannot be "
            "attached.\n\n"
            "https://example.org/contract.pdf is a web link, not a file: it cannot be "
            "attached. Save the file on this computer first, then attach it.\n\n"
            f"“{tmp_path.name}” is a folder: attach the files in it."
        ]
        drop(panel, QUrl.fromLocalFile(str(letter)))
        wait_written(qtbot, panel)
    finally:
        release(fifo)
    assert [a.filename for a in service.get_case(case.id).attachments] == ["letter.txt"]
    assert len(said) == 1


def test_reading_a_pipe_to_attach_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "scan.pdf"
    os.mkfifo(fifo)
    try:
        with pytest.raises(ValidationError, match="a pipe or a device"):
            read_attachment(fifo)
    finally:
        release(fifo)
