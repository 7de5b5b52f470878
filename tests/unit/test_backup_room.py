"""Backups on a disk that is filling up: refused with the figures, never half-written, and the
scheduled ones make their own room first; the database's copy is taken beside the data."""

from __future__ import annotations

import errno
import os
import shutil
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
import sqlcipher3
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.errors import DatabaseError, StorageFull
from app.i18n import set_language
from app.services import backup
from app.services.backup import backup_if_due, backups_to_keep, restore_backup, scheduled_backups
from app.services.cases import CaseService
from app.services.installation import unlock
from app.services.records import PersonInput
from app.services.workspace import Workspace
from tests.builders import wage_case
from tests.conftest import PASSWORD, snapshot

START = datetime(2026, 1, 1, 18, 30, tzinfo=UTC)


class Usage(NamedTuple):
    total: int
    used: int
    free: int


def disk_of(capacity: Callable[[], int], folder: Path) -> Callable[[object], Usage]:
    """A disk of ``capacity()`` bytes holding what is under ``folder`` and nothing else."""

    def usage(_path: object) -> Usage:
        used = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        return Usage(capacity(), used, max(0, capacity() - used))

    return usage


def test_a_full_disk_refuses_a_backup_with_its_figures_and_writes_nothing(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: Usage(10 * 2**30, 0, 300 * 2**20))
    stick = tmp_path / "stick"
    stick.mkdir()
    out = stick / "copy.qbackup"
    with pytest.raises(DatabaseError) as refused:
        backup.create_backup(ws, out)
    message = str(refused.value)
    assert "not enough free space" in message
    assert "300 MB is free" in message and str(ws.paths.data_dir) in message
    assert list(stick.iterdir()) == []
    assert not list(ws.paths.backups.glob(f"{backup.COPY_PREFIX}*"))
    with pytest.raises(DatabaseError):
        backup_if_due(ws, START)
    assert scheduled_backups(ws.paths) == []


def test_on_a_full_disk_todays_backup_first_removes_what_it_makes_redundant(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "DISK_RESERVE", 0)  # the test's disk holds only the backups
    for day in range(12):
        backup_if_due(ws, START + timedelta(days=day))
    before = scheduled_backups(ws.paths)
    today = START + timedelta(days=12)
    keep = backups_to_keep([stamp for stamp, _path in before] + [today])
    redundant = [path for stamp, path in before if stamp not in keep]
    assert redundant  # the rotation after today's backup would remove them
    wal = ws.paths.db.with_name(ws.paths.db.name + "-wal")
    copy = ws.paths.db.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    used = sum(p.stat().st_size for p in ws.paths.backups.rglob("*") if p.is_file())
    # One byte short of a backup's room (its copy and its file) until the redundant go.
    capacity = used + 2 * copy - 1
    monkeypatch.setattr(shutil, "disk_usage", disk_of(lambda: capacity, ws.paths.backups))

    written = backup_if_due(ws, today)

    assert written is not None
    after = [path for _stamp, path in scheduled_backups(ws.paths)]
    assert written.path in after
    assert not any(path in after for path in redundant)
    with ws.read() as session:
        rotated = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "backup.rotate")
        ).scalars()
        removed = {name for details in rotated for name in details["removed"]}
    assert {path.name for path in redundant} <= removed


def test_a_disk_too_full_even_after_the_rotation_keeps_every_backup_it_still_needs(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in range(3):  # three days: nothing redundant yet
        backup_if_due(ws, START + timedelta(days=day))
    before = scheduled_backups(ws.paths)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: Usage(2**30, 2**30, 0))
    with pytest.raises(DatabaseError, match="not enough free space"):
        backup_if_due(ws, START + timedelta(days=3))
    assert scheduled_backups(ws.paths) == before


