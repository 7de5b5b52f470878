"""A keyed SQLCipher connection without SQLAlchemy (``open_raw``), and its page cache size.

Signing in proves the password by opening the database with the key it yields; that runs on a
thread while SQLAlchemy and the models are imported (``app.services.sign_in``), so this module
imports neither. ``app.db.engine`` builds its pooled connections from ``open_raw``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import sqlcipher3

from app.errors import DatabaseError
from app.i18n import _

BUSY_TIMEOUT_MS = 15_000
# A pause between two write transactions of one long task (an import's batches, the search
# index's merge steps), for a save or sign-in that waits to take the lock. SQLite's busy
# handler retries every 100 ms once it has waited a quarter second; an import beginning its
# next batch at once took the lock back each time: a sign-in waited 5.3 s through batches of
# a second.
BETWEEN_WRITES_S = 0.1
# The page cache of each connection (SQLite fills it lazily, as pages are read). Every page
# read from disk is decrypted, so a cache too small for the pages a list, search or dashboard
# reads again and again (the case table, its list indexes, the search index: about a quarter
# of a demo mission's file; attachments, events and the audit log make up the rest) makes a
# scan past ~100k cases super-linear: measured at 300k, a full case scan fell from 365 ms to
# 86 ms with a larger cache. Hence a quarter of the file, at least the old fixed 64 MiB, at
# most 512 MiB and an eighth of the machine's memory (the pool may hold several connections).
CACHE_MIN_KIB = 64 * 1024
CACHE_MAX_KIB = 512 * 1024
CACHE_FILE_SHARE = 0.25
# A setting for the machine rather than the mission (it must be known before the database is
# opened): QORGAU_CACHE_MIB fixes the cache of each connection, in MiB.
CACHE_ENV = "QORGAU_CACHE_MIB"


_FILE_LOCKS: dict[Path, threading.RLock] = {}
_FILE_LOCKS_GUARD = threading.Lock()


def whole_file_lock(path: Path) -> threading.RLock:
    """The lock, within this process, of the work that must see the whole database file under
    one key: a backup (its copy, the key file beside it, its audit entries) and a re-key, which
    needs the only connection. A re-key asked for while today's backup is written then waits
    for it instead of failing as if another program held the database."""
    resolved = path.resolve()
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(resolved, threading.RLock())


def _key_pragma(key: bytes) -> str:
    # A raw 256-bit key (x'..') skips SQLCipher's own PBKDF2: our key is random, not a password.
    return f"PRAGMA key = \"x'{key.hex()}'\""


def _memory_kib() -> int | None:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 1024
    except (ValueError, OSError, AttributeError):  # not on every platform (Windows)
        return None


def cache_kib(path: Path, memory_kib: int | None = None) -> int:
    """The page cache for a database file of this size (see CACHE_FILE_SHARE)."""
    setting = os.environ.get(CACHE_ENV, "").strip()
    if setting.isdigit() and int(setting) > 0:
        return int(setting) * 1024
    try:
        file_kib = path.stat().st_size // 1024
    except OSError:
        file_kib = 0
    cap = CACHE_MAX_KIB
    memory = memory_kib if memory_kib is not None else _memory_kib()
    if memory:
        cap = max(CACHE_MIN_KIB, min(cap, memory // 8))
    return min(max(CACHE_MIN_KIB, int(file_kib * CACHE_FILE_SHARE)), cap)


_SQLITE_CORRUPT, _SQLITE_NOTADB = 11, 26  # "malformed", "not a database": said as damaged


def open_raw(path: Path, key: bytes) -> Any:
    """A keyed DB-API connection with Qorgau's pragmas; DatabaseError if it does not open."""
    try:
        conn = sqlcipher3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
    except sqlcipher3.Error as exc:
        raise DatabaseError(_("The database cannot be opened: {error}").format(error=exc)) from None
    try:
        # SQLCipher writes its own lines to stderr when a page does not decrypt ("hmac check
        # failed…", in English, before our one line in the user's language): not wanted.
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        # Reading the schema proves the key: a wrong key or a foreign file fails here.
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute(f"PRAGMA cache_size = -{cache_kib(path)}")
    except sqlcipher3.DatabaseError as exc:
        conn.close()
        message = str(exc)
        damaged = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
        if damaged or "not a database" in message or "encrypted" in message:
            raise DatabaseError(
                _("{name} is not a Qorgau database, or it is damaged.").format(name=path.name)
            ) from None
        raise DatabaseError(_("The database cannot be opened: {error}").format(error=exc)) from None
    return conn


_PLAIN_SQLITE_HEADER = b"SQLite format 3\0"


def _looks_encrypted(path: Path) -> bool:
    """The file starts as a SQLCipher database does: its random salt, not SQLite's header
    nor a wiped page."""
    try:
        with path.open("rb") as handle:
            start = handle.read(len(_PLAIN_SQLITE_HEADER))
    except OSError:
        return False
    return (
        len(start) == len(_PLAIN_SQLITE_HEADER)
        and start != _PLAIN_SQLITE_HEADER
        and start.strip(b"\0") != b""
    )


def key_refused_at_first_page(path: Path, key: bytes) -> bool:
    """An encrypted-looking file whose first page the key does not decrypt ("not a
    database"): most often another file's key. A file damaged past its first page reads as
    "malformed" instead, and a plain SQLite file or a wiped one does not look encrypted."""
    if not _looks_encrypted(path):
        return False
    try:
        conn = sqlcipher3.connect(str(path), isolation_level=None, check_same_thread=False)
    except sqlcipher3.Error:
        return False
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(_key_pragma(key))
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.DatabaseError as exc:
        return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == _SQLITE_NOTADB
    finally:
        conn.close()
    return False


def key_opens(path: Path, key: bytes) -> bool:
    try:
        open_raw(path, key).close()
    except DatabaseError:
        return False
    return True


def leave_wal(conn: Any) -> bool:
    """Switch ``conn``'s file out of WAL (its log folded into it); False while another
    connection has the file open, as leaving WAL needs the only one. How a re-key and a
    restore find out that a window or a command still holds the database."""
    try:
        mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    except sqlcipher3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return False
        raise
    return str(mode).lower() == "delete"


def fold_into_one_file(path: Path, key: bytes) -> None:
    """Fold the WAL into the database and leave it in one file, ready to be moved into place."""
    conn = open_raw(path, key)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()
