"""The SQLCipher engine: every connection is keyed and gets the same pragmas.

``Database`` is also the seam between the two engines: what differs between SQLCipher (a
mission, or an HQ in a file) and PostgreSQL (an HQ on a server, ``app.db.postgres``) lives in
its few methods (creating connections, the write transaction's locking, the import lock, the
error mapping, interrupting a read) and in ``app.services.search``; services never ask which
engine they run on.

Transactions: the DB-API's implicit transaction handling is switched off and SQLAlchemy's
``begin`` emits ``BEGIN`` itself, so that a write session can take the write lock up front
(``BEGIN IMMEDIATE``). Gapless numbering relies on that: two processes numbering at once queue
on the lock (``busy_timeout``) instead of reading the same last number.
"""

from __future__ import annotations

import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import sqlcipher3
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from app.db.gate import GateTimeout, SessionGate
from app.db.raw import BUSY_TIMEOUT_MS, key_opens, open_raw
from app.errors import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseError,
    StorageFailed,
    StorageFull,
)
from app.i18n import _

_BEGIN_OPTION = "qorgau_begin"
STAGE = "stage"  # the schema a staged job writes to (``Database.pinned``)
STAGE_CACHE_KIB = 32 * 1024
SCAN_CACHE_KIB = 16 * 1024  # SQLite's page cache while pages are read once (``read_once``)
STAGE_PREFIX = ".qorgau-stage-"
# A staging file this old is a crashed job's (its key died with the process): no import
# takes a day, and one still writing keeps its file fresh.
STALE_STAGE_S = 24 * 3600


def remove_stale_stages(folder: Path, now: float | None = None) -> list[Path]:
    """Delete the staging files crashed jobs left in ``folder`` (unreadable, but they take
    room); which ones. A file another process still has open is left to it."""
    cutoff = (time.time() if now is None else now) - STALE_STAGE_S
    removed = []
    for path in folder.glob(STAGE_PREFIX + "*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue  # gone meanwhile, or held open (Windows)
    return removed


def make_engine(path: Path, key: Callable[[], bytes]) -> Engine:
    """``key`` is asked for at each new connection: after a re-key, the new one."""
    if not path.parent.is_dir():
        raise DatabaseError(
            _("The data folder {path} does not exist.").format(path=str(path.parent))
        )
    engine = create_engine(
        "sqlite+pysqlite://",
        creator=lambda: open_raw(path, key()),
        module=sqlcipher3.dbapi2,
        # Named, because a URL without a path makes SQLAlchemy pick SingletonThreadPool, whose
        # dispose() closes the connection a worker thread is reading on (a crash, not an error).
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=8,
        pool_pre_ping=False,
        # The connection used last, again: each has its own page cache (decrypted pages), so
        # handing out the pool in turn made every search read the pages four times over.
        pool_use_lifo=True,
    )

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


@contextmanager
def read_once(connection: Connection, kib: int = SCAN_CACHE_KIB) -> Iterator[None]:
    """SQLite's page cache held at ``kib`` while the block reads pages it will not read again
    (the audit log checked, the files of an export): the cache is sized from the file (a
    quarter of it, up to 512 MiB), and such pages only filled it. Set back afterwards; a size
    set smaller frees the pages beyond it. PostgreSQL: nothing to do."""
    if connection.dialect.name != "sqlite":
        yield
        return
    cache = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    connection.exec_driver_sql(f"PRAGMA cache_size = -{kib}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {cache}")


# Tables whose rows hold a large value before columns queries read: an attachment's content
# (a scan, up to 25 MB) comes before its id, version and deletion mark (0020 left it there).
WIDE_TABLES = ("attachment",)
WIDE_ROW_BYTES = 1_000_000


def note_wide_rows(connection: Connection) -> None:
    """Tell SQLite's planner that ``WIDE_TABLES``' rows are wide (``sz=`` in the table's own
    ``sqlite_stat1`` row, which ANALYZE drops each time it runs: call this after it).

    From the statistics alone the planner takes an attachment's row for a few hundred bytes.
    Asked whether 60 ids exist among 130 attachments, it then reads the whole table rather
    than look them up, and reading the columns after the content follows each file's chain of
    overflow pages: at an HQ holding 130 scans (3 GB), 10.3 s and 531 MB of page cache to find
    none, in every import. Told the rows are wide, it looks ids up, or reads the covering index
    that lists every column but the content. PostgreSQL keeps large values apart (TOAST)."""
    if connection.dialect.name != "sqlite":
        return
    analysed = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first()
    if analysed is None:
        return  # no statistics: the planner's defaults already take the tables for large
    for table in WIDE_TABLES:
        stat = connection.exec_driver_sql(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx IS NOT NULL LIMIT 1", (table,)
        ).scalar()
        if stat is None:
            continue
        wide = f"{str(stat).split()[0]} sz={WIDE_ROW_BYTES}"
        noted = connection.exec_driver_sql(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = ? AND idx IS NULL", (table,)
        ).scalars()
        if list(noted) == [wide]:
            continue  # as it was: closing writes nothing (each command closes)
        connection.exec_driver_sql(
            "DELETE FROM sqlite_stat1 WHERE tbl = ? AND idx IS NULL", (table,)
        )
        connection.exec_driver_sql(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, NULL, ?)", (table, wide)
        )


