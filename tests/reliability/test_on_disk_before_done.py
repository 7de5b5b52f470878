"""A bundle is on the disk before it is logged as sent, a backup before it is said written.

Both were renamed into place from the system's cache: a power cut right after (the log, synced
by SQLite, says the bundle was sent, so the next export starts after it), or a USB stick
pulled out once Qorgau said "written", left an empty or half file where a whole one was
promised. A power cut cannot be replayed in a test: the step is checked instead, by recording
which files the disk was made to hold (``os.fsync``) at the moment the work is declared done.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import ExchangeLog
from app.services import exchange
from app.services.backup import create_backup
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration import test_exchange as shared
from tests.integration.test_exchange import Site

sites, hq, sel = shared.sites, shared.hq, shared.sel


class Synced:
    """The files and folders (device, inode) ``os.fsync`` was called on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.held: set[tuple[int, int]] = set()
        real = os.fsync

        def fsync(fd: int) -> None:
            found = os.fstat(fd)
            self.held.add((found.st_dev, found.st_ino))
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)

    def holds(self, path: Path) -> bool:
        found = path.stat()
        return (found.st_dev, found.st_ino) in self.held


def test_a_bundle_is_on_the_disk_before_it_is_logged_as_sent(
    sel: Site, hq: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced = Synced(monkeypatch)
    stick = tmp_path / "stick"
    stick.mkdir()
    out = stick / "to-astana.qbundle"
    seen: list[tuple[bool, bool]] = []
    record = exchange.ExchangeService._record_export

    def logged(self: exchange.ExchangeService, *args: object, **kwargs: object) -> None:
        seen.append((synced.holds(out), synced.holds(stick)))  # the moment it counts as sent
        record(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(exchange.ExchangeService, "_record_export", logged)
    sel.exchange.export_cases(out, [hq.recipient])

    assert seen == [(True, True)]  # the file and its name in the folder
    with sel.ws.read() as session:
        assert len(session.execute(select(ExchangeLog)).all()) == 1


def test_a_backup_is_on_the_disk_before_it_is_said_written(
    installation: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "stick"
    stick.mkdir()
    ws = unlock(installation, "admin", PASSWORD)
    try:
        synced = Synced(monkeypatch)
        made = create_backup(ws, stick / "monday.qbackup").path
    finally:
        ws.close()
    assert synced.holds(made) and synced.holds(stick)
