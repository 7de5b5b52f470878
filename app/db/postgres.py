"""The PostgreSQL engine of an HQ on a database server (the other side of ``Database``'s seam).

Each person connects as themselves: the server's user name and password (or a client
certificate, or libpq's password file) are what they sign in with, and the server's roles
decide what that connection may touch. The data folder keeps only ``ServerConfig``: where the
server is and how to check it (``sslmode``, ``sslrootcert``), never a password.

Transactions are READ COMMITTED: readers never wait for writers (MVCC). What the SQLCipher
engine gets from ``BEGIN IMMEDIATE`` comes here from row locks where it matters: a counter row
is locked by the statement that advances it until the transaction ends (gapless numbering, one
audit chain), a record saved with its ``version`` is read ``FOR UPDATE``, and two imports of
one mission's bundles queue on an advisory lock. A lock waited on longer than
``LOCK_TIMEOUT_MS`` fails as ``DatabaseBusy``, like SQLite's busy timeout.
"""

from __future__ import annotations

import contextlib
import json
import selectors
import socket
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import URL, Connection, Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from app.config import SERVER_FILENAME as CONFIG_FILE
from app.db.engine import Database, Heard, Interrupted, Listening, Pinned
from app.db.raw import BUSY_TIMEOUT_MS
from app.errors import (
    AuthError,
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseError,
    SessionEnded,
    StorageFailed,
    StorageFull,
    ValidationError,
)
from app.i18n import _
from app.untrusted import json_from_outside

LOCK_TIMEOUT_MS = BUSY_TIMEOUT_MS
WORK_MEM = "16MB"  # per sort or hash of one query (PostgreSQL's default: 4 MB)
# An import waits for another import of the same mission as long as that one takes.
IMPORT_LOCK_TIMEOUT = "30min"
CONNECT_TIMEOUT_S = 10
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")

# SQLSTATE classes and codes a person can act on (PostgreSQL's Appendix A).
_BUSY = {"40001", "40P01", "55P03", "55006"}  # serialization, deadlock, lock not available
_FULL = {"53100", "53200", "53300"}  # disk full, out of memory, too many connections
_IO = {"58030", "58000"}
_DAMAGED = {"XX001", "XX002"}
_CANCELLED = {"57014"}
# The server ended the session: an administrator (revoking the user) or a shutdown.
_ENDED = {"57P01", "57P02", "57P03"}
_AUTH = {"28P01", "28000"}


_MAX_CONFIG_BYTES = 64 * 1024  # the settings are some 150 bytes: a larger file is cut, refused


@dataclass(frozen=True)
class ServerConfig:
    """Where an HQ's database is; kept in the data folder (no user name, no password)."""

    host: str
    port: int
    database: str
    sslmode: str = "prefer"
    sslrootcert: str = ""

    @property
    def display(self) -> str:
        return f"postgresql://{self.host}:{self.port}/{self.database}"

    def save(self, folder: Path) -> None:
        from app.security.private_files import touch_private

        path = folder / CONFIG_FILE
        touch_private(path)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")

    @staticmethod
    def load(folder: Path) -> ServerConfig | None:
        path = folder / CONFIG_FILE
        if not path.exists():
            return None
        try:
            with path.open("rb") as handle:
                raw = json_from_outside(handle.read(_MAX_CONFIG_BYTES))
            port = int(raw["port"])  # OverflowError for Infinity
            if not 0 < port < 65536 or not isinstance(raw["host"], str):
                raise ValueError("not a server")
            return ServerConfig(
                host=raw["host"],
                port=port,
                database=str(raw["database"]),
                sslmode=str(raw.get("sslmode", "prefer")),
                sslrootcert=str(raw.get("sslrootcert", "")),
            )
        except (OSError, ValueError, KeyError, TypeError, OverflowError):
            raise DatabaseError(
                _("The database server settings in {path} cannot be read.").format(path=str(path))
            ) from None