def test_the_database_copy_is_taken_beside_the_data_and_a_crash_left_one_is_removed(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    copies: list[Path] = []
    real = backup.backup_database
    monkeypatch.setattr(
        backup, "backup_database", lambda db, target: (copies.append(target), real(db, target))
    )
    backup.create_backup(ws, tmp_path / "b.qbackup")
    assert copies and copies[0].parent.parent == ws.paths.backups  # not the system's temp
    assert not copies[0].parent.exists()  # gone once packed

    crashed = ws.paths.backups / f"{backup.COPY_PREFIX}left"
    crashed.mkdir()
    (crashed / "qorgau.db").write_bytes(b"x" * 1000)
    under_way = ws.paths.backups / f"{backup.COPY_PREFIX}now"
    under_way.mkdir()
    (under_way / "qorgau.db").write_bytes(b"x")
    old = time.time() - backup.STALE_COPY_S - 60
    for path in (crashed / "qorgau.db", crashed):
        os.utime(path, (old, old))
    backup.rotate_backups(ws.paths)
    assert not crashed.exists()
    assert under_way.exists()  # minutes old: perhaps being packed by another Qorgau


def test_sizes_read_as_bytes_kilobytes_megabytes_or_gigabytes() -> None:
    from app.i18n import format_size

    assert [format_size(n) for n in (512, 1536, 300 * 2**20, 5 * 2**30 + 2**29)] == [
        "512 bytes",
        "1.5 KB",
        "300 MB",
        "5.5 GB",
    ]


def sqlite_full() -> sqlcipher3.OperationalError:
    """What SQLite raises when the disk fills under it (SQLITE_FULL)."""
    error = sqlcipher3.OperationalError("database or disk is full")
    error.sqlite_errorcode = 13
    return error


def test_a_disk_that_fills_while_the_database_is_copied_is_said_and_leaves_nothing(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The room is checked first, but the disk may fill meanwhile (another program, the
    database's own log): SQLite's "database or disk is full" reached the user as an
    internal error in English."""

    def fills(_db: object, target: Path) -> None:
        target.write_bytes(b"half a copy")
        raise sqlite_full()

    monkeypatch.setattr(backup, "backup_database", fills)
    out = tmp_path / "copy.qbackup"
    with pytest.raises(StorageFull, match="is full; nothing was saved"):
        backup.create_backup(ws, out)
    assert not out.exists() and not out.with_name(out.name + ".part").exists()
    assert not list(ws.paths.backups.glob(f"{backup.COPY_PREFIX}*"))


def beside_the_database(paths: Paths) -> dict[str, bytes]:
    """The data folder's files but the database, whose header a restore switches out of WAL
    (its bytes change, not what it holds: the test reads that back)."""
    return {k: v for k, v in snapshot(paths.data_dir).items() if not k.startswith("qorgau.db")}


class MadeBackup(NamedTuple):
    paths: Paths
    file: Path
    case_since: str  # the number of a case saved after the backup


@pytest.fixture
def made_backup(ws: Workspace, tmp_path: Path) -> MadeBackup:
    """An installation, its backup and a case saved since; the window closed."""
    out = backup.create_backup(ws, tmp_path / "night.qbackup").path
    number = wage_case(ws, PersonInput(surname="Сәрсенбаев", given_names="Нұрлан")).number
    paths = ws.paths
    ws.close()
    return MadeBackup(paths, out, number)


def test_a_restore_without_room_on_the_disk_is_refused_before_anything_changes(
    made_backup: MadeBackup, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, out, _case = made_backup
    before = snapshot(paths.data_dir)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: Usage(2**30, 2**30 - 2**20, 2**20))
    for attempt in (
        lambda: backup.check_backup_for_restore(paths, out),  # the window asks this first
        lambda: restore_backup(paths, out, "admin", PASSWORD, confirmed=True),
    ):
        with pytest.raises(DatabaseError) as refused:
            attempt()
        message = str(refused.value)
        assert message.startswith("The backup cannot be restored; nothing was changed.")
        assert "1 MB is free" in message
    assert snapshot(paths.data_dir) == before
    assert [p.name for p in paths.data_dir.iterdir() if p.name.startswith(".restore-")] == []


@pytest.mark.parametrize("lang", ["en", "kk"])
def test_a_disk_that_fills_while_the_current_files_are_kept_changes_nothing(
    made_backup: MadeBackup, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """The files a restore replaces are copied to backups/ first; a disk that filled then
    stopped the restore with "internal error: [Errno 28] No space left on device" and left
    an empty replaced-by-restore folder behind."""
    paths, out, case_since = made_backup
    before = beside_the_database(paths)
    real_copy = shutil.copy2

    def copy_then_fill(source: Path, target: Path) -> None:
        real_copy(source, target)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(shutil, "copy2", copy_then_fill)
    set_language(lang)
    try:
        with pytest.raises(StorageFull) as refused:
            restore_backup(paths, out, "admin", PASSWORD, confirmed=True)
    finally:
        set_language("en")
    said = {
        "en": "The disk holding Qorgau's data is full; nothing was changed.",
        "kk": "Qorgau деректері тұрған дискіде бос орын қалмады",
    }
    assert said[lang] in str(refused.value)
    assert "Errno" not in str(refused.value)
    assert beside_the_database(paths) == before
    assert not list(paths.backups.glob("replaced-by-restore-*"))
    monkeypatch.undo()
    ws = unlock(paths, "admin", PASSWORD)
    try:  # the case saved after the backup is still there
        assert case_since in [row.number for row in CaseService(ws).list_cases()]
    finally:
        ws.close()


def test_a_restore_under_way_keeps_its_folder_and_an_older_versions_goes_when_old(
    tmp_path: Path,
) -> None:
    """The folders of restores killed half-way are removed; one whose restore still runs (its
    lock held, here by this process) is not, nor one of an older version until it is old."""
    data = tmp_path / "data"
    live, crashed, older = (data / f"{backup.RESTORE_STAGING_PREFIX}{n}" for n in "abc")
    for folder in (live, crashed, older):
        folder.mkdir(parents=True)
        (folder / "qorgau.db").write_bytes(b"a whole copy")
    held = backup.hold_lock(live / backup.STAGING_LOCK)
    os.close(backup.hold_lock(crashed / backup.STAGING_LOCK))  # its process is gone
    try:
        assert backup.remove_crashed_restores(data) == [crashed]
        old = time.time() - backup.STALE_COPY_S - 60
        for path in (older / "qorgau.db", older):
            os.utime(path, (old, old))
        assert backup.remove_crashed_restores(data) == [older]
        assert live.exists()
    finally:
        os.close(held)
