from __future__ import annotations

import pytest
from sqlalchemy import event, text

from app.db.engine import SCAN_CACHE_KIB
from app.security import audit
from app.services.workspace import Workspace

pytestmark = pytest.mark.both_engines  # HQ on a server keeps its audit chain there too


def add_entries(ws: Workspace, n: int) -> None:
    with ws.write() as session:
        for i in range(n):
            ws.audit(session, "test.action", "case", f"C-{i}", {"i": i, "name": "Әсел & <b>"})


def problems(ws: Workspace) -> list[audit.AuditProblem]:
    with ws.read() as session:
        return audit.verify(session)[1]


def test_intact_chain(ws: Workspace) -> None:
    add_entries(ws, 5)
    with ws.read() as session:
        count, found = audit.verify(session)
    assert found == []
    assert count >= 5


def test_edited_entry_is_found(ws: Workspace) -> None:
    add_entries(ws, 5)
    with ws.write() as session:
        target = session.execute(text("SELECT max(seq) - 2 FROM audit_entry")).scalar_one()
        session.execute(
            text("UPDATE audit_entry SET actor = 'intruder' WHERE seq = :s"), {"s": target}
        )
    found = problems(ws)
    assert [(p.seq, p.kind) for p in found] == [(target, "edited")]
    assert f"entry {target} has been changed" in found[0].message


def test_deleted_entry_is_found(ws: Workspace) -> None:
    add_entries(ws, 5)
    with ws.write() as session:
        target = session.execute(text("SELECT max(seq) - 2 FROM audit_entry")).scalar_one()
        session.execute(text("DELETE FROM audit_entry WHERE seq = :s"), {"s": target})
    found = problems(ws)
    assert [(p.seq, p.kind) for p in found] == [(target, "missing")]


def test_reordered_entries_are_found(ws: Workspace) -> None:
    add_entries(ws, 5)
    with ws.write() as session:
        last = session.execute(text("SELECT max(seq) FROM audit_entry")).scalar_one()
        # Swap two entries' positions, keeping each row's own hash consistent.
        session.execute(text("UPDATE audit_entry SET seq = -1 WHERE seq = :a"), {"a": last - 1})
        session.execute(
            text("UPDATE audit_entry SET seq = :a WHERE seq = :b"), {"a": last - 1, "b": last}
        )
        session.execute(text("UPDATE audit_entry SET seq = :b WHERE seq = -1"), {"b": last})
    kinds = {p.kind for p in problems(ws)}
    assert "reordered" in kinds


def test_truncated_tail_is_found(ws: Workspace) -> None:
    add_entries(ws, 5)
    with ws.write() as session:
        last = session.execute(text("SELECT max(seq) FROM audit_entry")).scalar_one()
        session.execute(text("DELETE FROM audit_entry WHERE seq >= :s"), {"s": last - 1})
    found = problems(ws)
    assert [(p.seq, p.kind) for p in found] == [(last - 1, "truncated")]


def test_entry_rolls_back_with_its_transaction(ws: Workspace) -> None:
    with ws.read() as session:
        before = audit.verify(session)[0]
    try:
        with ws.write() as session:
            ws.audit(session, "test.failed", "case", "X")
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    with ws.read() as session:
        count, found = audit.verify(session)
    assert (count, found) == (before, [])


def test_a_long_log_is_checked_a_chunk_at_a_time(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A mission's log reaches millions of entries: ``verify`` reads them a chunk at a time,
    and a change at the seam between two chunks is found as anywhere else."""
    monkeypatch.setattr(audit, "VERIFY_CHUNK", 4)
    add_entries(ws, 13)
    reads: list[str] = []

    def count_reads(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        if "FROM audit_entry" in statement:
            reads.append(statement)

    event.listen(ws.db.engine, "before_cursor_execute", count_reads)
    try:
        with ws.read() as session:
            total, found = audit.verify(session)
    finally:
        event.remove(ws.db.engine, "before_cursor_execute", count_reads)
    assert found == []
    assert len(reads) == total // 4 + 1  # the last chunk short (or empty)
    with ws.write() as session:
        session.execute(text("UPDATE audit_entry SET actor = 'intruder' WHERE seq = 9"))
        session.execute(text("DELETE FROM audit_entry WHERE seq = 12"))
    assert [(p.seq, p.kind) for p in problems(ws)] == [(9, "edited"), (12, "missing")]


@pytest.mark.sqlcipher_only  # PostgreSQL's json type refuses NaN when it is written
def test_details_json_cannot_read_quickly_still_verify(ws: Workspace) -> None:
    """Details the fast reader refuses (NaN, integers past 64 bits) are read the slow way: the
    chain of an intact log stays intact whatever its entries hold."""
    with ws.write() as session:
        ws.audit(
            session,
            "test.action",
            "case",
            "C-1",
            {"nan": float("nan"), "big": 2**70, "text": "Әсел & <b>", "list": [1.5, None, True]},
        )
        ws.audit(session, "test.action", "case", "C-2", {"n": 1})
    assert problems(ws) == []


@pytest.mark.sqlcipher_only  # SQLite's page cache; a server keeps its own
def test_the_check_reads_through_a_small_page_cache_and_puts_it_back(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The log is read once: its pages need not fill the cache sized for the case list."""
    add_entries(ws, 5)
    seen: list[int] = []
    real = audit.entry_hash

    def hashing(*args, **kwargs) -> str:  # type: ignore[no-untyped-def]
        seen.append(int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one()))
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "entry_hash", hashing)
    with ws.read() as session:
        connection = session.connection()
        before = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
        assert audit.verify(session)[1] == []
        after = int(connection.exec_driver_sql("PRAGMA cache_size").scalar_one())
    assert set(seen) == {-SCAN_CACHE_KIB}
    assert after == before != -SCAN_CACHE_KIB
