"""``one_of`` (app/db/listed.py) selects what ``IN`` selects, on both engines, and the index rows
an import COPYs on PostgreSQL hold what ``array_to_tsvector`` made of the same words."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.db.listed import one_of
from app.db.models import Case, Person
from app.services.demo import fill_demo
from app.services.search import _case_documents, _lexemes, _tsvector, index_cases
from app.services.workspace import Workspace

pytestmark = pytest.mark.both_engines


def test_one_of_selects_what_in_selects(ws: Workspace) -> None:
    fill_demo(ws, 30, seed=5)
    with ws.read() as session:
        ids = list(session.execute(select(Case.id).order_by(Case.id)).scalars())
        wanted = [*ids[::3], "no-such-id", "x' OR '1'='1"]
        expected = set(session.execute(select(Case.id).where(Case.id.in_(wanted))).scalars())
        got = set(session.execute(select(Case.id).where(one_of(Case.id, wanted))).scalars())
        assert got == expected == set(ids[::3])
        # Cached statements take the new values, and an empty list matches nothing.
        again = set(session.execute(select(Case.id).where(one_of(Case.id, ids[:2]))).scalars())
        assert again == set(ids[:2])
        assert not session.execute(select(Case.id).where(one_of(Case.id, []))).first()
        people = select(func.count()).select_from(Person).where(one_of(Person.id, ["?"]))
        assert session.execute(people).scalar_one() == 0


def test_index_rows_written_by_copy_match_array_to_tsvector(ws: Workspace) -> None:
    if not ws.on_server:
        pytest.skip("the COPY of index rows is PostgreSQL's")
    fill_demo(ws, 12, seed=6)
    with ws.read() as session:
        ids = list(session.execute(select(Case.id)).scalars())
    with ws.write() as session:
        index_cases(session, ids)  # rewritten through COPY
    hostile = ["it's", "back\\slash", "two words", "''", "\\'", "Құрманғали", "o'neil\\"]
    with ws.read() as session:
        same = session.execute(
            text("SELECT CAST(:literal AS tsvector) = array_to_tsvector(CAST(:words AS text[]))"),
            {"literal": _tsvector(hostile), "words": hostile},
        ).scalar_one()
        assert same
        rows = session.execute(
            text(
                'SELECT count(*) FROM search_index s JOIN "case" c ON c.id = s.case_id '
                "WHERE s.lexemes = array_to_tsvector(CAST(:w AS text[])) AND c.id = :id"
            ),
            {"w": _lexemes(dict(_case_documents(session, ids[:1]))[ids[0]]), "id": ids[0]},
        ).scalar_one()
        assert rows == 1
