"""Encrypted backups through SQLite's online backup API, and restore.

A backup file is a ZIP holding ``qorgau.db`` (a consistent copy, still encrypted with the same
key), ``keyslots.json`` (without it the copy cannot be opened) and ``manifest.json`` (what it
holds and the SHA-256 of each member). Restore checks all of that, and that the user can unlock
the copy, before it replaces anything; the database it replaces is kept beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.config import DB_FILENAME, KEYSLOTS_FILENAME, Paths
from app.db.engine import Database, open_raw
from app.errors import DatabaseError
from app.i18n import _
from app.security.keyslots import KeySlotStore
from app.services.workspace import Workspace

BACKUP_FORMAT = "qorgau-backup"
BACKUP_VERSION = 1
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: datetime
    mission_code: str
    size: int


def backup_database(db: Database, target: Path) -> None:
    """Copy the live database to ``target`` (same key) with the online backup API."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    source = open_raw(db.path, db.key)
    try:
        dest = open_raw(tmp, db.key)
        try:
            source.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            dest.close()
    finally:
        source.close()
    os.replace(tmp, target)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def create_backup(workspace: Workspace, out: Path) -> BackupInfo:
    """Write a backup ZIP to ``out``; an existing file there is refused, not overwritten."""
    if out.exists():
        raise DatabaseError(_("{path} already exists; choose another file name.").format(path=out))
    created = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="qorgau-backup-") as tmpdir:
        copy = Path(tmpdir) / DB_FILENAME
        backup_database(workspace.db, copy)
        manifest = {
            "format": BACKUP_FORMAT,
            "version": BACKUP_VERSION,
            "created_at": created.isoformat(timespec="seconds"),
            "mission_code": workspace.mission_code,
            "database_id": workspace.database_id,
            "members": {
                DB_FILENAME: {"sha256": _sha256(copy), "size": copy.stat().st_size},
                KEYSLOTS_FILENAME: {
                    "sha256": _sha256(workspace.paths.keyslots),
                    "size": workspace.paths.keyslots.stat().st_size,
                },
            },
        }
        part = out.with_name(out.name + ".part")
        try:
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
                archive.write(copy, DB_FILENAME)
                archive.write(workspace.paths.keyslots, KEYSLOTS_FILENAME)
            os.replace(part, out)
        except OSError as exc:
            part.unlink(missing_ok=True)
            raise DatabaseError(
                _("The backup cannot be written: {error}").format(error=exc.strerror)
            ) from None
    with workspace.write() as session:
        workspace.audit(
            session, "backup.create", "installation", workspace.mission_code, {"file": out.name}
        )
    return BackupInfo(out, created, workspace.mission_code, out.stat().st_size)


def _read_backup(file: Path, into: Path) -> dict[str, object]:
    """Unpack and check a backup into folder ``into``; returns its manifest."""
    bad = _("{name} is not a Qorgau backup, or it is damaged.").format(name=file.name)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if names != {MANIFEST, DB_FILENAME, KEYSLOTS_FILENAME}:
                raise DatabaseError(bad)
            manifest = json.loads(archive.read(MANIFEST))
            if manifest.get("format") != BACKUP_FORMAT:
                raise DatabaseError(bad)
            if manifest.get("version") != BACKUP_VERSION:
                raise DatabaseError(_("This backup was made by another version of Qorgau."))
            for name in (DB_FILENAME, KEYSLOTS_FILENAME):
                info = archive.getinfo(name)
                expected = manifest["members"][name]
                if info.file_size != expected["size"]:
                    raise DatabaseError(bad)
                target = into / name
                with archive.open(info) as src, target.open("wb") as dst:
                    shutil.copyfileobj(src, dst)
                if _sha256(target) != expected["sha256"]:
                    raise DatabaseError(bad)
    except FileNotFoundError:
        raise DatabaseError(_("{path} does not exist.").format(path=file)) from None
    except (zipfile.BadZipFile, KeyError, TypeError, ValueError):
        raise DatabaseError(bad) from None
    return dict(manifest)