# What ``Database.listen`` calls with each notice: its text (None when notices may have been
# missed) and the server account of the session that sent it ("" when not known).
Heard = Callable[[str | None, str], None]


class Listening(Protocol):
    """What ``Database.listen`` started; ``stop`` ends it (and its connection)."""

    def stop(self) -> None: ...


class WriteInRead(RuntimeError):
    """A read session was about to write: a bug, refused before it reaches the database."""


_READ_ONLY = "qorgau_read_only"


@event.listens_for(Session, "before_flush", insert=True)  # before sync stamps its counter
def _refuse_writes_in_reads(session: Session, _context: Any, _instances: Any) -> None:
    # A read session's changes were rolled back at its end, having taken the write lock
    # meanwhile: two such reads at once (a preview and the GUI) waited out the busy timeout
    # for each other's lock. Whatever must be written belongs in a ``write()``.
    if not session.info.get(_READ_ONLY):
        return
    if session.new or session.deleted or any(session.is_modified(o) for o in session.dirty):
        raise WriteInRead("a read session tried to write; use Database.write()")


@event.listens_for(Session, "after_begin")
def _mark_read_connection(session: Session, _transaction: Any, connection: Connection) -> None:
    # So that a statement written by hand in a read is refused too (``_refuse_writes``); the
    # mark is the pooled connection's and goes when it is given back.
    if session.info.get(_READ_ONLY):
        connection.info[_READ_ONLY] = True


def is_read(session: Session) -> bool:
    """Whether ``session`` is a ``Database.read()``: it sees committed data only."""
    return bool(session.info.get(_READ_ONLY))


_WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _refuse_writes(connection: Connection, _cursor: Any, statement: str, *_rest: Any) -> None:
    if connection.info.get(_READ_ONLY) and statement.lstrip()[:7].upper().startswith(_WRITE_VERBS):
        raise WriteInRead("a read session tried to write; use Database.write()")


class Interrupted(DatabaseError):
    """A read was stopped because nobody waits for its answer any more."""

    def __init__(self) -> None:
        super().__init__(_("The search was cancelled."))


# SQLite's primary result codes (the low byte of ``sqlite_errorcode``) a person can act on.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_INTERRUPT = 5, 6, 9
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_NOTADB = 10, 11, 13, 26


