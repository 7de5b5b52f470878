"""Several HQ users at once on one PostgreSQL server: what two of them doing the same thing at
the same moment leaves behind (the search index, ...)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text

from app.db.models import Mission
from app.services.search import index_cases
from tests.hq.pg import ServerHq, documented_hq
from tests.hq.seed import add_case
from tests.pg_cluster import Cluster


@pytest.fixture
def server_hq(pg_cluster: Cluster, tmp_path: Path) -> Iterator[ServerHq]:
    with documented_hq(pg_cluster, tmp_path / "hq") as hq:
        yield hq


def _missions_cases(hq: ServerHq) -> list[str]:
    """Two missions' cases received the same day with the same number: one doc base."""
    ids = []
    with hq.admin.write() as session:
        for code in ("SEL", "ALA"):
            session.add(Mission(code=code, country="KR", city="Seoul", origin_mission="AST"))
            session.flush()
            case = add_case(session, code, 7, iin=None, employer=None, received=date(2026, 3, 2))
            ids.append(case.id)
    return ids


def test_two_users_indexing_at_once_both_finish(server_hq: ServerHq) -> None:
    """The second indexer waits for the first and takes the next slot, instead of failing on
    the slot the first took meanwhile (two users catching up one import's search rows)."""
    sel_case, ala_case = _missions_cases(server_hq)
    other = server_hq.sign_in("gulnar")
    errors: list[BaseException] = []

    def index_ala() -> None:
        try:
            with other.write() as session:
                index_cases(session, [ala_case])
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            errors.append(exc)

    try:
        with server_hq.admin.write() as session:
            index_cases(session, [sel_case])
            waiting = threading.Thread(target=index_ala)
            waiting.start()
            time.sleep(0.5)  # the other user's index write is under way meanwhile
        waiting.join(timeout=30)
        assert not errors
        with server_hq.admin.read() as session:
            docs = session.execute(
                text("SELECT ref_id, doc FROM search_index_map WHERE ref_id IN (:a, :b)"),
                {"a": sel_case, "b": ala_case},
            ).all()
            rows = session.execute(
                text("SELECT count(*) FROM search_index WHERE case_id IN (:a, :b)"),
                {"a": sel_case, "b": ala_case},
            ).scalar_one()
        assert {ref for ref, _ in docs} == {sel_case, ala_case}
        assert len({doc for _, doc in docs}) == 2
        assert rows == 2
    finally:
        other.close()
