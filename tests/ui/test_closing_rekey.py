"""Qorgau closing while a revocation's re-key waits: the last window that knows the new key
re-encrypts the whole file as it closes (half a minute at a large mission). It said nothing:
its window was gone, the process went on, and a second start found the folder held."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from app.config import Paths
from app.security import rekey
from app.security.keyslots import KeySlotStore
from app.security.rekey import key_opens
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from ui.app import close_workspace


def _visible_progress() -> list[str]:
    return [
        w.labelText()
        for w in QApplication.topLevelWidgets()
        if isinstance(w, QProgressDialog) and w.isVisible()
    ]


def test_closing_the_window_that_finishes_a_waiting_rekey_says_so_until_it_is_done(
    qapp: QApplication, installation: Paths, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik, admin = open_ws("serik"), open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting
    serik.close()
    slow = rekey.rekey_database

    def large_file(path: Path, old: bytes, new: bytes) -> None:
        time.sleep(0.8)  # a large mission's file takes this long, and longer
        slow(path, old, new)

    monkeypatch.setattr(rekey, "rekey_database", large_file)
    seen: list[str] = []
    QTimer.singleShot(600, lambda: seen.extend(_visible_progress()))

    close_workspace(admin)

    assert len(seen) == 1 and "database key" in seen[0]
    assert not _visible_progress()
    assert KeySlotStore(installation.keyslots).state().rekey_to is None
    assert not key_opens(installation.db, her_old_key)


def test_closing_a_window_with_no_waiting_key_shows_nothing(
    qapp: QApplication, open_ws: OpenWs
) -> None:
    seen: list[str] = []
    QTimer.singleShot(0, lambda: seen.extend(_visible_progress()))
    close_workspace(open_ws("serik"))
    qapp.processEvents()
    assert seen == []
