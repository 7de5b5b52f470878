"""The copies of the database taken before an update's migrations, and going back to one.

Each start that migrates the database first copies it to ``backups/before-migration-<the
database version it had>-<UTC time>.db`` (``app.db.migrate``), under the key the file had.
Going back to one (a fault found after an update that did finish) is what the README's manual
steps do: the current ``qorgau.db`` (and its ``-wal``/``-shm``) moved aside, the copy put in
its place. It needs an administrator of the installation, and the current key: a copy taken
before the database got a new key (a revocation, a password reset, a recovery) opens with
nothing in the current key file, and is refused; a ``.qbackup`` restore is the way then.

The copy holds an older database version: this version of Qorgau would update it again at
the next start, so the administrator is told to install the version that used it first.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.config import DB_FILENAME, Paths
from app.db.engine import Database
from app.db.migrate import MIGRATION_COPY_PREFIX
from app.db.raw import fold_into_one_file, key_opens, open_raw
from app.errors import DatabaseError
from app.i18n import _
from app.security import audit
from app.security.login_guard import LoginGuard
from app.security.private_files import make_private
from app.services.backup import (
    AccountKeys,
    _Admin,
    _current_admin,
    _finish_waiting_rekey,
    _refuse_if_open_elsewhere,
    _staging_folder,
    account_keys_now,
    last_seq,
    new_aside_folder,
    remove_crashed_restores,
    restore_signature,
)
from app.services.server_hq import backups_message, refuse_on_server

RESTORED_ACTION = "backup.restore_migration_copy"
REPLACED_PREFIX = "replaced-by-migration-copy-"
_NAME = re.compile(re.escape(MIGRATION_COPY_PREFIX) + r"(?P<version>.+)-(?P<stamp>\d{8}-\d{6})\.db")
_STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class MigrationCopy:
    """A copy taken before an update: when, and the database version it holds (the one the
    Qorgau before the update used)."""

    path: Path
    taken_at: datetime
    database_version: str
    size: int


@dataclass(frozen=True)
class MigrationCopyRestored:
    copy: MigrationCopy
    replaced_in: Path  # where the files it replaced were moved
    # Users with a key slot now but no account in the copy (added since): cannot sign in.
    without_account: list[str] = field(default_factory=list)


def migration_copies(paths: Paths) -> list[MigrationCopy]:
    """The copies kept in ``backups/``, newest first (files of other names are not ours)."""
    if not paths.backups.is_dir():
        return []
    found = []
    for path in paths.backups.glob(f"{MIGRATION_COPY_PREFIX}*.db"):
        copy = _read_name(path)
        if copy is not None:
            found.append(copy)
    return sorted(found, key=lambda copy: copy.taken_at, reverse=True)


def _read_name(path: Path) -> MigrationCopy | None:
    matched = _NAME.fullmatch(path.name)
    if matched is None or path.is_symlink():
        return None
    try:
        taken = datetime.strptime(matched["stamp"], _STAMP).replace(tzinfo=UTC)
        return MigrationCopy(path, taken, matched["version"], path.stat().st_size)
    except (ValueError, OSError):
        return None


def _other_key() -> str:
    return _(
        "This copy was taken before the database got a new key (a user revoked, a password "
        "reset or a recovery by an administrator since then): the current key file does not "
        "open it, so it cannot be put back. Restore a backup (.qbackup) instead; nothing was "
        "changed."
    )


def check_migration_copy(paths: Paths, copy: MigrationCopy, username: str, password: str) -> None:
    """The refusals going back to ``copy`` would give, before anything is moved: the desktop
    asks this while its window is open (``restore_migration_copy`` checks it all again)."""
    refuse_on_server(paths.server.exists(), backups_message())
    admin = _current_admin(paths, username, password, LoginGuard(paths.data_dir))
    _refuse_unusable(copy, admin.key)


def _refuse_unusable(copy: MigrationCopy, key: bytes) -> None:
    if not copy.path.is_file():
        raise DatabaseError(_("{path} does not exist.").format(path=copy.path))
    if not key_opens(copy.path, key):
        raise DatabaseError(_other_key())
    conn = open_raw(copy.path, key)
    try:
        ok = conn.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        conn.close()
    if ok != "ok":
        raise DatabaseError(_("The copy {name} is damaged.").format(name=copy.path.name))


def restore_migration_copy(
    paths: Paths, copy: MigrationCopy, username: str, password: str
) -> MigrationCopyRestored:
    """Put ``copy`` back as the database, as the README's manual steps do, once no window
    has the database open. The copy itself stays where it is; the files it replaces go to
    ``backups/replaced-by-migration-copy-<time>/``. Audited in the database put back."""
    refuse_on_server(paths.server.exists(), backups_message())
    admin = _current_admin(paths, username, password, LoginGuard(paths.data_dir))
    _refuse_unusable(copy, admin.key)
    remove_crashed_restores(paths.data_dir)
    with _staging_folder(paths.data_dir) as staging:
        # Worked on beside the data: a crash leaves the database as it was, and the folder
        # is removed like a killed restore's.
        staged = staging / DB_FILENAME
        shutil.copyfile(copy.path, staged)
        make_private(staged)
        keys_now = account_keys_now(paths.db, admin, last_seq(staged, admin.key))
        without_account = _record_in(staged, admin, username, copy, keys_now)
        _refuse_if_open_elsewhere(paths.db, admin.key)  # also folds the -wal into the file
        aside = new_aside_folder(paths.backups, REPLACED_PREFIX)
        for suffix in ("", "-wal", "-shm"):
            current = paths.data_dir / (DB_FILENAME + suffix)
            if current.exists():
                os.replace(current, aside / current.name)
        os.replace(staged, paths.db)
    if admin.pending is not None:
        _finish_waiting_rekey(paths, admin.key, admin.pending)
    return MigrationCopyRestored(copy, aside, without_account)


def _record_in(
    db_path: Path, admin: _Admin, username: str, copy: MigrationCopy, keys_now: AccountKeys
) -> list[str]:
    """The audit entry written into the copy (its audit table is as in every version), signed
    with the keys the current history gives (see ``backup.restore_signature``), and the users
    with a key slot but no account in it."""
    key = admin.key
    conn = open_raw(db_path, key)
    try:
        mission_code = conn.execute("SELECT code FROM mission WHERE is_local").fetchone()[0]
        known = {row[0] for row in conn.execute("SELECT username FROM user")}
    finally:
        conn.close()
    signed_details, sign = restore_signature(admin, username, keys_now)
    db = Database(db_path, key)
    try:
        with db.write() as session:
            session.info["mission_code"] = mission_code
            details = {
                "file": copy.path.name,
                "database_version": copy.database_version,
                "taken_at": copy.taken_at.isoformat(timespec="seconds"),
                **signed_details,
            }
            audit.record(
                session, username, RESTORED_ACTION, "installation", mission_code, details, sign
            )
    finally:
        db.dispose()
    fold_into_one_file(db_path, key)  # one file to move into place
    return [user for user in admin.slot_users if user not in known]
