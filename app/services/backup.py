"""Encrypted backups through SQLite's online backup API, and restore.

A backup file is a ZIP holding ``qorgau.db`` (a consistent copy, still encrypted with the key
it had then), ``keyslots.json`` (without it the copy cannot be opened elsewhere) and
``manifest.json`` (what it holds, the installation's database id and the SHA-256 of each
member). Every file is created 0600 (``app.security.private_files``). A backup made while a
revocation's re-key waits for other windows (the file still has the key the revoked officer
held) gets a key of its own, sealed to every slot left in its key file.

Who may do what (roles are checked here, not only in the UI):

- a backup to a file of the user's choice takes every case out of the installation: only an
  administrator or a consul (the head of section who answers for the mission's records) may
  make one. The daily backup on exit stays inside the data folder and runs for everyone.
- restore over an installation needs an administrator of *that* installation, signed in with
  the current key file, and refuses a backup of another installation (its database id). It
  goes back in time, so the caller must confirm it (``confirmed``). The restored copy is
  re-keyed to the current key and the current key slots are kept: a user revoked since the
  backup stays out (her account is deactivated again in the restored copy), and her old key,
  which still opens the backup file itself, opens nothing current.
  The current signing key pair and registry of trusted keys are kept too: a backup from before
  a revocation holds the signing key the revoked officer could copy.
- restore into an empty folder (a new laptop) needs an administrator of the backup.
- a re-key that waited for other windows is finished by the restore (it runs alone), so the
  restored file never keeps the key a revocation retired.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO

import sqlcipher3
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import DB_FILENAME, KEYSLOTS_FILENAME, Paths
from app.db.engine import Database, user_facing
from app.db.migrate import ensure_schema
from app.db.models import LocalSecret, Mission, Setting, User
from app.db.raw import fold_into_one_file, leave_wal, open_raw, whole_file_lock
from app.domain.codes import Role
from app.domain.roles import SENIOR_ROLES
from app.errors import (
    AuthError,
    DatabaseBusy,
    DatabaseError,
    PermissionDenied,
    QorgauError,
    WrittenByNewerVersion,
)
from app.i18n import _, format_datetime, format_size
from app.os_errors import os_error_reason, os_error_text
from app.security import audit
from app.security.audit import Signer
from app.security.keyslots import KeySlotStore, PendingKey, signing_public
from app.security.login_guard import LoginGuard, with_wait
from app.security.private_files import (
    DIR_MODE,
    hold_lock,
    lock_is_free,
    make_private,
    make_private_dir,
    open_private,
    storage_error,
    sync_file,
    sync_folder,
    touch_private,
)
from app.security.rekey import finish_waiting, key_opens, rekey_database, retire_waiting_key
from app.security.user_ledger import SIGNING_KEYS, SINCE, current_keys, entries_since, signer
from app.services.installation import AGE_IDENTITY, SIGNING_KEY, prove_password
from app.services.server_hq import backups_message, refuse_on_server
from app.services.users import SPECIAL_SLOTS_SETTING
from app.services.workspace import Workspace
from app.untrusted import UNREADABLE_MEMBER, json_from_outside, zip_directory_size_in

BACKUP_FORMAT = "qorgau-backup"
BACKUP_VERSION = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024  # some 500 bytes: a larger one is not ours (nor read whole)
# What reading a damaged archive raises; TypeError: a manifest's member entry of another type.
_NOT_A_BACKUP: tuple[type[Exception], ...] = (*UNREADABLE_MEMBER, TypeError)
BACKUP_ROLES = SENIOR_ROLES
RESTORE_ROLE = Role.ADMIN


class NoRoomForBackup(DatabaseError):
    """The disk has too little free space for the backup (``room_lacking``): said where it is
    seen, not only in passing, as the same disk holds the database."""


class ConfirmationRequired(QorgauError):
    """The action goes back in time; the caller asks the user and calls again confirmed."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created_at: datetime
    mission_code: str
    size: int


@dataclass(frozen=True)
class RestoreResult:
    created_at: str
    mission_code: str
    database_id: str
    # Users with an account in the backup but no key slot now (revoked since): deactivated.
    deactivated: list[str] = field(default_factory=list)
    # Users with a key slot now but no account in the backup (added since): cannot sign in.
    without_account: list[str] = field(default_factory=list)
    # Where the files it replaced are kept (None: restored into an empty folder).
    replaced_in: Path | None = None


def backup_database(db: Database, target: Path) -> None:
    """Copy the live database to ``target`` (same key) with the online backup API."""
    make_private_dir(target.parent)
    tmp = target.with_name(target.name + ".part")
    tmp.unlink(missing_ok=True)
    touch_private(tmp)  # SQLite would create it 0644 under a usual umask
    try:
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
    finally:
        tmp.unlink(missing_ok=True)  # failed or interrupted (Ctrl+C): no half copy is left


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def create_backup(workspace: Workspace, out: Path) -> BackupInfo:
    """Write a backup ZIP to ``out`` (administrators and consuls); never overwrites a file."""
    workspace.require_role(*BACKUP_ROLES)
    refuse_on_server(workspace.on_server, backups_message())
    return _write_backup(workspace, out)


def _write_backup(workspace: Workspace, out: Path) -> BackupInfo:
    # A re-key (a revocation) waits for the whole backup: it needs the only connection.
    with whole_file_lock(workspace.paths.db):
        return _write_backup_locked(workspace, out)


