"""One desktop window per data folder; the CLI works beside it.

Two processes on one database are safe (WAL, ``busy_timeout`` and ``BEGIN IMMEDIATE``; see
tests/reliability/test_concurrency.py), so the CLI never takes this lock. Two *windows* on one
folder would confuse the people using them (two lock screens, two idle timers, stale lists), so
the desktop app takes ``qorgau.lock`` at start and tells a second window who holds it.

The lock is an OS advisory lock on an open file, not the file's existence: when the holder
dies, even by SIGKILL or a power cut, the OS releases it and the next start succeeds. The file
also names the holder (PID, host, time) for the message.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from app.config import Paths
from app.errors import DatabaseError
from app.i18n import _
from app.security.private_files import FILE_MODE, make_private, make_private_dir

LOCK_FILENAME = "qorgau.lock"


class InstanceInUse(DatabaseError):
    """Another Qorgau window has this data folder open."""

    def __init__(self, message: str, holder: dict[str, Any]) -> None:
        super().__init__(message)
        self.holder = holder


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def holder_of(paths: Paths) -> dict[str, Any]:
    """What the lock file says about its holder (may be stale when nobody holds the lock)."""
    try:
        data = json.loads((paths.data_dir / LOCK_FILENAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class InstanceLock:
    path: Path
    handle: IO[str] | None

    @property
    def held(self) -> bool:
        return self.handle is not None

    def release(self) -> None:
        if self.handle is None:
            return
        try:
            self.handle.seek(0)
            self.handle.truncate()
            self.handle.flush()
            _unlock(self.handle)
        finally:
            self.handle.close()
            self.handle = None

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
    # Append mode neither truncates (the holder's details stay readable) nor fails when
    # absent; created 0600 like every file in the data folder.
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, FILE_MODE)
    handle = os.fdopen(fd, "a+", encoding="utf-8")
    make_private(path)
    if not _try_lock(handle):
        handle.close()
        holder = holder_of(paths)
        raise InstanceInUse(in_use_message(holder), holder)
    handle.seek(0)
    handle.truncate()
    json.dump(
        {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        },
        handle,
    )
    handle.flush()
    return InstanceLock(path, handle)


def release(lock: InstanceLock) -> None:
    lock.release()
