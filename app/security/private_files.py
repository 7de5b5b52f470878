"""Files and folders only this OS account may read: 0600 files, 0700 folders on POSIX.

Everything in the data folder (the database and its WAL/SHM, the key file, backups, the
restore's staging copy) holds personal data or keys. ``umask`` is the user's choice and often
022, so modes are set explicitly at creation, and again after a rename (a file made by
another tool, e.g. SQLite's backup API, starts at 0644). On Windows the modes mean nothing;
the profile folder's ACL is what protects the data there, and these calls do no harm.

SQLite creates ``-wal`` and ``-shm`` with the permissions of the database file, so a 0600
database keeps its journal files private too.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from app.errors import StorageFailed, StorageFull
from app.i18n import _
from app.os_errors import os_error_reason

FILE_MODE = 0o600
LOCK_POLL_S = 0.05  # how often a lock held by another process is tried again
DIR_MODE = 0o700
_POSIX = os.name == "posix"


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700; an existing folder is narrowed to 0700."""
    if not path.parent.exists():
        # ``mkdir(parents=True)`` makes the parents at the umask's mode (0755): the restore's
        # backups/replaced-by-restore-* left backups/ readable by every account.
        make_private_dir(path.parent)
    path.mkdir(mode=DIR_MODE, exist_ok=True)
    if _POSIX:
        os.chmod(path, DIR_MODE)
    return path


def make_private(path: Path) -> Path:
    """Narrow an existing file to 0600 (or a folder to 0700)."""
    if _POSIX:
        os.chmod(path, DIR_MODE if path.is_dir() else FILE_MODE)
    return path


def touch_private(path: Path) -> Path:
    """Create ``path`` empty as 0600 if absent (for tools that then open it, like SQLite)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    return make_private(path)


def start_private_file(path: Path) -> None:
    """Create ``path`` empty (truncating one left over) readable by this OS account only, for
    a writer that then opens it by name (openpyxl, ``Path.write_bytes``) and keeps its mode.
    An export of personal data (a register, a subject-access report, a letter) went out 0644
    under the usual umask, readable by every account of a shared computer. On a memory stick's
    file system, which keeps no modes, nothing is asked of it: a refused ``fchmod`` is passed
    over, never a failed export."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        if _POSIX:
            os.fchmod(fd, FILE_MODE)  # a leftover file may have had a wider mode
    except OSError:
        pass  # FAT or exFAT: no modes to set
    finally:
        os.close(fd)


def open_private(path: Path, exclusive: bool = False) -> BinaryIO:
    """Open ``path`` for writing (truncated) as a 0600 file; ``exclusive`` refuses one
    that exists."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, FILE_MODE)
    if _POSIX:
        os.fchmod(fd, FILE_MODE)  # the file may have existed with a wider mode
    return os.fdopen(fd, "wb")


def sync_file(handle: BinaryIO) -> None:
    """Flush ``handle`` and wait until the disk holds it. A file renamed into place and said
    written (a bundle logged as sent, a backup) without it could be empty after a power cut,
    or half on a USB stick pulled out once Qorgau said it was done."""
    handle.flush()
    os.fsync(handle.fileno())


def sync_folder(path: Path) -> None:
    """Wait until the disk holds ``path``'s entries (a rename into it)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open folders; the rename is still atomic there.
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_privately(path: Path, text: str, prefix: str) -> None:
    """Put ``text`` in ``path`` through a 0600 temporary file beside it (named ``prefix``...),
    synced and renamed over it: a crash leaves the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise storage_error(exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def storage_error(exc: OSError) -> StorageFull | StorageFailed:
    """What a failed write in the data folder means to the user. A full disk stopped even
    the sign-in (its attempt counter is a file here) with "internal error"."""
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return StorageFull(
            _(
                "The disk holding Qorgau's data is full; nothing was changed. "
                "Free some space on it and try again."
            )
        )
    said = _("Qorgau cannot write to its data folder ({reason}); nothing was changed.").format(
        reason=os_error_reason(exc)
    )
    remedy = _storage_remedy(exc)
    return StorageFailed(f"{said} {remedy}" if remedy else said)


def _storage_remedy(exc: OSError) -> str:
    """What to do about a data folder Qorgau may not write to: the reason alone left the
    administrator of a mission whose disk had turned read only with nothing to try."""
    if exc.errno == errno.EROFS:
        return _(
            "Make that disk writable again (a memory stick has a lock switch; a disk the "
            "system set to read only after a fault needs the IT officer), then try again."
        )
    if exc.errno in (errno.EACCES, errno.EPERM):
        return _(
            "Your account on this computer may not write there (the folder was made or "
            "copied by another account): the IT officer gives your account the right to "
            "change it, then try again."
        )
    return ""


def private_tree_problems(folder: Path) -> list[str]:
    """Paths under ``folder`` (itself included) that others could read: for checks and tests."""
    if not _POSIX:
        return []
    problems = []
    for path in [folder, *sorted(folder.rglob("*"))]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        expected = DIR_MODE if path.is_dir() else FILE_MODE
        if mode != expected:
            problems.append(f"{path.relative_to(folder.parent)}: {oct(mode)}")
    return problems


@contextmanager
def exclusive_lock(
    path: Path, wait_s: float | None = None, busy: Callable[[], Exception] | None = None
) -> Iterator[None]:
    """An OS lock held while the file is read, changed and written (released if we die).

    ``wait_s``: how long another holder is waited for before ``busy()`` is raised (None: as
    long as it takes). A lock file that cannot be made (a read-only folder, a full disk) is
    said as the data folder's storage error, not as the system's English."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise storage_error(exc) from exc
    try:
        _take_lock(fd, wait_s, busy)
        yield
    finally:
        os.close(fd)  # closing releases the lock


class _LockHeld(Exception):
    """Another process holds the lock tried by ``lock_is_free``."""


def hold_lock(path: Path) -> int:
    """Create ``path`` (0600) and lock it until the returned descriptor is closed or the
    process ends, however it ends: others tell by ``lock_is_free`` that its holder is gone."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        _take_lock(fd, None, None)
    except BaseException:
        os.close(fd)
        raise
    return fd


def lock_is_free(path: Path) -> bool:
    """Whether the lock ``hold_lock`` took on ``path`` is free: its holder is gone. A file
    that cannot be opened or locked counts as held (nothing is removed on a guess)."""
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return False
    try:
        _take_lock(fd, 0, _LockHeld)
        return True
    except (_LockHeld, StorageFull, StorageFailed):
        return False
    finally:
        os.close(fd)  # releases the lock just taken


def _take_lock(fd: int, wait_s: float | None, busy: Callable[[], Exception] | None) -> None:
    deadline = None if wait_s is None else time.monotonic() + wait_s
    while True:
        try:
            if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | (0 if deadline is None else fcntl.LOCK_NB))
            return
        except OSError as exc:
            held = isinstance(exc, BlockingIOError) or (
                sys.platform == "win32" and exc.errno in (errno.EACCES, errno.EDEADLK)
            )
            if not held:
                raise storage_error(exc) from exc
        if deadline is not None and time.monotonic() >= deadline:
            assert busy is not None, "a lock waited for a while says why it gave up"
            raise busy()
        time.sleep(LOCK_POLL_S)