def _write_backup_locked(workspace: Workspace, out: Path) -> BackupInfo:
    if out.exists():
        raise DatabaseError(_("{path} already exists; choose another file name.").format(path=out))
    part = out.with_name(out.name + PART_SUFFIX)
    try:
        # The copy is taken beside the data, on its disk, not in the system's temporary
        # folder, which may be memory (a tmpfs) or another, smaller disk; 0700 like the data.
        # Made first: it is also where backups go by default.
        try:
            make_private_dir(workspace.paths.backups)
        except OSError as exc:
            raise storage_error(exc) from None
        _check_writable(out, part)
        remove_killed_parts(out.parent, workspace.database_id)  # their room counts too
        lacking = room_lacking(workspace.paths, out)
        if lacking:
            raise NoRoomForBackup(lacking)
        created = datetime.now(UTC)
        try:
            with tempfile.TemporaryDirectory(
                prefix=COPY_PREFIX, dir=workspace.paths.backups
            ) as tmpdir:
                _pack(workspace, Path(tmpdir), created, out, part)
        except _ChosenFileFailed as failed:
            raise _cannot_write(out, failed.error) from None
        except OSError as exc:
            raise storage_error(exc) from None  # the data folder's side: the copy, the key file
        except sqlcipher3.Error as exc:
            raise _copy_failed(exc) from None
    finally:
        _remove_quietly(part)  # failed or interrupted: no half backup is left
    _audit_when_free(workspace, "backup.create", {"file": out.name})
    return BackupInfo(out, created, workspace.mission_code, out.stat().st_size)


def _copy_failed(exc: sqlcipher3.Error) -> Exception:
    """SQLite's own failure while it copies the database (the disk filled after the room was
    checked, or failed): said as the data folder's full or failing disk, not "internal error:
    database or disk is full"."""
    return user_facing(exc) or exc


class _ChosenFileFailed(Exception):
    """Writing the file the user chose failed (told apart from the data folder's failures)."""

    def __init__(self, error: OSError) -> None:
        super().__init__(error)
        self.error = error


def _cannot_write(out: Path, exc: OSError) -> DatabaseError:
    # The file the user chose, not the ".part" the error names: that one is removed.
    return DatabaseError(
        _("{path} cannot be written: {error}").format(path=out, error=os_error_reason(exc))
    )


def _check_writable(out: Path, part: Path) -> None:
    """The chosen folder, tried before the database is copied (minutes for a large one): one
    that is not there, not a folder or read only is said at once, in the user's words."""
    try:
        open_private(part).close()
    except OSError as exc:
        raise _cannot_write(out, exc) from None


PART_SUFFIX = ".part"  # a backup being written, renamed to its name when whole
_ZIP_LOCAL_HEADER = b"PK\x03\x04"
_LOCAL_HEADER_BYTES = 30


def remove_killed_parts(folder: Path, database_id: str) -> list[Path]:
    """Remove the ``.part`` files backups of this installation left in ``folder`` when they
    were killed half-way (the task manager, a power cut): the user found "OUT.part", the
    database's size, in the folder they chose (a USB stick), and nothing removed it. A part is
    ours when it begins as ``_pack`` writes one, the manifest first, naming this database:
    a backup of it holds ``whole_file_lock``, so none of ours is being written meanwhile. Any
    other ``.part`` (another program's, another installation's) is left alone."""
    removed: list[Path] = []
    try:
        candidates = list(folder.glob("*" + PART_SUFFIX))
    except OSError:
        return removed
    for part in candidates:
        if part.is_symlink() or not part.is_file():
            continue
        if _manifest_database_id(part) == database_id:
            _remove_quietly(part)
            if not part.exists():
                removed.append(part)
    return removed


def _manifest_database_id(part: Path) -> str | None:
    """The database id in the manifest a backup's archive begins with (stored, not
    compressed, as ``_pack`` writes it); None for any other file."""
    try:
        with part.open("rb") as handle:
            header = handle.read(_LOCAL_HEADER_BYTES)
            if len(header) < _LOCAL_HEADER_BYTES or not header.startswith(_ZIP_LOCAL_HEADER):
                return None
            method = int.from_bytes(header[8:10], "little")
            size = int.from_bytes(header[18:22], "little")
            name_length = int.from_bytes(header[26:28], "little")
            extra_length = int.from_bytes(header[28:30], "little")
            if method != zipfile.ZIP_STORED or size > MAX_MANIFEST_BYTES:
                return None
            if handle.read(name_length) != MANIFEST.encode():
                return None
            handle.seek(extra_length, os.SEEK_CUR)
            manifest = json_from_outside(handle.read(size))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        return None
    found = manifest.get("database_id")
    return found if isinstance(found, str) else None


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass  # a path that cannot hold a file holds no leftover either (e.g. not a folder)


def _pack(workspace: Workspace, tmpdir: Path, created: datetime, out: Path, part: Path) -> None:
    """Copy the database and its key file into ``tmpdir``, then pack them into ``out``."""
    copy, keyslots = tmpdir / DB_FILENAME, tmpdir / KEYSLOTS_FILENAME
    backup_database(workspace.db, copy)
    shutil.copyfile(workspace.paths.keyslots, keyslots)  # the key file of this copy
    retire_waiting_key(copy, KeySlotStore(keyslots), workspace.db.key, workspace.pending_key)
    manifest = {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "created_at": created.isoformat(timespec="seconds"),
        "mission_code": workspace.mission_code,
        "database_id": workspace.database_id,
        "members": {
            DB_FILENAME: {"sha256": _sha256(copy), "size": copy.stat().st_size},
            KEYSLOTS_FILENAME: {"sha256": _sha256(keyslots), "size": keyslots.stat().st_size},
        },
    }
    try:
        with open_private(part) as raw:
            with zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as archive:
                archive.writestr(MANIFEST, json.dumps(manifest, indent=2))
                archive.write(copy, DB_FILENAME)
                archive.write(keyslots, KEYSLOTS_FILENAME)
            # On the disk before it is said written: a USB stick pulled out then, or a power
            # cut, left a backup that would not restore.
            sync_file(raw)
        os.replace(part, out)
        sync_folder(out.parent)
    except OSError as exc:
        raise _ChosenFileFailed(exc) from exc


# Left free on the data's disk after a backup: the database, its log and the system go on
# growing, and a disk filled by backups would stop every save.
DISK_RESERVE = 512 * 1024**2
COPY_PREFIX = "qorgau-backup-"  # the database's copy while it is packed (``paths.backups``)
STALE_COPY_S = 6 * 3600  # a copy left by a crash; one being packed is minutes old at most


def room_lacking(paths: Paths, out: Path) -> str | None:
    """What the disks lack to back ``paths``' database up to ``out``, in the user's words;
    None when there is room. The copy beside the data and the backup file each take about the
    database's size (with its log), and the data's disk keeps ``DISK_RESERVE`` besides."""
    size = database_bytes(paths.db)
    return disks_lacking([(paths.data_dir, size + DISK_RESERVE), (out.parent, size)])


