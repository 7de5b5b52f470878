"""SQLite failures a person can act on arrive as QorgauErrors with a clear message, raised where
sessions open and commit (``Database.read``/``write``), and the failed write changes nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlcipher3
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.db import raw
from app.db.engine import Database, Interrupted, user_facing
from app.db.raw import open_raw
from app.errors import DatabaseBusy, DatabaseDamaged, StorageFailed, StorageFull
from app.services.workspace import Workspace


@pytest.fixture
def db(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """A second handle on the workspace's database that gives up waiting after 0.2 s."""
    monkeypatch.setattr(raw, "BUSY_TIMEOUT_MS", 200)
    opened = Database(ws.db.path, ws.db.key)
    with opened.write() as session:
        session.execute(text("CREATE TABLE filler (b BLOB)"))
    yield opened
    opened.dispose()


def filler_rows(db: Database) -> int:
    with db.read() as session:
        return int(session.execute(text("SELECT count(*) FROM filler")).scalar_one())


def test_a_write_while_another_process_holds_the_lock_says_so(db: Database) -> None:
    holder = open_raw(db.path, db.key)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(DatabaseBusy) as busy, db.write() as session:
            session.execute(text("INSERT INTO filler VALUES (x'00')"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(busy.value).startswith(
        "Another Qorgau window or command (a bundle being imported, perhaps) kept the "
        "database busy for more than"
    )
    assert str(busy.value).endswith("nothing was changed. Try again in a moment.")
    assert isinstance(busy.value.__cause__, OperationalError)
    assert filler_rows(db) == 0


def test_a_full_disk_says_so_and_saves_nothing(db: Database) -> None:
    with pytest.raises(StorageFull) as full, db.write() as session:
        pages = session.execute(text("PRAGMA page_count")).scalar_one()
        # The file may not grow: SQLite answers as it does on a full disk (SQLITE_FULL).
        session.execute(text(f"PRAGMA max_page_count = {pages}"))
        session.execute(text("INSERT INTO filler VALUES (zeroblob(4000000))"))
    assert str(full.value) == (
        "The disk holding the Qorgau database is full; nothing was saved. "
        "Free some space on it and try again."
    )
    db.engine.dispose()  # the pooled connection keeps its page limit
    assert filler_rows(db) == 0


def sqlite_error(code: int, message: str) -> sqlcipher3.Error:
    error = sqlcipher3.OperationalError(message)
    error.sqlite_errorcode = (
        code  # what SQLite sets; extended codes carry the primary in the low byte
    )
    return error


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (5, DatabaseBusy),  # SQLITE_BUSY
        (6, DatabaseBusy),  # SQLITE_LOCKED
        (13, StorageFull),  # SQLITE_FULL
        (10 | 3 << 8, StorageFailed),  # SQLITE_IOERR_WRITE
        (11, DatabaseDamaged),  # SQLITE_CORRUPT
        (26, DatabaseDamaged),  # SQLITE_NOTADB
        (9, Interrupted),  # SQLITE_INTERRUPT
    ],
)
def test_each_actionable_sqlite_failure_has_its_error(code: int, kind: type) -> None:
    wrapped = OperationalError("INSERT …", {}, sqlite_error(code, "some text"))
    assert type(user_facing(wrapped)) is kind


def test_other_failures_stay_what_they_are() -> None:
    assert user_facing(OperationalError("SELECT …", {}, sqlite_error(1, "no such table"))) is None
    assert user_facing(ValueError("not a database error")) is None
