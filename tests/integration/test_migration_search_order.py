"""Migration 0013: index rows written in creation order are renumbered into the list's order,
keeping their text, so the same searches find the same cases, newest first."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, text

from app.config import Paths
from app.db import migrate
from app.db.engine import Database
from app.services import search
from app.services.cases import CaseService
from app.services.demo import fill_demo
from app.services.installation import unlock
from app.services.records import CaseFilter
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import downgraded


def _queries(connection: Connection) -> list[str]:
    """Some of the demo's names as typed: a prefix in Cyrillic, a whole name in Latin."""
    people = connection.execute(
        text("SELECT surname, given_names_latin FROM person ORDER BY id LIMIT 3")
    ).all()
    return [p.surname[:4] for p in people] + [p.given_names_latin.lower() for p in people]


def _searches(installation: Paths, queries: list[str]) -> dict[str, tuple[int, set[str]]]:
    ws = unlock(installation, "admin", PASSWORD)
    try:
        service = CaseService(ws)
        return {
            typed: (
                service.count_cases(CaseFilter(text=typed)),
                {r.id for r in service.list_cases(CaseFilter(text=typed), 0, 1000)},
            )
            for typed in queries
        }
    finally:
        ws.close()


def _old_numbering(installation: Paths) -> tuple[bytes, dict[str, tuple[int, set[str]]]]:
    """Down to 0010, with the index's rowids in an order unrelated to the cases' dates."""
    ws = unlock(installation, "admin", PASSWORD)
    fill_demo(ws, 60, seed=3)
    key = ws.db.key
    db = downgraded(installation, ws, "0010")
    try:
        with db.engine.begin() as connection:
            refs = connection.execute(
                text("SELECT doc, ref_id FROM search_index_map ORDER BY ref_id")
            ).all()
            for n, (doc, ref) in enumerate(refs, start=1):  # as 0001 numbered: 1, 2, 3...
                connection.execute(
                    text("UPDATE search_index SET rowid = :new WHERE rowid = :old"),
                    {"new": n, "old": doc},
                )
                connection.execute(
                    text("UPDATE search_index_map SET doc = :new WHERE ref_id = :ref"),
                    {"new": n, "ref": ref},
                )
            found = {}
            for typed in _queries(connection):
                ids = set(
                    connection.execute(
                        text(
                            "SELECT ref_id FROM search_index_map WHERE doc IN "
                            "(SELECT rowid FROM search_index WHERE search_index MATCH :q)"
                        ),
                        {"q": search.fts_query(typed)},
                    ).scalars()
                )
                found[typed] = (len(ids), ids)
    finally:
        db.dispose()
    return key, found


def test_old_rows_are_renumbered_in_list_order_and_find_the_same_cases(
    installation: Paths,
) -> None:
    key, before = _old_numbering(installation)
    after = _searches(installation, list(before))  # opening migrates to the head
    db = Database(installation.db, key)
    try:
        with db.engine.connect() as connection:
            assert migrate.current_revision(connection) == migrate.head_revision()
            rows = connection.execute(
                text(
                    'SELECT m.doc, c.received_at, c.seq, s.body FROM "case" c '
                    "JOIN search_index_map m ON m.ref_id = c.id "
                    "JOIN search_index s ON s.rowid = m.doc"
                )
            ).all()
            fts = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'search_index'")
            ).scalar_one()
    finally:
        db.dispose()
    assert len(rows) == 60
    assert "prefix = '1 2 3'" in fts  # the first letter typed reads its own prefix index
    for doc, received_at, seq, body in rows:
        slot = doc % (1 << search.SLOT_BITS)
        assert doc - slot == search.doc_base(date.fromisoformat(received_at), seq)
        assert body  # the text came along
    assert all(count > 0 for count, _ids in before.values())
    assert after == before