def database_bytes(db: Path) -> int:
    """The database file's size with its write-ahead log: at most what a copy of it takes."""
    return sum(path.stat().st_size for path in (db, _wal(db)) if path.exists())


def disks_lacking(wanted: list[tuple[Path, int]]) -> str | None:
    """What the disks lack for ``wanted`` (a folder, the bytes to write there), said for the
    user; None when there is room. Folders on one disk add up."""
    needs: dict[int, tuple[Path, int]] = {}
    for folder, bytes_needed in wanted:
        try:
            device = folder.stat().st_dev
        except OSError:
            continue  # a folder that is not there: writing the file says so
        held, before = needs.get(device, (folder, 0))
        needs[device] = (held, before + bytes_needed)
    for folder, need in needs.values():
        free = shutil.disk_usage(folder).free
        if free < need:
            return _(
                "There is not enough free space on the disk of {folder}: the backup needs "
                "about {need} and {free} is free. Free some space there, or move older "
                "backups to another disk."
            ).format(folder=folder, need=format_size(need), free=format_size(free))
    return None


def _wal(db: Path) -> Path:
    return db.with_name(db.name + "-wal")


AUDIT_ATTEMPTS = 3  # each waits out the busy timeout (15 s): an HQ's 100k import holds ~25 s


def _audit_when_free(workspace: Workspace, action: str, details: dict[str, Any]) -> None:
    """The backup's audit entry, once the file is written. Today's backup is written a minute
    after sign-in, when an HQ operator is often importing: a write that waited out the busy
    timeout behind the import's transaction is tried again rather than leaving a written
    backup unaudited (and said to have failed)."""
    for attempt in range(1, AUDIT_ATTEMPTS + 1):
        try:
            with workspace.write() as session:
                workspace.audit(session, action, "installation", workspace.mission_code, details)
            return
        except DatabaseBusy:
            if attempt == AUDIT_ATTEMPTS:
                raise


# A backup has three members: its directory is some hundred bytes.
MAX_BACKUP_DIRECTORY_BYTES = 64 * 1024


def _backup_archive(file: Path) -> zipfile.ZipFile:
    """The backup ``file`` opened as a ZIP, once its directory's declared size is that of a
    backup: zipfile parses the whole directory as it opens a file, and a forged "backup" of
    millions of entries took the memory of the window that was asked to restore it."""
    with file.open("rb") as handle:
        if zip_directory_size_in(handle) > MAX_BACKUP_DIRECTORY_BYTES:
            raise zipfile.BadZipFile("directory larger than a backup's")
    return zipfile.ZipFile(file)


def _not_a_backup(file: Path) -> str:
    said = _("{name} is not a Qorgau backup, or it is damaged.").format(name=file.name)
    return f"{said} {_another_backup()}"


def _damaged_database() -> DatabaseError:
    said = _("The database in this backup is damaged.")
    return DatabaseError(f"{said} {_another_backup()}")


def _another_backup() -> str:
    """What to do with a backup that cannot be restored: the administrator told only that it
    was damaged did not know whether the data had been touched, nor where another was."""
    return _(
        "Nothing was changed. Restore another backup: Qorgau keeps one a day in its data "
        "folder, under backups/scheduled."
    )


def _belongs_elsewhere(manifest: dict[str, Any], ours: str, data_dir: Path) -> str:
    """Said with the backup's mission and what to do: a new laptop set up as a new mission
    (the same code, another installation) refused the old one's backup naming two database
    ids only, and the administrator did not know how to go on."""
    return _(
        "This backup belongs to another installation of mission {code} (database {theirs}); "
        "it cannot replace this one ({ours}). To set this computer up from the backup instead, "
        "move every file out of {folder}, then restore the backup into the empty folder."
    ).format(
        code=manifest.get("mission_code") or "?",
        theirs=manifest["database_id"],
        ours=ours,
        folder=str(data_dir),
    )


@dataclass(frozen=True)
class BackupSummary:
    """What a backup file holds, checked for a restore over this installation."""

    path: Path
    created_at: datetime | None
    mission_code: str
    size: int


def check_backup_for_restore(paths: Paths, file: Path) -> BackupSummary:
    """The refusals a restore would give before anything is replaced (not a backup, damaged,
    another installation's), read without unpacking: the desktop asks these before it closes
    its database, so a refused file leaves the window as it was. ``restore_backup`` checks
    everything again (and more) once the database is closed."""
    refuse_on_server(paths.server.exists(), backups_message())
    bad = _not_a_backup(file)
    try:
        with _backup_archive(file) as archive:
            manifest = _checked_manifest(archive, bad)
            for name in (DB_FILENAME, KEYSLOTS_FILENAME):
                if not _member_as_recorded(archive, manifest, name, None):
                    raise DatabaseError(bad)
    except FileNotFoundError:
        raise DatabaseError(_("{path} does not exist.").format(path=file)) from None
    except _NOT_A_BACKUP:
        raise DatabaseError(bad) from None
    ours = KeySlotStore(paths.keyslots).database_id()
    if manifest["database_id"] != ours:
        raise DatabaseError(_belongs_elsewhere(manifest, ours, paths.data_dir))
    _refuse_without_room_to_restore(paths, file)
    return BackupSummary(
        file, _created_at(manifest), str(manifest.get("mission_code", "")), file.stat().st_size
    )


def _checked_manifest(archive: zipfile.ZipFile, bad: str) -> dict[str, Any]:
    """The manifest of a backup archive with the expected members, or DatabaseError(bad)."""
    if set(archive.namelist()) != {MANIFEST, DB_FILENAME, KEYSLOTS_FILENAME}:
        raise DatabaseError(bad)
    if archive.getinfo(MANIFEST).file_size > MAX_MANIFEST_BYTES:
        raise DatabaseError(bad)  # a member never unpacks past its declared size
    manifest = json_from_outside(archive.read(MANIFEST))
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise DatabaseError(bad)
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise DatabaseError(bad)
    if version != BACKUP_VERSION:
        raise DatabaseError(_other_version(version))
    if not isinstance(manifest.get("database_id"), str) or not isinstance(
        manifest.get("mission_code"), str
    ):
        raise DatabaseError(bad)
    if _created_at(manifest) is None:
        raise DatabaseError(bad)  # said as written (e.g. "[1]") where a date was expected
    return manifest


