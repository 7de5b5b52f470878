"""Scheduled backups: at most daily, rotated 7 daily + 4 weekly, and they restore."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.errors import DatabaseBusy, DatabaseError, PermissionDenied
from app.services.backup import (
    MAX_AGE,
    backup_if_due,
    backups_to_keep,
    create_backup,
    restore_backup,
    rotate_backups,
    scheduled_backups,
    scheduled_dir,
)
from app.services.installation import unlock
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD

START = datetime(2026, 1, 1, 18, 30, tzinfo=UTC)  # a Thursday


def test_keeps_newest_per_day_for_seven_days_and_per_week_for_four() -> None:
    stamps = [START + timedelta(days=d, hours=h) for d in range(60) for h in (0, 2)]
    keep = backups_to_keep(stamps)
    newest = max(stamps)
    daily = sorted(k for k in keep if k > newest - timedelta(days=7))
    assert daily == [START + timedelta(days=d, hours=2) for d in range(53, 60)]
    older = sorted(k for k in keep if k <= newest - timedelta(days=7))
    # Weeks 1-4 back: the newest of the current week is already a daily; 3 older weeks remain,
    # each kept as its Sunday (the newest of an ISO week).
    assert all(k.isoweekday() == 7 for k in older)
    assert len(older) == 3
    assert len(keep) == 10


def test_no_backup_is_kept_more_than_five_weeks_before_the_newest() -> None:
    """The fault: the weeks kept were the last four that had a backup, so on a laptop used
    now and then a backup months old stayed, holding the cases retention anonymised since.
    Now none older than ``MAX_AGE`` (five weeks) before the newest stays; the newest always."""
    sparse = [START + timedelta(days=d) for d in (0, 45, 90, 135, 180)]
    assert backups_to_keep(sparse) == {sparse[-1]}
    weekly = [START + timedelta(days=d) for d in range(0, 180, 7)]
    kept = backups_to_keep(weekly)
    assert min(kept) >= max(weekly) - MAX_AGE and max(weekly) in kept
    assert MAX_AGE == timedelta(days=35)
    # A daily user's rotation is as it was: seven days and four weeks are within five weeks.
    daily = [START + timedelta(days=d) for d in range(60)]
    assert backups_to_keep(daily) == backups_to_keep(daily, max_age=timedelta(days=3650))


def test_rotation_removes_a_backup_older_than_five_weeks_once_a_new_one_is_written(
    ws: Workspace,
) -> None:
    old = backup_if_due(ws, START)
    assert old is not None
    newer = backup_if_due(ws, START + timedelta(days=60))
    assert newer is not None
    assert [p for _stamp, p in scheduled_backups(ws.paths)] == [newer.path]
    assert not old.path.exists()


def test_backup_is_made_once_a_day_and_rotated(ws: Workspace) -> None:
    made = []
    for day in range(40):
        now = START + timedelta(days=day)
        first = backup_if_due(ws, now)
        assert first is not None
        made.append(first.path)
        assert backup_if_due(ws, now + timedelta(hours=3)) is None  # same day: not again
    kept = [stamp.date().isoformat() for stamp, _path in scheduled_backups(ws.paths)]
    # Day 39 is Monday 9 February: the 7 last days, then the Sundays closing the two ISO weeks
    # before (the other two of the 4 weeks are the current and the last, already kept daily).
    assert kept == ["2026-01-25", "2026-02-01", *[f"2026-02-0{d}" for d in range(3, 10)]]
    on_disk = [p for _stamp, p in scheduled_backups(ws.paths)]
    assert made[-1] in on_disk and made[0] not in on_disk
    assert not list(scheduled_dir(ws.paths).glob("*.part"))
    with ws.read() as session:
        rotations = session.execute(
            select(AuditEntry).where(AuditEntry.action == "backup.rotate")
        ).scalars()
        removed = [name for entry in rotations for name in entry.details["removed"]]
    assert len(removed) == 40 - 9
    assert made[0].name in removed


def test_a_clock_set_back_a_year_still_backs_up_daily_and_removes_no_backup(
    ws: Workspace,
) -> None:
    """The fault: with the clock set back (a flat battery, a year typed wrong) the newest
    backup was stamped after today, so no backup was due until that date came round again;
    and one made then, five weeks "older" than the newest, went in the rotation after it."""
    before = [backup_if_due(ws, START + timedelta(days=day)) for day in range(3)]
    assert None not in before
    set_back = START + timedelta(days=3) - timedelta(days=365)
    made = [backup_if_due(ws, set_back + timedelta(days=day)) for day in range(2)]
    assert None not in made
    assert backup_if_due(ws, set_back + timedelta(days=1, hours=3)) is None  # once a day
    on_disk = {path for _stamp, path in scheduled_backups(ws.paths)}
    assert on_disk == {info.path for info in before + made if info is not None}


def test_other_files_in_the_folder_are_never_rotated(ws: Workspace) -> None:
    folder = scheduled_dir(ws.paths)
    folder.mkdir(parents=True)
    mine = folder / "copy-for-the-consul.qbackup"
    mine.write_bytes(b"kept")
    for day in range(12):
        backup_if_due(ws, START + timedelta(days=day))
    assert mine.read_bytes() == b"kept"
    assert rotate_backups(ws.paths) == []


def test_a_scheduled_backup_restores_into_a_fresh_folder(ws: Workspace, tmp_path: Path) -> None:
    UserService(ws).add("dana", "attache", PASSWORD)
    info = backup_if_due(ws, START)
    assert info is not None and info.size > 0
    fresh = Paths(tmp_path / "fresh")
    # Restoring needs an administrator (of the backup, into an empty folder); an attaché not.
    with pytest.raises(PermissionDenied):
        restore_backup(fresh, info.path, "dana", PASSWORD)
    assert not fresh.db.exists() and not fresh.keyslots.exists()
    result = restore_backup(fresh, info.path, "admin", PASSWORD)
    assert result.mission_code == "SEL"
    restored = unlock(fresh, "dana", PASSWORD)
    try:
        assert restored.actor.role == "attache"
        assert restored.mission.code == "SEL"
    finally:
        restored.close()


def test_ctrl_c_while_a_backup_is_written_leaves_no_half_file(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while the database is copied, then while the ZIP is written: neither leaves a
    half-written file (a ``.part`` a person might take for a backup), and a later backup works."""
    import zipfile

    from app.services import backup

    real_open_raw = backup.open_raw

    class Interrupted:
        def __init__(self, conn: object) -> None:
            self.conn = conn

        def backup(self, _dest: object) -> None:
            raise KeyboardInterrupt

        def close(self) -> None:
            self.conn.close()  # type: ignore[attr-defined]

    monkeypatch.setattr(backup, "open_raw", lambda *a: Interrupted(real_open_raw(*a)))
    copy = tmp_path / "copy.db"
    with pytest.raises(KeyboardInterrupt):
        backup.backup_database(ws.db, copy)
    assert not copy.exists() and not copy.with_name("copy.db.part").exists()
    monkeypatch.setattr(backup, "open_raw", real_open_raw)

    def interrupted_write(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    real_write = zipfile.ZipFile.write
    monkeypatch.setattr(zipfile.ZipFile, "write", interrupted_write)
    out = tmp_path / "b.qbackup"
    with pytest.raises(KeyboardInterrupt):
        backup.create_backup(ws, out)
    assert not out.exists() and not out.with_name("b.qbackup.part").exists()
    monkeypatch.setattr(zipfile.ZipFile, "write", real_write)
    assert backup.create_backup(ws, out).path == out


def test_todays_backup_behind_a_long_import_is_audited_once_the_lock_is_free(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written a minute after sign-in, when an HQ operator is often importing: its audit entry
    waited out the busy timeout behind the import's transaction and the backup, written, was
    said to have failed and left unaudited. The entry is tried again."""
    writes = ws.write
    refused: list[int] = []

    def busy_twice() -> object:
        if len(refused) < 2:
            refused.append(1)
            raise DatabaseBusy("The database is busy: another Qorgau is writing to it.")
        return writes()

    monkeypatch.setattr(ws, "write", busy_twice)
    info = backup_if_due(ws, datetime(2026, 11, 24, 9, 0, tzinfo=UTC))
    monkeypatch.undo()
    assert info is not None and info.path.exists() and len(refused) == 2
    with ws.read() as session:
        audited = (
            session.execute(select(AuditEntry.details).where(AuditEntry.action == "backup.create"))
            .scalars()
            .all()
        )
    assert audited == [{"file": info.path.name}]


def test_a_backup_that_cannot_be_written_names_the_file_chosen_not_its_part_file(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk was said as "no space left on the disk: …/b.qbackup.part", a file the user
    never chose and that is gone once the message is read."""
    import errno
    import zipfile

    out = tmp_path / "b.qbackup"

    def disk_full(*_args: object, **_kwargs: object) -> None:
        part = str(out.with_name(out.name + ".part"))
        raise OSError(errno.ENOSPC, "No space left on device", part)

    monkeypatch.setattr(zipfile.ZipFile, "write", disk_full)
    with pytest.raises(DatabaseError) as refused:
        create_backup(ws, out)
    assert str(refused.value) == f"{out} cannot be written: no space left on the disk"
    assert not out.exists() and not out.with_name("b.qbackup.part").exists()


def test_a_folder_that_cannot_take_the_backup_is_said_before_the_copy_and_in_words(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder that is not there was found only after the whole database was copied; a path
    through a file came out as "internal error: [Errno 20] Not a directory: '….part'"."""
    from app.services import backup

    copied: list[Path] = []
    monkeypatch.setattr(backup, "backup_database", lambda _db, target: copied.append(target))
    stick = tmp_path / "stick"
    stick.mkdir()
    a_file = stick / "notes.txt"
    a_file.write_text("not a folder")
    refusals = {
        stick / "gone" / "b.qbackup": "no such file or folder",
        a_file / "b.qbackup": "a part of the path is not a folder",
    }
    for out, reason in refusals.items():
        with pytest.raises(DatabaseError) as refused:
            create_backup(ws, out)
        assert str(refused.value) == f"{out} cannot be written: {reason}"
    assert copied == []  # refused before the database was copied
    assert [p.name for p in stick.iterdir()] == ["notes.txt"]


def test_a_full_data_disk_while_the_copy_is_taken_is_said_in_words(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy of the key file beside the data failed on a full disk: the system's English
    came out as an internal error."""
    import errno

    from app.services import backup

    def disk_full(_source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(backup.shutil, "copyfile", disk_full)
    stick = tmp_path / "stick"
    stick.mkdir()
    with pytest.raises(DatabaseError, match="The disk holding Qorgau's data is full"):
        create_backup(ws, stick / "b.qbackup")
    assert list(stick.iterdir()) == []
    assert not any(p.name.startswith(backup.COPY_PREFIX) for p in ws.paths.backups.iterdir())