def restore_backup(paths: Paths, file: Path, username: str, password: str) -> dict[str, object]:
    """Replace the installation in ``paths`` with the backup, after checking it opens."""
    paths.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=paths.data_dir) as tmpdir:
        staging = Path(tmpdir)
        manifest = _read_backup(file, staging)
        key = KeySlotStore(staging / KEYSLOTS_FILENAME).unlock(username, password)
        check = open_raw(staging / DB_FILENAME, key)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if ok != "ok":
            raise DatabaseError(_("The database in this backup is damaged."))
        if paths.db.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
            keep = paths.backups / f"replaced-by-restore-{stamp}"
            keep.mkdir(parents=True, exist_ok=True)
            for name in (
                DB_FILENAME,
                DB_FILENAME + "-wal",
                DB_FILENAME + "-shm",
                KEYSLOTS_FILENAME,
            ):
                current = paths.data_dir / name
                if current.exists():
                    shutil.copy2(current, keep / name)
            for suffix in ("-wal", "-shm"):
                (paths.data_dir / (DB_FILENAME + suffix)).unlink(missing_ok=True)
        os.replace(staging / DB_FILENAME, paths.db)
        os.replace(staging / KEYSLOTS_FILENAME, paths.keyslots)
    return manifest


# -- scheduled backups with rotation -------------------------------------------------------------

SCHEDULED_DIRNAME = "scheduled"
SCHEDULED_PREFIX = "qorgau-"
SCHEDULED_SUFFIX = ".qbackup"
_STAMP = "%Y%m%d-%H%M%S"
KEEP_DAILY = 7
KEEP_WEEKLY = 4


def scheduled_dir(paths: Paths) -> Path:
    return paths.backups / SCHEDULED_DIRNAME


def _scheduled_name(at: datetime) -> str:
    return f"{SCHEDULED_PREFIX}{at.astimezone(UTC).strftime(_STAMP)}Z{SCHEDULED_SUFFIX}"


def _stamp_of(path: Path) -> datetime | None:
    name = path.name
    if not (name.startswith(SCHEDULED_PREFIX) and name.endswith("Z" + SCHEDULED_SUFFIX)):
        return None
    stamp = name[len(SCHEDULED_PREFIX) : -len("Z" + SCHEDULED_SUFFIX)]
    try:
        return datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def scheduled_backups(paths: Paths) -> list[tuple[datetime, Path]]:
    """The scheduled backups on disk, oldest first (files of other names are not ours)."""
    folder = scheduled_dir(paths)
    if not folder.is_dir():
        return []
    found = [(stamp, p) for p in folder.iterdir() if (stamp := _stamp_of(p)) is not None]
    return sorted(found)


def backups_to_keep(
    stamps: list[datetime], daily: int = KEEP_DAILY, weekly: int = KEEP_WEEKLY
) -> set[datetime]:
    """Grandfather-father rotation: the newest backup of each of the last ``daily`` days
    that have one, and the newest of each of the last ``weekly`` ISO weeks that have one."""
    keep: set[datetime] = set()
    days: dict[object, datetime] = {}
    weeks: dict[object, datetime] = {}
    for stamp in sorted(stamps, reverse=True):
        days.setdefault(stamp.date(), stamp)
        weeks.setdefault(stamp.isocalendar()[:2], stamp)
    keep.update(list(days.values())[:daily])
    keep.update(list(weeks.values())[:weekly])
    return keep


def rotate_backups(paths: Paths, daily: int = KEEP_DAILY, weekly: int = KEEP_WEEKLY) -> list[Path]:
    """Delete the scheduled backups the rotation no longer keeps; returns what was removed."""
    found = scheduled_backups(paths)
    keep = backups_to_keep([stamp for stamp, _path in found], daily, weekly)
    removed = []
    for stamp, path in found:
        if stamp not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    if scheduled_dir(paths).is_dir():
        for leftover in scheduled_dir(paths).glob("*.part"):
            leftover.unlink(missing_ok=True)  # a backup interrupted by a crash
    return removed


def backup_is_due(paths: Paths, now: datetime) -> bool:
    """At most one scheduled backup per (UTC) day."""
    found = scheduled_backups(paths)
    return not found or found[-1][0].date() < now.astimezone(UTC).date()


def backup_if_due(workspace: Workspace, now: datetime | None = None) -> BackupInfo | None:
    """The UI calls this on exit: a backup when none was made today, then the rotation.

    Manual backups (``create_backup`` to a file the user chose) are never rotated.
    """
    now = now or datetime.now(UTC)
    paths = workspace.paths
    if not backup_is_due(paths, now):
        return None
    scheduled_dir(paths).mkdir(parents=True, exist_ok=True)
    info = create_backup(workspace, scheduled_dir(paths) / _scheduled_name(now))
    removed = rotate_backups(paths)
    if removed:
        with workspace.write() as session:
            workspace.audit(
                session,
                "backup.rotate",
                "installation",
                workspace.mission_code,
                {"removed": [p.name for p in removed]},
            )
    return info