def _other_version(version: int) -> str:
    """Why a backup of another format version is refused, and what to do about it."""
    if version > BACKUP_VERSION:
        return _made_by_newer_version()
    return _(
        "This backup was made by an older version of Qorgau, which this one can no longer "
        "read. Restore it with the version that made it, then make a new backup there."
    )


def _made_by_newer_version() -> str:
    return _(
        "This backup was made by a newer version of Qorgau, which this one cannot read. "
        "Install the version that made it (or a later one), then restore it again."
    )


def created_text(created_at: str) -> str:
    """When a backup was made, in the reader's date format and local time (its manifest holds
    UTC in ISO form, which the command line showed as it was: «2026-12-07T03:29:23+00:00»)."""
    try:
        return format_datetime(datetime.fromisoformat(created_at).astimezone())
    except ValueError:
        return created_at


def _created_at(manifest: dict[str, Any]) -> datetime | None:
    created = manifest.get("created_at")
    if not isinstance(created, str):
        return None  # str() of a list ("[1]") was shown to the user as the backup's date
    try:
        return datetime.fromisoformat(created)
    except ValueError:
        return None


def _member_as_recorded(
    archive: zipfile.ZipFile, manifest: dict[str, Any], name: str, sink: BinaryIO | None
) -> bool:
    """Whether member ``name`` has the size and SHA-256 its manifest records, read once (and
    written to ``sink`` as it is read, when unpacking)."""
    info = archive.getinfo(name)
    expected = manifest["members"][name]
    if info.file_size != expected["size"]:
        return False
    digest = hashlib.sha256()
    with archive.open(info) as member:
        for block in iter(lambda: member.read(1 << 20), b""):
            digest.update(block)
            if sink is not None:
                try:
                    sink.write(block)
                except OSError as exc:
                    raise _unpack_failed(exc) from None
    return bool(digest.hexdigest() == expected["sha256"])


def _unpack_failed(exc: OSError) -> DatabaseError:
    """Writing what is unpacked failed (a full disk): said as such, since any OSError while
    reading the archive means a damaged backup."""
    return DatabaseError(
        _("The backup cannot be unpacked into the data folder: {error}").format(
            error=os_error_text(exc)
        )
    )


def _read_backup(file: Path, into: Path) -> dict[str, Any]:
    """Unpack and check a backup into folder ``into``; returns its manifest."""
    bad = _not_a_backup(file)
    try:
        with _backup_archive(file) as archive:
            manifest = _checked_manifest(archive, bad)
            for name in (DB_FILENAME, KEYSLOTS_FILENAME):
                try:
                    target = open_private(into / name)
                except OSError as exc:
                    raise _unpack_failed(exc) from None
                with target:
                    if not _member_as_recorded(archive, manifest, name, target):
                        raise DatabaseError(bad)
    except FileNotFoundError:
        raise DatabaseError(_("{path} does not exist.").format(path=file)) from None
    except _NOT_A_BACKUP:
        raise DatabaseError(bad) from None
    return manifest


@dataclass(frozen=True)
class _Admin:
    key: bytes
    database_id: str
    slot_users: list[str]
    pending: PendingKey | None = None  # a re-key waiting for other windows when she proved it
    # Her account signing key, unlocked by her password: the restore entry is signed with it.
    signing: Ed25519PrivateKey | None = None


def _check_admin(db_path: Path, key: bytes, username: str) -> None:
    """Read-only: ``username`` is an active administrator in the database at ``db_path``."""
    conn = open_raw(db_path, key)
    try:
        row = conn.execute(
            "SELECT role, active FROM user WHERE username = ?", (username,)
        ).fetchone()
    finally:
        conn.close()
    if row is None or not row[1]:
        raise AuthError(_("Wrong user name or password."))
    if row[0] != RESTORE_ROLE:
        raise PermissionDenied(
            _("Only an administrator of this installation can restore a backup.")
        )


def _current_admin(paths: Paths, username: str, password: str, guard: LoginGuard) -> _Admin:
    """The current installation's key, proven by an administrator's password (with the same
    growing delay after wrong passwords as a sign-in)."""
    settled, attempt = prove_password(paths, username, password, guard)
    key = settled.key
    slots = KeySlotStore(paths.keyslots)
    try:
        _check_admin(paths.db, key, username)
    except AuthError:
        raise  # a revoked user's right password still counts, as at sign-in
    except BaseException:
        guard.withdraw(attempt)  # a right password of a user who may not restore: no guess
        raise
    guard.withdraw(attempt)  # nothing to sign in to: the copy is about to be replaced
    return _Admin(key, slots.database_id(), slots.usernames(), settled.pending, settled.signing)


def check_restorer(paths: Paths, username: str, password: str) -> None:
    """AuthError or PermissionDenied unless ``username`` is an active administrator of the
    installation in ``paths`` and ``password`` is hers: the desktop asks this before it closes
    its database for a restore (``restore_backup`` proves it again). A wrong password counts
    as a failed sign-in, as in ``restore_backup``."""
    refuse_on_server(paths.server.exists(), backups_message())
    try:
        _current_admin(paths, username, password, LoginGuard(paths.data_dir))
    except AuthError as exc:
        # The dialog asked only for the signed-in administrator's password: "wrong user name"
        # would send her looking for a field that is not there.
        wait_s = exc.wait_s
        raise AuthError(
            lambda: with_wait(_("Wrong password: the backup was not restored."), wait_s)
        ) from None


def _backup_key(staging: Path, username: str, password: str, current: bytes | None) -> bytes:
    """The key of the backed-up copy: the current one (no re-key since), else whatever the
    backup's own key file gives this user's password."""
    db = staging / DB_FILENAME
    if current is not None and key_opens(db, current):
        return current
    try:
        opened = KeySlotStore(staging / KEYSLOTS_FILENAME).open_slot(username, password)
    except AuthError:
        raise AuthError(
            _(
                "Your password does not open this backup: it was made when your account or "
                "password was different."
            )
        ) from None
    for key in sorted(opened.keys.items(), reverse=True):
        if key_opens(db, key[1]):
            return key[1]
    raise _damaged_database()