def user_facing(exc: BaseException) -> DatabaseError | None:
    """The QorgauError for an SQLite failure a person can act on; None for any other.

    Sessions are opened and committed in ``Database.read``/``write`` only, so this is applied
    there and nowhere else: a service never sees a raw "database is locked".
    """
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    code = getattr(orig, "sqlite_errorcode", None)
    if not isinstance(orig, sqlcipher3.Error) or not isinstance(code, int):
        return None
    primary = code & 0xFF
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return DatabaseBusy(
            _(
                "Another Qorgau window or command (a bundle being imported, perhaps) kept "
                "the database busy for more than {seconds} seconds; nothing was changed. "
                "Try again in a moment."
            ).format(seconds=BUSY_TIMEOUT_MS // 1000)
        )
    if primary == _SQLITE_FULL:
        return StorageFull(
            _(
                "The disk holding the Qorgau database is full; nothing was saved. "
                "Free some space on it and try again."
            )
        )
    if primary == _SQLITE_IOERR:
        return StorageFailed(
            _(
                "The disk holding the Qorgau database could not be read or written; nothing "
                "was saved. Check the disk or network drive and try again."
            )
        )
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return DatabaseDamaged(
            _(
                "The Qorgau database is damaged. Close Qorgau and restore the latest backup; "
                "your administrator can help."
            )
        )
    if primary == _SQLITE_INTERRUPT:
        return Interrupted()
    return None


class Database:
    """One open database: the engine and the two kinds of session the services use."""

    dialect = "sqlite"
    # Whether other desktops write to the same database and hear ``announce``.
    shared = False

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self.key = key
        engine = make_engine(path, lambda: self.key)
        self._setup(engine, engine.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"}))

    def _setup(self, engine: Engine, write_engine: Engine) -> None:
        """The sessions over ``engine`` and the bookkeeping ``interrupt`` needs."""
        self.engine = engine
        self._gate = SessionGate()
        self._read = sessionmaker(engine, expire_on_commit=False, info={_READ_ONLY: True})
        self._write = sessionmaker(write_engine, expire_on_commit=False)
        # The DB-API connection each thread has checked out, so a read that nobody waits for
        # any more (a superseded search) can be interrupted from the GUI thread.
        self._checked_out: dict[int, Any] = {}
        self._stopped: set[int] = set()  # threads whose current read nobody waits for
        event.listen(self.engine, "checkout", self._on_checkout)
        event.listen(self.engine, "checkin", self._on_checkin)
        event.listen(self.engine, "before_cursor_execute", self._refuse_if_stopped)
        event.listen(self.engine, "before_cursor_execute", _refuse_writes)

    def _on_checkout(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        # The stop flag survives the checkout: an interrupt that came after the worker began
        # its step but before its session took a connection must still stop that session
        # (clearing it here let a stale search run to its end).
        self._checked_out[threading.get_ident()] = dbapi_connection

    def _refuse_if_stopped(self, *_args: Any) -> None:
        if threading.get_ident() in self._stopped:
            raise Interrupted()

    def _on_checkin(self, dbapi_connection: Any, record: Any) -> None:
        record.info.pop(_READ_ONLY, None)  # the read that used it has ended
        ident = threading.get_ident()
        # An invalidated connection (the server ended it) comes back as None: gone either way.
        if dbapi_connection is None or self._checked_out.get(ident) is dbapi_connection:
            self._checked_out.pop(ident, None)
            self._stopped.discard(ident)  # the stopped session has ended

    def _cancel(self, connection: Any) -> None:
        connection.interrupt()

    def map_error(self, exc: BaseException) -> DatabaseError | None:
        """The QorgauError for an engine failure a person can act on (see ``user_facing``)."""
        return user_facing(exc)

    def lock_for_import(self, session: Session, mission_code: str) -> None:
        """Serialise imports of one mission's bundles; call first in the import's write.

        Nothing to do here: ``BEGIN IMMEDIATE`` already holds the one write lock."""

    def announce(self, session: Session, message: str) -> None:
        """Tell the other desktops on this database what the write transaction of
        ``session`` changed, inside it, so the news commits (or rolls back) with it.

        A file is one desktop's: its own change signal is all there is to say."""

    def listen(self, heard: Heard) -> Listening | None:
        """Hear the other desktops' ``announce`` until ``Listening.stop``: ``heard(message,
        sender)`` on a thread of its own, ``heard(None, "")`` when notices may have been
        missed. None where no other desktop writes (a file)."""
        return None

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database file now (PASSIVE: nobody waits).

        After a large write (an import) the log holds hundreds of MB; SQLite's automatic
        checkpoint would make the next small commit, someone's sign-in, copy it all."""
        with self._gate.session(), self.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").all()

    def release_freed_pages(self) -> bool:
        """Truncate the WAL after a purge; True when the checkpoint was complete."""
        with self._gate.session(), self.engine.connect() as connection:
            busy, _log, _done = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        return busy == 0

    def interrupt(self, thread_id: int) -> None:
        """Stop the read running on that thread: the statement running now fails as
        interrupted, and so does every later one until the thread opens a new session.

        ``sqlite3_interrupt`` is safe from any thread, but a no-op between statements; hence
        the flag, checked before each statement. It lasts until the stopped session gives its
        connection back, or, when the thread held none, until ``resume``: a worker between
        sessions (say, still building the rows of its last answer) calls ``resume`` before it
        starts the next request, which nobody has stopped.
        """
        self._stopped.add(thread_id)  # also stops the statements it has not started yet
        connection = self._checked_out.get(thread_id)
        if connection is not None:
            self._cancel(connection)

    def resume(self, thread_id: int) -> None:
        """Let the thread read again: its next request is one somebody waits for."""
        self._stopped.discard(thread_id)

    @contextmanager
    def _mapped_errors(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            mapped = self.map_error(exc)
            if mapped is None:
                raise
            raise mapped from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._gate.session(), self._mapped_errors(), self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction holding the write lock from its start; commits or rolls back whole."""
        with self._gate.session(), self._mapped_errors(), self._write() as session:
            with session.begin():
                yield session

    @contextmanager
    def rekeying(self, new_key: bytes, wait_s: float) -> Iterator[None]:
        """No connection of this process open while the block re-keys the file; afterwards
        connections use ``new_key`` if it opens the file (else the key they used before).

        Waits up to ``wait_s`` for the sessions under way (a page read in the background, an
        import) to end; sessions asked for meanwhile wait for the block. DatabaseBusy when
        the wait is too long."""
        try:
            with self._gate.alone(wait_s):
                self.engine.dispose()
                try:
                    yield
                finally:
                    if self.key != new_key and key_opens(self.path, new_key):
                        self.key = new_key
                    self.engine.dispose()  # any connection opened in the block, old key
        except GateTimeout:
            raise DatabaseBusy(
                _(
                    "Qorgau is still busy with other work on the database (an import, an "
                    "export or a report), so its key could not be changed now; it will be "
                    "changed at the next sign-in."
                )
            ) from None

    @contextmanager
    def pinned(self) -> Iterator[Pinned]:
        """One connection for a staged job (a bundle import): transactions on it one after
        another, and a private staging schema that lasts from the first to the last.

        On SQLCipher the schema is a database file attached for the job, encrypted with a key
        made for it and never kept: SQLite's own TEMP schema would not do, as SQLCipher does
        not encrypt it when it spills to disk, and in memory it would hold the whole staging.
        Writing there takes no lock on the main database, so others save meanwhile. The file is
        detached and deleted at the end."""
        remove_stale_stages(self.path.parent)
        with self._gate.session(), self._mapped_errors(), self.engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert raw is not None
            handle, name = tempfile.mkstemp(prefix=STAGE_PREFIX, dir=self.path.parent)
            os.close(handle)
            try:
                raw.execute(
                    f"ATTACH DATABASE ? AS {STAGE} KEY \"x'{secrets.token_hex(32)}'\"", (name,)
                )
                try:
                    # Nothing staged must survive a crash, and it is thrown away at the end.
                    raw.execute(f"PRAGMA {STAGE}.journal_mode = OFF")
                    raw.execute(f"PRAGMA {STAGE}.synchronous = OFF")
                    raw.execute(f"PRAGMA {STAGE}.cache_size = -{STAGE_CACHE_KIB}")
                    yield Pinned(self, connection, STAGE)
                finally:
                    self._detach(connection, raw)
            finally:
                os.unlink(name)

    def _detach(self, connection: Connection, raw: Any) -> None:
        try:
            if connection.in_transaction():
                connection.rollback()
            raw.execute(f"DETACH DATABASE {STAGE}")
        except sqlcipher3.Error:
            connection.invalidate()  # never hand out a connection still holding the stage

    def dispose(self) -> None:
        try:
            # Keeps the planner's statistics fresh (SQLite's advice on close). In a committed
            # transaction: the ANALYZE it runs used to be rolled back with the connection, so
            # every process (each CLI command) redid it, over a second on a 100k mission. The
            # limit bounds the rows each ANALYZE samples.
            with self.engine.begin() as connection:
                connection.exec_driver_sql("PRAGMA analysis_limit = 1000")
                connection.exec_driver_sql("PRAGMA optimize")
                note_wide_rows(connection)
        except Exception:  # noqa: BLE001 - closing must not fail over an optimisation
            pass
        self.engine.dispose()


class Pinned:
    """Sessions on one connection, one transaction after another (``Database.pinned``);
    ``schema`` names where the job may stage its own tables."""

    def __init__(self, db: Database, connection: Connection, schema: str) -> None:
        self.db = db
        self.connection = connection
        self.schema = schema

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read transaction on the main database; what it writes to the staging schema is
        committed at its end (nothing else may be written in it)."""
        self.connection.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
        with self.db._mapped_errors(), Session(self.connection, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction, as ``Database.write``."""
        self.connection.execution_options(**{_BEGIN_OPTION: "IMMEDIATE"})
        try:
            with (
                self.db._mapped_errors(),
                Session(self.connection, expire_on_commit=False) as session,
                session.begin(),
            ):
                yield session
        finally:
            self.connection.execution_options(**{_BEGIN_OPTION: "DEFERRED"})
