"""One desktop window per data folder; the CLI works beside it.

Two processes on one database are safe (WAL, ``busy_timeout`` and ``BEGIN IMMEDIATE``; see
tests/reliability/test_concurrency.py), so the CLI never takes this lock. Two *windows* on one
folder would confuse the people using them (two lock screens, two idle timers, stale lists), so
the desktop app takes ``qorgau.lock`` at start and tells a second window who holds it.

``QLockFile`` does the locking: it writes the holder's PID and host into the file and, on top,
holds an OS lock on it (flock on Unix, an unshared handle on Windows). A lock left by a dead
holder, even after SIGKILL or a power cut, is recognised as stale (the PID is gone or the
machine has booted since) and taken over; a live holder's OS lock keeps it from being removed.
The age-based staleness is off: a window may stay open for days.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QLockFile

from app.config import Paths
from app.errors import DatabaseError
from app.i18n import _
from app.security.private_files import make_private, make_private_dir

LOCK_FILENAME = "qorgau.lock"


class InstanceInUse(DatabaseError):
    """Another Qorgau window has this data folder open."""

    def __init__(self, message: str, holder: dict[str, Any]) -> None:
        super().__init__(message)
        self.holder = holder


def holder_of(paths: Paths) -> dict[str, Any]:
    """Who holds the folder's lock file (PID, host, since when); {} when there is none."""
    path = paths.data_dir / LOCK_FILENAME
    try:
        since = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    except OSError:
        return {}
    info = QLockFile(str(path)).getLockInfo()
    if not info or not info[0]:
        return {}
    pid, host, _app = info
    return {"pid": int(pid), "host": host, "since": since.isoformat(timespec="seconds")}


class InstanceLock:
    """The folder's lock while this process holds it."""

    def __init__(self, lock: QLockFile) -> None:
        self._lock: QLockFile | None = lock

    @property
    def held(self) -> bool:
        return self._lock is not None

    def release(self) -> None:
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def in_use_message(holder: dict[str, Any]) -> str:
    pid = holder.get("pid", "?")
    host = holder.get("host", "?")
    since = str(holder.get("since", ""))[:16].replace("T", " ")
    return _(
        "This Qorgau database is already open in another window (process {pid} on {host}, "
        "since {since} UTC). Switch to that window, or close it and try again."
    ).format(pid=pid, host=host, since=since)


def acquire(paths: Paths) -> InstanceLock:
    """Take the folder's lock for this process; InstanceInUse (with the message) if taken."""
    make_private_dir(paths.data_dir)
    path = paths.data_dir / LOCK_FILENAME
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)
    if not lock.tryLock(0):
        holder = holder_of(paths)
        raise InstanceInUse(in_use_message(holder), holder)
    make_private(path)  # QLockFile creates it with the umask's mode; the folder's files are 0600
    return InstanceLock(lock)


def release(lock: InstanceLock) -> None:
    lock.release()