# A command's transaction ends within this; a window's open connection never does.
OPEN_ELSEWHERE_WAIT_MS = 2000


def restore_backup(
    paths: Paths,
    file: Path,
    username: str,
    password: str,
    confirmed: bool = False,
    guard: LoginGuard | None = None,
) -> RestoreResult:
    """Replace the installation in ``paths`` with the backup (see the module's rules).

    Nothing in the data folder changes unless the restore succeeds (a wrong password only
    counts as a failed sign-in).
    """
    refuse_on_server(paths.server.exists(), backups_message())
    has_db, has_slots = paths.db.exists(), paths.keyslots.exists()
    # A key file alone is what a restore into an empty folder killed before its last step
    # leaves (``_replace``): restoring again finishes it (``_restore_into`` checks the key
    # file is the backup's installation's).
    if has_db and not has_slots:
        raise _incomplete(paths)
    admin = None
    if has_db:
        admin = _current_admin(paths, username, password, guard or LoginGuard(paths.data_dir))
    created = not paths.data_dir.exists()
    make_private_dir(paths.data_dir)
    remove_crashed_restores(paths.data_dir)  # room for this one: each holds a whole copy
    try:
        try:
            return _restore_into(paths, file, username, password, confirmed, admin)
        except OSError as exc:
            # Writing the data folder failed (a full disk) before the copy was moved into
            # place: said in the user's words, not "internal error: [Errno 28] ...".
            raise storage_error(exc) from None
        except sqlcipher3.Error as exc:
            raise _copy_failed(exc) from None
    except BaseException:
        # A new folder made for a restore that failed (a wrong password, a damaged file) is
        # taken away again: left empty, it looked like a mission that had lost its data.
        if created:
            _remove_if_empty(paths.data_dir)
        raise


def _incomplete(paths: Paths) -> DatabaseError:
    return DatabaseError(
        _(
            "The installation in {path} is incomplete; move its files elsewhere and "
            "restore into an empty folder."
        ).format(path=str(paths.data_dir))
    )


def _remove_if_empty(folder: Path) -> None:
    try:
        folder.rmdir()  # only an empty folder: never anything someone put there meanwhile
    except OSError:
        pass


def _restore_into(
    paths: Paths,
    file: Path,
    username: str,
    password: str,
    confirmed: bool,
    admin: _Admin | None,
) -> RestoreResult:
    with _staging_folder(paths.data_dir) as staging:
        _refuse_without_room_to_restore(paths, file)
        manifest = _read_backup(file, staging)
        if admin is not None and manifest["database_id"] != admin.database_id:
            raise DatabaseError(_belongs_elsewhere(manifest, admin.database_id, paths.data_dir))
        if admin is None and paths.keyslots.exists():
            if KeySlotStore(paths.keyslots).database_id() != manifest["database_id"]:
                raise _incomplete(paths)  # not a key file this backup's restore left
        key = _backup_key(staging, username, password, admin.key if admin else None)
        check = open_raw(staging / DB_FILENAME, key)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            check.close()
        if ok != "ok":
            raise _damaged_database()
        if admin is None:
            _check_admin(staging / DB_FILENAME, key, username)
        elif not confirmed:
            raise ConfirmationRequired(
                _(
                    "Restoring the backup of {created} replaces this installation's data: every "
                    "change made since then is lost."
                ).format(created=created_text(str(manifest.get("created_at", ""))))
            )
        keys_now = (
            _keys_now(paths.db, admin, last_seq(staging / DB_FILENAME, key)) if admin else None
        )
        result = _prepare(staging, manifest, key, username, admin, keys_now)
        if admin is None:
            # A backup made while a re-key waited, by a version that kept the waiting key.
            retire_waiting_key(
                staging / DB_FILENAME, KeySlotStore(staging / KEYSLOTS_FILENAME), key
            )
        else:
            _refuse_if_open_elsewhere(paths.db, admin.key)
        replaced_in = _replace(paths, staging, keep_key_file=admin is not None)
    if admin is not None and admin.pending is not None:
        _finish_waiting_rekey(paths, admin.key, admin.pending)
    return replace(result, replaced_in=replaced_in)


REPLACED_BY_RESTORE = "replaced-by-restore-"  # under backups/: what a restore replaced
RESTORE_STAGING_PREFIX = ".restore-"  # the backup unpacked in the data folder, then moved
STAGING_LOCK = "restoring.lock"  # held while a restore runs: a free one was left by a crash


@contextmanager
def _staging_folder(data_dir: Path) -> Iterator[Path]:
    """A folder beside the data for the backup's files, locked while the restore runs."""
    with tempfile.TemporaryDirectory(prefix=RESTORE_STAGING_PREFIX, dir=data_dir) as tmpdir:
        lock = hold_lock(Path(tmpdir) / STAGING_LOCK)
        try:
            yield Path(tmpdir)
        finally:
            os.close(lock)  # before the folder goes: Windows removes no open file


def remove_crashed_restores(data_dir: Path) -> list[Path]:
    """Remove the staging folders of restores killed half-way (a power cut, the task
    manager): each held a whole copy of the database, and nothing ever removed them. One whose
    restore still runs holds its lock and stays; one without a lock (an older version's, or
    killed before it took it) goes once it is ``STALE_COPY_S`` old."""
    removed = []
    now = datetime.now(UTC).timestamp()
    for folder in data_dir.glob(f"{RESTORE_STAGING_PREFIX}*"):
        if folder.is_symlink() or not folder.is_dir():
            continue
        lock = folder / STAGING_LOCK
        try:
            crashed = lock_is_free(lock) if lock.exists() else now - _touched(folder) > STALE_COPY_S
        except OSError:
            continue  # removed meanwhile
        if crashed:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _touched(folder: Path) -> float:
    return max(p.stat().st_mtime for p in (folder, *folder.iterdir()))


