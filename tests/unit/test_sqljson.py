"""Record lines made by SQLite (``record_chunks``) are the bytes the Python path makes.

The export writes what ``record_chunks`` gives wherever it can; an importer, a signature check
or an analyst comparing two bundles must not be able to tell which path wrote a line. Every
entity is compared on a demo mission whose rows were given the values that differ most easily:
control characters and non-ASCII text, JSON with unsorted keys and Python-only number forms,
timestamps of other shapes, money that rounds, NULL flags, and files whose content is gone or
held by a row outside the export.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import orjson
import pytest
from sqlalchemy import JSON, Boolean, Numeric, Text, func, select, text

from app.config import Paths
from app.db.models import FreeText, UtcDateTime
from app.exchange import sqljson
from app.exchange.records import ENTITIES, Entity
from app.exchange.sqljson import record_chunks
from app.services.exchange import _collect
from app.services.installation import unlock
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, demo_paths_fixture

demo_paths = demo_paths_fixture("sqljson", 100, 7, date(2026, 6, 1))

TEXTS = [
    'Асель & <b>Нұрланқызы</b> "quoted" \\ back',
    "tab\tline\nfeed\rreturn\x08\x0c end",
    "한국어 · العربية · 🇰🇿 · \u2028\u2029 · \x7f",
]
JSONS = [
    '{"z": 1, "a": {"y": [1.50, 1e5, -0.0], "b": null}}',
    "[]",
    '{"k": "\\u0001"}',
    '["share_hq", "case_handling", true, null]',
    '["x", 1.50]',
    '[{"b": 1, "a": 2}]',
    '["caf\\u00e9", "\\u049b"]',
    '[ "spaced" ,"out" ]',
    "[Infinity, NaN]",
]
TIMESTAMPS = [
    "2026-01-02 03:04:05.000000",
    "2026-01-02 03:04:05.120000",
    "2026-01-02 03:04:05",
    "2026-01-02T03:04:05+00:00",
]
MONEY = [0.125, 1234.5, 0.005, 99999999.995, None]


def _tricky_value(kind: Any, nullable: bool, index: int) -> Any | None:
    """A value for a column of this type that tests the conversion, or None for 'leave it'."""
    if isinstance(kind, UtcDateTime):
        return TIMESTAMPS[index % len(TIMESTAMPS)]
    if isinstance(kind, JSON):
        return JSONS[index % len(JSONS)]
    if isinstance(kind, Numeric):
        return MONEY[index % len(MONEY)]
    if isinstance(kind, Boolean) and nullable:
        return "NULL"
    if isinstance(kind, Text | FreeText):
        return TEXTS[index % len(TEXTS)]
    return None


@pytest.fixture(scope="module")
def ws(demo_paths: Paths) -> Iterator[Workspace]:
    workspace = unlock(demo_paths, "admin", PASSWORD)
    with workspace.write() as session:
        for entity in ENTITIES:
            table = entity.model.__table__  # type: ignore[attr-defined]
            ids = session.execute(select(table.c.id).order_by(table.c.id).limit(9)).scalars()
            for index, row_id in enumerate(ids):
                for column in entity.columns:
                    value = _tricky_value(column.type, bool(column.nullable), index)
                    if value == "NULL":
                        session.execute(
                            table.update().where(table.c.id == row_id), {column.name: None}
                        )
                    elif value is not None or (isinstance(column.type, Numeric) and index == 4):
                        session.execute(
                            text(f'UPDATE "{table.name}" SET "{column.name}" = :v WHERE id = :id'),
                            {"v": value, "id": row_id},
                        )
        _files_gone_or_held_elsewhere(session)
    yield workspace
    workspace.close()


def _files_gone_or_held_elsewhere(session: Any) -> None:
    """Letters: one whose PDF is gone, and two sharing a digest where only the one changed last
    (outside an export of the first half of the changes) holds the content."""
    letters = session.execute(text("SELECT id FROM letter ORDER BY change_seq")).scalars().all()
    assert len(letters) >= 3, "the demo mission has letters"
    gone, shared = "a" * 64, "b" * 64
    for row_id, sha, pdf in (
        (letters[0], gone, None),
        (letters[1], shared, None),
        (letters[-1], shared, b"%PDF-"),
    ):
        session.execute(
            text(
                "UPDATE letter SET pdf = :pdf, pdf_sha256 = :sha, deleted_at = NULL WHERE id = :id"
            ),
            {"pdf": pdf, "sha": sha, "id": row_id},
        )


def python_lines(session: Any, entity: Entity, where: Any) -> list[bytes]:
    return [orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in _collect(session, entity, where)]


def sql_lines(session: Any, entity: Entity, where: Any) -> list[bytes]:
    chunks = record_chunks(session.connection(), entity, where)
    assert chunks is not None, f"{entity.name} takes the Python path on SQLite"
    lines: list[bytes] = []
    for count, joined in chunks:
        assert joined.endswith(b"\n") and joined.count(b"\n") == count
        lines += joined.splitlines()
    return lines


@pytest.mark.parametrize("entity", ENTITIES, ids=[e.name for e in ENTITIES])
def test_every_record_is_the_same_bytes(ws: Workspace, entity: Entity) -> None:
    table = entity.model.__table__  # type: ignore[attr-defined]
    with ws.read() as session:
        top = session.execute(select(func.max(table.c.change_seq))).scalar_one() or 0
        for where in (table.c.change_seq > 0, table.c.change_seq.between(1, top // 2)):
            # The same lines; SQLite gives them in the table's order, Python by id.
            expected = python_lines(session, entity, where)
            assert sorted(sql_lines(session, entity, where)) == sorted(expected)


def test_small_chunks_carry_every_record_once(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqljson, "CHUNK", 7)
    event = next(e for e in ENTITIES if e.name == "case_event")
    table = event.model.__table__  # type: ignore[attr-defined]
    with ws.read() as session:
        chunks = list(record_chunks(session.connection(), event, text("1")) or [])
        in_table_order = session.execute(text("SELECT id FROM case_event ORDER BY rowid"))
        expected_ids = list(in_table_order.scalars())
        assert sorted(sql_lines(session, event, table.c.change_seq > 0)) == sorted(
            python_lines(session, event, table.c.change_seq > 0)
        )
    assert len(chunks) > 3 and all(count == 7 for count, _ in chunks[:-1])
    ids = [orjson.loads(line)["id"] for _, joined in chunks for line in joined.splitlines()]
    assert sorted(ids) == sorted(expected_ids)  # each once; the order inside carries nothing


def test_the_tricky_values_reached_the_records(ws: Workspace) -> None:
    """The comparison above is only as good as its data: the odd values are really there."""
    by_name = {e.name: e for e in ENTITIES}
    with ws.read() as session:
        cases = b"\n".join(sql_lines(session, by_name["case"], text("1")))
        letters = b"\n".join(sql_lines(session, by_name["letter"], text("1")))
    assert b'"2026-01-02T03:04:05+00:00"' in cases
    assert b'"2026-01-02T03:04:05.120000+00:00"' in cases
    assert b"\\t" in cases and "🇰🇿".encode() in cases
    assert b'{"a":{"b":null,"y":[1.5,100000.0,-0.0]},"z":1}' in cases
    assert b'"0.12"' in cases  # 0.125 is exact in binary: printf rounds it half to even
    assert letters.count(b'"deleted_at":"') >= 1


def test_a_file_held_only_outside_the_export_travels_as_deleted(ws: Workspace) -> None:
    letter = next(e for e in ENTITIES if e.name == "letter")
    table = letter.model.__table__  # type: ignore[attr-defined]
    shared = "b" * 64
    with ws.read() as session:
        holder_seq = session.execute(
            select(table.c.change_seq).where(table.c.pdf_sha256 == shared, table.c.pdf.is_not(None))
        ).scalar_one()
        everything = [orjson.loads(line) for line in sql_lines(session, letter, text("1"))]
        before = table.c.change_seq < holder_seq
        earlier = [orjson.loads(line) for line in sql_lines(session, letter, before)]
    assert [r["deleted_at"] for r in everything if r["pdf_sha256"] == shared] == [None, None]
    without = [r for r in earlier if r["pdf_sha256"] == shared]
    assert len(without) == 1 and without[0]["deleted_at"] == without[0]["updated_at"]
    assert [r["deleted_at"] is not None for r in everything if r["pdf_sha256"] == "a" * 64] == [
        True
    ]


def test_another_engine_takes_the_python_path(ws: Workspace) -> None:
    class Other:
        name = "postgresql"

    class Connection:
        dialect = Other()

    assert record_chunks(Connection(), ENTITIES[0], text("1")) is None  # type: ignore[arg-type]
