"""Today's backup is written while Qorgau is open, off the GUI thread, or as it closes."""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from app.errors import DatabaseError
from app.services import backup
from app.services.workspace import Workspace
from ui.daily_backup import DailyBackup
from ui.main_window import MainWindow


def scheduled(ws: Workspace) -> list[str]:
    return [path.name for _stamp, path in backup.scheduled_backups(ws.paths)]


@pytest.fixture
def window(ws: Workspace, make_window: Callable[..., object]) -> MainWindow:
    made = make_window(ws)
    assert isinstance(made, MainWindow)
    return made


@pytest.fixture
def release(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """The backup waits, on its pool thread, until this is set."""
    released = threading.Event()
    backup_if_due = backup.backup_if_due

    def held(workspace: Workspace) -> backup.BackupInfo | None:
        released.wait(10)
        return backup_if_due(workspace)

    monkeypatch.setattr(backup, "backup_if_due", held)
    return released


def test_it_is_written_in_the_background_once_a_day(
    qtbot: QtBot, ws: Workspace, window: MainWindow, release: threading.Event
) -> None:
    daily = DailyBackup(window, ws)
    task = daily.start()
    assert task is not None and task.running  # returned at once: the window goes on
    assert window.statusBar().currentMessage() == "Writing today's backup…"
    assert daily.start() is None  # not a second one meanwhile
    release.set()
    qtbot.waitUntil(lambda: not task.running, timeout=20_000)
    assert window.statusBar().currentMessage() == "Today's backup is written."
    assert len(scheduled(ws)) == 1
    assert daily.start() is None  # written today: not again
    daily.finish_on_exit()  # nothing left to do as it closes
    assert len(scheduled(ws)) == 1


def test_a_short_session_writes_it_as_qorgau_closes(ws: Workspace, window: MainWindow) -> None:
    daily = DailyBackup(window, ws)
    assert scheduled(ws) == []
    daily.finish_on_exit()  # returns once it is written
    assert len(scheduled(ws)) == 1


def test_closing_waits_for_the_backup_under_way(
    ws: Workspace, window: MainWindow, release: threading.Event
) -> None:
    daily = DailyBackup(window, ws)
    task = daily.start()
    assert task is not None
    threading.Timer(0.3, release.set).start()
    daily.finish_on_exit()
    assert not task.running and len(scheduled(ws)) == 1


def test_a_failed_backup_is_said_and_tried_again_as_qorgau_closes(
    qtbot: QtBot, ws: Workspace, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup_if_due = backup.backup_if_due

    def full(_workspace: Workspace) -> backup.BackupInfo | None:
        raise DatabaseError("The backup cannot be written: No space left on device")

    monkeypatch.setattr(backup, "backup_if_due", full)
    daily = DailyBackup(window, ws)
    task = daily.start()
    assert task is not None
    qtbot.waitUntil(lambda: not task.running, timeout=20_000)
    assert "No space left on device" in window.statusBar().currentMessage()
    assert scheduled(ws) == []
    monkeypatch.setattr(backup, "backup_if_due", backup_if_due)  # space freed meanwhile
    daily.finish_on_exit()
    assert len(scheduled(ws)) == 1


def test_a_disk_without_room_for_it_is_said_in_a_warning_once(
    qtbot: QtBot, ws: Workspace, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database's own disk is filling up: more than a passing status-bar line, once."""
    import shutil
    from collections import namedtuple

    from PySide6.QtWidgets import QMessageBox

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage(2**30, 2**30 - 2**20, 2**20))
    daily = DailyBackup(window, ws)
    for _attempt in range(2):
        task = daily.start()
        assert task is not None
        qtbot.waitUntil(lambda t=task: not t.running, timeout=20_000)
    boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert len(boxes) == 1
    assert "not enough free space" in boxes[0].text() and "1 MB is free" in boxes[0].text()
    assert "not enough free space" in window.statusBar().currentMessage()
    assert scheduled(ws) == []
    boxes[0].close()
    daily.finish_on_exit()  # tried again as Qorgau closes: no box then
    assert not [box for box in window.findChildren(QMessageBox) if box.isVisible()]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_data_disk_that_fills_or_turns_read_only_during_it_is_said_in_a_warning(
    qtbot: QtBot, ws: Workspace, window: MainWindow, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    """The fault: only a disk found short of room before the copy was warned of; one that
    filled (or turned read only) while the copy was taken passed in the status bar for 15 s,
    each day, and the saves failed next."""
    from PySide6.QtWidgets import QMessageBox

    def copy_refused(_source: object, target: object) -> None:
        raise OSError(code, os.strerror(code), str(target))

    monkeypatch.setattr(backup.shutil, "copyfile", copy_refused)
    daily = DailyBackup(window, ws)
    task = daily.start()
    assert task is not None
    qtbot.waitUntil(lambda: not task.running, timeout=20_000)
    boxes = [box for box in window.findChildren(QMessageBox) if box.isVisible()]
    assert len(boxes) == 1 and "Today's backup could not be written" in boxes[0].text()
    assert scheduled(ws) == []
    boxes[0].close()