def _refuse_without_room_to_restore(paths: Paths, file: Path) -> None:
    """NoRoomForBackup unless the data's disk holds the backup's members unpacked beside the
    data and the copy of the current files kept under backups/: a full disk was found only
    half-way, after minutes of unpacking, as "internal error: [Errno 28]". A file that is no
    ZIP is left for ``_read_backup`` to say so."""
    try:
        with _backup_archive(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except _NOT_A_BACKUP:
        return
    kept = database_bytes(paths.db) + (
        paths.keyslots.stat().st_size if paths.keyslots.exists() else 0
    )
    lacking = disks_lacking([(paths.data_dir, unpacked + kept)])
    if lacking:
        raise NoRoomForBackup(
            _("The backup cannot be restored; nothing was changed. {reason}").format(reason=lacking)
        )


def _finish_waiting_rekey(paths: Paths, key: bytes, pending: PendingKey) -> None:
    """The restored file, under the key the installation's file had, is given the key a
    re-key waited to give it when the other windows held the file (they were closed since):
    left as it was, it opened for the officer that re-key shut out until the next sign-in."""
    try:
        finish_waiting(paths.db, KeySlotStore(paths.keyslots), key, pending)
    except DatabaseError:
        pass  # the restore is done; the next sign-in finishes the re-key (settle_sign_in)


def _refuse_if_open_elsewhere(db: Path, key: bytes) -> None:
    """DatabaseError while another connection has the database open (a window, a command).

    The copy would be moved into place under it and its write-ahead log deleted: what it had
    saved since the last checkpoint would vanish, and what it saved next would go to the
    replaced file. ``leave_wal`` is the test; it also folds the log into the file kept under
    backups/. A window opened in the seconds between this and the move is not caught."""
    conn = open_raw(db, key)
    try:
        conn.execute(f"PRAGMA busy_timeout = {OPEN_ELSEWHERE_WAIT_MS}")
        alone = leave_wal(conn)
    finally:
        conn.close()
    if not alone:
        raise DatabaseError(
            _(
                "The database is open in another Qorgau window or command; close it and "
                "restore again. Nothing was changed."
            )
        )


@dataclass(frozen=True)
class _TrustedNow:
    """Another installation's keys as the current registry holds them."""

    code: str
    country: str
    city: str
    signing_key: str
    age_recipient: str | None
    trusted_at: datetime | None
    is_hq: bool


@dataclass(frozen=True)
class _KeysNow:
    """The current installation's signing key pair and registry of trusted keys, which a
    restore keeps: a backup from before a revocation holds the signing key the revoked officer
    could copy (replaced since, and trusted by HQ no more), and an older registry could hold a
    mission's key that was replaced for the same reason."""

    signing_private: bytes | None
    signing_public: str | None
    trusted: list[_TrustedNow]
    # The age identities and recipient, replaced with the signing key: a backup from before
    # holds the ones the revoked officer could copy.
    age_identity: bytes | None = None
    age_recipient: str | None = None
    # The recovery and escrow slots' public keys of the key file kept: the restored copy
    # records them, else its older record would have the next re-key drop the current slots.
    special_slots: dict[str, str] | None = None
    # The account keys the current history gives (``user_ledger.SIGNING_KEYS``): the restored
    # history, from before a password change, would give her the key of the old password.
    account_keys: AccountKeys | None = None


def _keys_now(db_path: Path, admin: _Admin, after: int) -> _KeysNow:
    db = Database(db_path, admin.key)
    try:
        with db.read() as session:
            local = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
            secret = session.get(LocalSecret, SIGNING_KEY)
            identity = session.get(LocalSecret, AGE_IDENTITY)
            others = session.execute(
                select(Mission).where(
                    Mission.is_local.is_(False), Mission.signing_public_key.is_not(None)
                )
            ).scalars()
            trusted = [
                _TrustedNow(
                    m.code,
                    m.country,
                    m.city,
                    m.signing_public_key or "",
                    m.age_recipient,
                    m.trusted_at,
                    m.is_hq,
                )
                for m in others
            ]
            return _KeysNow(
                bytes(secret.value) if secret is not None else None,
                local.signing_public_key,
                trusted,
                bytes(identity.value) if identity is not None else None,
                local.age_recipient,
                KeySlotStore(db_path.with_name(KEYSLOTS_FILENAME)).special_keys(),
                _account_keys(session, admin, after),
            )
    finally:
        db.dispose()


def _put_secret(session: Session, name: str, value: bytes) -> bool:
    """``value`` as the secret ``name``; whether the restored copy held another."""
    secret = session.get(LocalSecret, name)
    if secret is not None and bytes(secret.value) == value:
        return False
    if secret is None:
        session.add(LocalSecret(name=name, value=value))
    else:
        secret.value = value
    return True


def _keep_keys(session: Session, keys: _KeysNow) -> dict[str, Any]:
    """Put the current keys into the restored copy; what changed, for its audit entry."""
    kept: dict[str, Any] = {}
    local = session.execute(select(Mission).where(Mission.is_local)).scalar_one()
    if keys.signing_private is not None and keys.signing_public is not None:
        if _put_secret(session, SIGNING_KEY, keys.signing_private):
            kept["signing_key"] = keys.signing_public
            kept["signing_key_in_backup"] = local.signing_public_key
            local.signing_public_key = keys.signing_public
    if keys.special_slots is not None:
        session.merge(Setting(key=SPECIAL_SLOTS_SETTING, value=keys.special_slots))
    if keys.age_identity is not None and keys.age_recipient:
        if _put_secret(session, AGE_IDENTITY, keys.age_identity):
            kept["age_recipient"] = keys.age_recipient
            kept["age_recipient_in_backup"] = local.age_recipient
            local.age_recipient = keys.age_recipient
    trusted_again = []
    for now in keys.trusted:
        row = session.execute(select(Mission).where(Mission.code == now.code)).scalar_one_or_none()
        if row is None:
            row = Mission(code=now.code, country=now.country, city=now.city)
            session.add(row)
        elif row.signing_public_key == now.signing_key and row.is_hq == now.is_hq:
            continue
        row.signing_public_key = now.signing_key
        row.age_recipient = now.age_recipient
        row.trusted_at = now.trusted_at
        row.is_hq = now.is_hq
        trusted_again.append(now.code)
    if trusted_again:
        kept["trusted_keys"] = trusted_again
    return kept


def _prepare(
    staging: Path,
    manifest: dict[str, Any],
    key: bytes,
    username: str,
    admin: _Admin | None,
    keys_now: _KeysNow | None = None,
) -> RestoreResult:
    """Bring the staged copy in line with the current installation before it replaces it."""
    copy = staging / DB_FILENAME
    if admin is not None and key != admin.key:
        rekey_database(copy, key, admin.key)  # the backup's old key opens nothing current
        key = admin.key
    db = Database(copy, key)
    deactivated: list[str] = []
    without_account: list[str] = []
    try:
        try:
            ensure_schema(db, backup_dir=None)
        except WrittenByNewerVersion:
            # Said of "this database", which the administrator took for the one she had
            # open: it is the backup's that this version cannot read.
            raise DatabaseError(_made_by_newer_version()) from None
        with db.write() as session:
            mission_code = str(manifest.get("mission_code", ""))
            session.info["mission_code"] = mission_code
            users = session.execute(select(User)).scalars().all()
            if admin is not None:
                for user in users:
                    if user.active and user.username not in admin.slot_users:
                        user.active = False
                        deactivated.append(user.username)
                known = {u.username for u in users}
                without_account = [u for u in admin.slot_users if u not in known]
            kept = _keep_keys(session, keys_now) if keys_now is not None else {}
            details = {
                "created_at": manifest.get("created_at"),
                "deactivated": deactivated,
                **({"kept_current_keys": kept} if kept else {}),
            }
            sign = None
            if admin is not None and keys_now is not None and keys_now.account_keys is not None:
                signed_details, sign = restore_signature(admin, username, keys_now.account_keys)
                details |= signed_details
            audit.record(
                session, username, "backup.restore", "installation", mission_code, details, sign
            )
    finally:
        db.dispose()
    fold_into_one_file(copy, key)  # one file to move into place
    return RestoreResult(
        created_at=str(manifest.get("created_at", "")),
        mission_code=str(manifest.get("mission_code", "")),
        database_id=str(manifest["database_id"]),
        deactivated=deactivated,
        without_account=without_account,
    )


@dataclass(frozen=True)
class AccountKeys:
    """What a restore under the kept key file re-publishes (``app.security.user_ledger``):
    the keys the current history gives the accounts with a slot and the recovery and escrow
    slots, and its account entries after the restored copy's last one."""

    keys: dict[str, str]
    since: list[list[Any]]


def last_seq(db_path: Path, key: bytes) -> int:
    """The restored copy's last audit entry (0 for none)."""
    conn = open_raw(db_path, key)
    try:
        return int(conn.execute("SELECT coalesce(max(seq), 0) FROM audit_entry").fetchone()[0])
    finally:
        conn.close()


def _account_keys(session: Session, admin: _Admin, after: int) -> AccountKeys:
    return AccountKeys(current_keys(session, admin.slot_users), entries_since(session, after))


def account_keys_now(db_path: Path, admin: _Admin, after: int) -> AccountKeys:
    db = Database(db_path, admin.key)
    try:
        with db.read() as session:
            return _account_keys(session, admin, after)
    finally:
        db.dispose()


def restore_signature(
    admin: _Admin, username: str, now: AccountKeys
) -> tuple[dict[str, Any], Signer | None]:
    """The restore entry's re-published keys, and the restoring administrator's signature
    for it: hers is the key her password unlocked just now. When that password is newer than
    the backup, the entries since (``SINCE``) show the restored history how she got it."""
    if admin.signing is None:  # a format 1 slot not yet rewrapped: nothing to sign with
        return {SIGNING_KEYS: now.keys}, None
    mine = {username: signing_public(admin.signing)}
    details: dict[str, Any] = {SIGNING_KEYS: now.keys | mine}
    if now.since:
        details[SINCE] = now.since
    return details, signer(admin.signing)


def new_aside_folder(backups: Path, prefix: str) -> Path:
    """A new private folder ``backups/<prefix><time>`` for the files a restore replaces, never
    one already there: two restores in the same second wrote the second's files into the
    first's folder, over the data as it was before both."""
    make_private_dir(backups)
    first = backups / f"{prefix}{datetime.now(UTC).strftime(_STAMP)}"
    folder, n = first, 1
    while True:
        try:
            folder.mkdir(mode=DIR_MODE)
            return make_private(folder)
        except FileExistsError:
            n += 1
            folder = first.with_name(f"{first.name}-{n}")


def _replace(paths: Paths, staging: Path, keep_key_file: bool) -> Path | None:
    """Move the staged copy into place; the files it replaces are kept under backups/, in
    the folder returned (None when there were none)."""
    keep = None
    if paths.db.exists():
        keep = new_aside_folder(paths.backups, REPLACED_BY_RESTORE)
        try:
            for name in (
                DB_FILENAME,
                DB_FILENAME + "-wal",
                DB_FILENAME + "-shm",
                KEYSLOTS_FILENAME,
            ):
                current = paths.data_dir / name
                if current.exists():
                    shutil.copy2(current, keep / name)
                    make_private(keep / name)
        except OSError:
            shutil.rmtree(keep, ignore_errors=True)  # a half copy is no copy: nothing changed
            raise
        for suffix in ("-wal", "-shm"):
            (paths.data_dir / (DB_FILENAME + suffix)).unlink(missing_ok=True)
    if not keep_key_file:
        # The key file first: the database's arrival completes the restore. The other way
        # round, killed in between, left a database without its key file, which the next
        # restore refused ("incomplete") and the next start could not open.
        os.replace(staging / KEYSLOTS_FILENAME, paths.keyslots)
        make_private(paths.keyslots)
    os.replace(staging / DB_FILENAME, paths.db)
    make_private(paths.db)
    return keep


# -- scheduled backups with rotation -------------------------------------------------------------

SCHEDULED_DIRNAME = "scheduled"
SCHEDULED_PREFIX = "qorgau-"
SCHEDULED_SUFFIX = ".qbackup"
_STAMP = "%Y%m%d-%H%M%S"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
# No scheduled backup is kept longer than this before the newest: the weeks kept are the last
# four that have a backup, which on a laptop used now and then reached back months, holding
# what retention anonymised since (docs/security.md, "Backups and retention").
MAX_AGE = timedelta(days=7 * (KEEP_WEEKLY + 1))


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


@dataclass(frozen=True)
class KeptBackup:
    path: Path
    created_at: datetime
    size: int
    scheduled: bool  # the daily one (rotated), else one written here by hand (kept)


def kept_backups(paths: Paths) -> list[KeptBackup]:
    """The backups kept in the data folder's ``backups/``, newest first: the scheduled ones and
    those written there by hand. A copy on another disk (a USB stick) is the user's to keep."""
    found = [(stamp, path, True) for stamp, path in scheduled_backups(paths)]
    if paths.backups.is_dir():
        for path in paths.backups.glob("*" + SCHEDULED_SUFFIX):
            try:
                found.append((datetime.fromtimestamp(path.stat().st_mtime, UTC), path, False))
            except OSError:
                continue  # removed meanwhile
    kept = []
    for stamp, path, scheduled in found:
        try:
            kept.append(KeptBackup(path, stamp, path.stat().st_size, scheduled))
        except OSError:
            continue
    return sorted(kept, key=lambda backup: backup.created_at, reverse=True)


def manual_backup_path(workspace: Workspace, now: datetime | None = None) -> Path:
    """Where "Back up now" suggests writing: ``backups/`` beside the scheduled ones' folder,
    named by mission and local time, never rotated away."""
    stamp = (now or datetime.now(UTC)).astimezone().strftime(_STAMP)
    return workspace.paths.backups / f"qorgau-{workspace.mission_code}-{stamp}{SCHEDULED_SUFFIX}"


def backups_to_keep(
    stamps: list[datetime],
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    max_age: timedelta = MAX_AGE,
) -> set[datetime]:
    """Grandfather-father rotation: the newest backup of each of the last ``daily`` days
    that have one, and the newest of each of the last ``weekly`` ISO weeks that have one,
    none older than ``max_age`` before the newest (measured from it, not from the clock: a
    laptop's wrong date never removes the newest, and the newest always stays)."""
    if not stamps:
        return set()
    oldest = max(stamps) - max_age
    stamps = [stamp for stamp in stamps if stamp >= oldest]
    keep: set[datetime] = set()
    days: dict[object, datetime] = {}
    weeks: dict[object, datetime] = {}
    for stamp in sorted(stamps, reverse=True):
        days.setdefault(stamp.date(), stamp)
        weeks.setdefault(stamp.isocalendar()[:2], stamp)
    keep.update(list(days.values())[:daily])
    keep.update(list(weeks.values())[:weekly])
    return keep


def rotate_backups(
    paths: Paths,
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    coming: datetime | None = None,
    now: datetime | None = None,
) -> list[Path]:
    """Delete the scheduled backups the rotation no longer keeps; returns what was removed.
    ``coming``: the stamp of a backup about to be written, counted as if it were there (what
    it makes redundant goes before it is written, to make room on a full disk).

    Backups stamped later than ``now`` (the clock's) are left out of it: the clock was set
    back since they were made, and judged from them every backup made now looked more than
    five weeks old and was removed as soon as it was written. They are judged once the clock
    has passed them again."""
    now = now or datetime.now(UTC)
    found = [(stamp, path) for stamp, path in scheduled_backups(paths) if stamp <= now]
    stamps = [stamp for stamp, _path in found]
    keep = backups_to_keep([*stamps, coming] if coming else stamps, daily, weekly)
    removed = []
    for stamp, path in found:
        if stamp not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    if scheduled_dir(paths).is_dir():
        for leftover in scheduled_dir(paths).glob("*.part"):
            leftover.unlink(missing_ok=True)  # a backup interrupted by a crash
    _remove_stale_copies(paths)
    return removed


def _remove_stale_copies(paths: Paths) -> None:
    """The database copies a crash left while a backup was packed or a restore unpacked
    (each the database's size)."""
    remove_crashed_restores(paths.data_dir)
    if not paths.backups.is_dir():
        return
    now = datetime.now(UTC).timestamp()
    for folder in paths.backups.glob(f"{COPY_PREFIX}*"):
        try:
            touched = max(p.stat().st_mtime for p in (folder, *folder.iterdir()))
        except OSError:
            continue
        if folder.is_dir() and now - touched > STALE_COPY_S:
            shutil.rmtree(folder, ignore_errors=True)


def backup_is_due(paths: Paths, now: datetime) -> bool:
    """At most one scheduled backup per (UTC) day: due while none is stamped today. Asking
    whether the newest was made before today made none for as long as the clock was set
    back behind it (a flat battery, a year typed wrong)."""
    today = now.astimezone(UTC).date()
    return all(stamp.date() != today for stamp, _path in scheduled_backups(paths))


def backup_if_due(workspace: Workspace, now: datetime | None = None) -> BackupInfo | None:
    """The UI calls this on exit: a backup when none was made today, then the rotation.

    Manual backups (``create_backup`` to a file the user chose) are never rotated.
    """
    if workspace.on_server:
        return None  # the server's own backups keep it (backups_message)
    now = now or datetime.now(UTC)
    paths = workspace.paths
    if not backup_is_due(paths, now):
        return None
    make_private_dir(scheduled_dir(paths))
    with whole_file_lock(paths.db):
        out = scheduled_dir(paths) / _scheduled_name(now)
        # On a full disk, the backups this one makes redundant go first (they would after it).
        early = rotate_backups(paths, coming=now, now=now) if room_lacking(paths, out) else []
        try:
            # Stays inside the data folder: every role's exit makes it (no role check).
            info = _write_backup(workspace, out)
        except QorgauError:
            _audit_rotation(workspace, early)  # gone all the same
            raise
        _audit_rotation(workspace, early + rotate_backups(paths, now=now))
    return info


def _audit_rotation(workspace: Workspace, removed: list[Path]) -> None:
    if removed:
        _audit_when_free(workspace, "backup.rotate", {"removed": [p.name for p in removed]})