def copy_rows(connection: Connection, statement: str, rows: Iterable[Sequence[Any]]) -> None:
    """``COPY … FROM STDIN`` of ``rows`` on the connection's own transaction: thousands of rows
    at a time (an import's staged rows, its search index rows), where psycopg's pipelined
    ``executemany`` spent far more time in Python per row than the server took."""
    raw: Any = connection.connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def parse_server_url(url: str, sslmode: str = "", sslrootcert: str = "") -> ServerConfig:
    """A ``postgresql://host[:port]/database[?sslmode=…&sslrootcert=…]`` URL, checked.

    A user name or password in the URL is refused: each person signs in as themselves, and no
    password is ever written to the data folder."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or 5432
    except ValueError:
        parts, port = None, 0
    if parts is None or parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
        raise ValidationError(
            _("The database address must look like postgresql://server:5432/qorgau."),
            field="database",
        )
    if parts.username or parts.password:
        raise ValidationError(
            _(
                "Leave the user name and password out of the database address: each person "
                "signs in with their own."
            ),
            field="database",
        )
    database = parts.path.lstrip("/")
    if not database or "/" in database:
        raise ValidationError(
            _("The database address must name a database, for example /qorgau."),
            field="database",
        )
    query = dict(item.split("=", 1) for item in parts.query.split("&") if "=" in item)
    mode = sslmode or query.get("sslmode", "prefer")
    if mode not in SSL_MODES:
        raise ValidationError(
            _("Unknown sslmode {mode}; use one of: {modes}.").format(
                mode=mode, modes=", ".join(SSL_MODES)
            ),
            field="sslmode",
        )
    return ServerConfig(
        host=parts.hostname,
        port=port,
        database=database,
        sslmode=mode,
        sslrootcert=sslrootcert or query.get("sslrootcert", ""),
    )


def _sqlstate(exc: BaseException) -> str | None:
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    state = getattr(orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def server_error(exc: BaseException) -> DatabaseError | None:
    """The QorgauError for a PostgreSQL failure a person can act on; None for any other."""
    import psycopg

    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(orig, psycopg.Error):
        return None
    state = _sqlstate(exc) or ""
    if state in _BUSY:
        return DatabaseBusy(
            _(
                "Another user kept the records busy for more than {seconds} seconds; nothing "
                "was changed. Try again in a moment."
            ).format(seconds=LOCK_TIMEOUT_MS // 1000)
        )
    if state in _FULL:
        return StorageFull(
            _(
                "The database server is out of space or resources; nothing was saved. "
                "Tell your database administrator."
            )
        )
    if state in _IO:
        return StorageFailed(
            _(
                "The database server could not read or write its disk; nothing was saved. "
                "Tell your database administrator."
            )
        )
    if state in _DAMAGED:
        return DatabaseDamaged(
            _("The database on the server is damaged. Tell your database administrator.")
        )
    if state in _CANCELLED:
        return Interrupted()
    if state in _ENDED or _account_refused(state, str(orig)):
        # A revoked user's open session, ended by the revocation, or its reconnection refused.
        return SessionEnded(
            _(
                "The database server ended this session or no longer lets this account in: "
                "an administrator revoked it, or the server is restarting. Nothing more was "
                "saved; sign in again."
            )
        )
    if isinstance(orig, psycopg.OperationalError) and (not state or state.startswith("08")):
        return StorageFailed(
            _(
                "The connection to the database server was lost; nothing was saved. Check "
                "the network and try again."
            )
        )
    return None


def _account_refused(state: str | None, message: str) -> bool:
    """The server refuses this account: wrong password, or NOLOGIN since a revocation (a
    refused connection carries no SQLSTATE, only the server's message)."""
    return state in _AUTH or any(
        sign in message for sign in ("password authentication failed", "not permitted to log in")
    )


def _connect_error(exc: BaseException, config: ServerConfig) -> Exception:
    """What a person is told when the first connection fails."""
    state = _sqlstate(exc)
    message = str(exc.orig if isinstance(exc, DBAPIError) else exc)
    # A revoked account (NOLOGIN) is refused like a revoked user of a laptop's file.
    if _account_refused(state, message):
        return AuthError(lambda: _("Wrong user name or password."))
    if "no password supplied" in message:
        return AuthError(lambda: _("The database server asks for a password."))
    if state == "3D000":
        return DatabaseError(
            _("The database {name} does not exist on {server}.").format(
                name=config.database, server=config.host
            )
        )
    first_line = message.strip().splitlines()[0] if message.strip() else ""
    cause = _unreachable_cause(message, config)
    if cause:
        # What to check, in the reader's language; libpq's own (English) words after it.
        return DatabaseError(
            _("The database server {server} cannot be reached: {cause} ({error})").format(
                server=config.display, cause=cause, error=first_line
            )
        )
    return DatabaseError(
        _("The database server {server} cannot be reached: {error}").format(
            server=config.display, error=first_line
        )
    )


def _unreachable_cause(message: str, config: ServerConfig) -> str:
    """Why the first connection failed, from libpq's words, as what to check ("" if they say
    nothing known): an administrator setting HQ up read only libpq's English."""
    said = message.casefold()
    if "connection refused" in said:
        return _(
            "nothing answers on port {port} of {host}: the database service is stopped, or "
            "it listens on another port."
        ).format(port=config.port, host=config.host)
    if any(
        sign in said
        for sign in ("failed to resolve host", "could not translate host name", "not known")
    ):
        return _(
            "this computer finds no server named {host}: check the address for a typing "
            "error, and the network."
        ).format(host=config.host)
    if any(
        sign in said
        for sign in ("timeout expired", "timed out", "no route to host", "network is unreachable")
    ):
        return _(
            "{host} does not answer: check the network connection, and the VPN or firewall "
            "between this computer and the server."
        ).format(host=config.host)
    if "does not support ssl" in said:
        return _(
            "the server does not accept encrypted connections, which the address asks for "
            "(sslmode): ask its administrator to turn TLS on."
        )
    if "certificate verify failed" in said:
        return _(
            "the server's certificate does not match the certificate named by sslrootcert: "
            "check that file with the server's administrator."
        )
    return ""


def make_server_engine(config: ServerConfig, user: str, password: str) -> Engine:
    query: dict[str, str] = {
        "sslmode": config.sslmode,
        "application_name": "qorgau",
        "connect_timeout": str(CONNECT_TIMEOUT_S),
        # A lock waited on this long fails (DatabaseBusy), like SQLite's busy timeout. The
        # statistics group a year of per-day counts (700,000 rows at 2 million cases): with
        # PostgreSQL's default 4 MB they sort on disk, twice as slow as in memory.
        "options": f"-c lock_timeout={LOCK_TIMEOUT_MS} -c work_mem={WORK_MEM}",
    }
    if config.sslrootcert:
        query["sslrootcert"] = config.sslrootcert
    url = URL.create(
        "postgresql+psycopg",
        username=user or None,
        password=password or None,  # none: libpq's password file or a client certificate
        host=config.host,
        port=config.port,
        database=config.database,
        query=query,
    )
    engine = create_engine(
        url, poolclass=QueuePool, pool_size=4, max_overflow=8, pool_pre_ping=True
    )
    return drop_connections_that_fail_the_ping(engine)


def drop_connections_that_fail_the_ping(engine: Engine) -> Engine:
    """Any error of the pool's ping means the pooled connection is gone: open a new one.

    When the server ends a session (a revocation, a restart), the ping can fail not with the
    lost socket but with what psycopg raises while putting the connection back out of
    autocommit (a ProgrammingError, before the connection is marked broken). SQLAlchemy would
    raise that as it is; the new connection instead fails, or is refused, in words a person
    understands (``server_error``)."""

    @event.listens_for(engine, "handle_error")
    def _ping_failed(context: ExceptionContext) -> None:
        if context.is_pre_ping:
            context.is_disconnect = True

    return engine


# The channel every HQ desktop's writes are announced on (``ServerDatabase.announce``).
CHANGES_CHANNEL = "qorgau_changed"
# After the listening connection was lost: the first retry soon, then less and less often.
RELISTEN_DELAYS_S = (1.0, 2.0, 5.0, 15.0, 30.0)


class ServerListening:
    """One connection of its own, in autocommit, that LISTENs on ``CHANGES_CHANNEL``, on a
    thread that sleeps in ``select`` on the connection's socket (no polling, the GIL free)
    until a notice comes or ``stop`` wakes it through a socket pair.

    A pooled connection would not do: LISTEN lasts as long as its session, and the pool hands
    its connections to every read and write. A lost connection (a server restart, the network)
    is opened again, after which ``heard(None)`` says notices may have been missed."""

    def __init__(self, connect: Callable[[], Any], heard: Heard) -> None:
        self._connect = connect
        self._heard = heard
        self._stopping = threading.Event()
        self._wake_read, self._wake_write = socket.socketpair()
        self.listening = threading.Event()  # set while LISTEN is in place (tests wait on it)
        self._thread = threading.Thread(target=self._run, name="qorgau-listen", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        with contextlib.suppress(OSError):
            self._wake_write.send(b"x")
        self._thread.join(timeout=5)
        for end in (self._wake_read, self._wake_write):
            end.close()

    def _run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {CHANGES_CHANNEL}")
                    self.listening.set()
                    if failures:
                        self._heard(None, "")  # notices sent while deaf are gone
                    failures = 0
                    self._hear(connection)
            except Exception:  # noqa: BLE001 - any failure: open the connection again
                pass
            self.listening.clear()
            if self._stopping.is_set():
                return
            delay = RELISTEN_DELAYS_S[min(failures, len(RELISTEN_DELAYS_S) - 1)]
            failures += 1
            if self._stopping.wait(delay):
                return

    def _hear(self, connection: Any) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(connection.fileno(), selectors.EVENT_READ, "server")
            selector.register(self._wake_read, selectors.EVENT_READ, "stop")
            while not self._stopping.is_set():
                for key, _events in selector.select():
                    if key.data == "stop":
                        return
                    # Reads what arrived, without waiting; raises when the server went away.
                    for notification in list(connection.notifies(timeout=0)):
                        sender = _account_of(connection, notification.pid)
                        self._heard(notification.payload, sender)


def _account_of(connection: Any, pid: int) -> str:
    """The server account of the session that sent a notice ("" once it has ended).

    ``NOTIFY`` needs no privilege: whoever may connect can send on ``CHANGES_CHANNEL`` and
    write any user's name into the text. The sending session's own account, which the
    server tells every session, is who wrote; the text's claim is not."""
    row = connection.execute(
        "SELECT usename FROM pg_stat_activity WHERE pid = %s", (pid,)
    ).fetchone()
    return str(row[0]) if row and row[0] else ""


class ServerDatabase(Database):
    """An HQ's database on a PostgreSQL server, opened as one person."""

    dialect = "postgresql"
    shared = True

    def __init__(self, config: ServerConfig, user: str, password: str, folder: Path) -> None:
        self.config = config
        self.path = folder / CONFIG_FILE
        self.key = b""  # no database key: the server's roles guard the data
        self.user = user
        engine = make_server_engine(config, user, password)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            engine.dispose()
            raise _connect_error(exc, config) from None
        # READ COMMITTED everywhere; a write's locks are taken by its statements.
        self._setup(engine, engine)

    def _cancel(self, connection: Any) -> None:
        # Asks the server to stop the running statement; safe from another thread.
        connection.cancel_safe(timeout=5)

    def map_error(self, exc: BaseException) -> DatabaseError | None:
        return server_error(exc)

    def lock_for_import(self, session: Session, mission_code: str) -> None:
        session.execute(text(f"SET LOCAL lock_timeout = '{IMPORT_LOCK_TIMEOUT}'"))
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:name))"),
            {"name": f"qorgau-import:{mission_code}"},
        )
        session.execute(text(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}"))

    @contextmanager
    def pinned(self) -> Iterator[Pinned]:
        """As ``Database.pinned``; staging goes to the session's own temporary tables on the
        server (``pg_temp``), which take no lock anybody waits on and go at the end."""
        with self._mapped_errors(), self.engine.connect() as connection:
            try:
                yield Pinned(self, connection, "pg_temp")
            finally:
                if connection.in_transaction():
                    connection.rollback()
                connection.exec_driver_sql("DISCARD TEMP")
                connection.commit()

    def announce(self, session: Session, message: str) -> None:
        # Delivered to the listeners when this transaction commits, never if it rolls back.
        session.execute(
            text("SELECT pg_notify(:channel, :message)"),
            {"channel": CHANGES_CHANNEL, "message": message},
        )

    def listen(self, heard: Heard) -> Listening | None:
        import psycopg

        args, params = self.engine.dialect.create_connect_args(self.engine.url)
        params = {**params, "application_name": "qorgau-listen", "autocommit": True}
        return ServerListening(lambda: psycopg.connect(*args, **params), heard)

    def checkpoint(self) -> None:
        """The server checkpoints on its own."""

    def release_freed_pages(self) -> bool:
        # The server's autovacuum returns freed space; its backups are the administrator's.
        return True

    def dispose(self) -> None:
        self.engine.dispose()
