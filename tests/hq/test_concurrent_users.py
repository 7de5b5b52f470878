"""Several HQ users at once on one PostgreSQL server: what two of them doing the same thing at
the same moment leaves behind (the search index, a conflict both resolve), and the
administrator's documented commands."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, text

from app.db.models import Mission, SyncConflict
from app.errors import ConflictError
from app.services.exchange import ExchangeService
from app.services.search import index_cases
from app.services.users import UserService
from tests.hq.pg import PASSWORD, DocumentedTemplate, ServerHq, documented_hq
from tests.hq.seed import add_case
from tests.integration.cli_helpers import run_cli
from tests.pg_cluster import Cluster


@pytest.fixture
def server_hq(
    pg_cluster: Cluster, documented_hq_template: DocumentedTemplate, tmp_path: Path
) -> Iterator[ServerHq]:
    with documented_hq(pg_cluster, documented_hq_template, tmp_path / "hq") as hq:
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


def test_a_conflict_resolved_meanwhile_is_refused_naming_who(server_hq: ServerHq) -> None:
    """Two import operators have the same conflict open and both resolve it: the second is
    told who resolved it and which way, and the first's decision stands (before, the second
    read it unresolved and recorded their own over it)."""
    case_id, _ = _missions_cases(server_hq)
    with server_hq.admin.write() as session:
        conflict = SyncConflict(
            entity="case",
            record_id=case_id,
            bundle_id="b1",
            local_version=1,
            remote_version=1,
            local_data={},
            remote_data={},
        )
        session.add(conflict)
        session.flush()
        conflict_id = conflict.id
    UserService(server_hq.admin).add(server_hq.names["erlan"], "hq_importer", PASSWORD)
    erlan = server_hq.sign_in("erlan")
    first = server_hq.names["gulnar"]
    refused: list[BaseException] = []

    def keep_local() -> None:
        try:
            ExchangeService(erlan).resolve_conflict(conflict_id, "local")
        except BaseException as exc:  # noqa: BLE001 - asserted below
            refused.append(exc)

    try:
        # The first user's resolution, under way when the second clicks (its write not done).
        with server_hq.admin.write() as session:
            row = session.get(SyncConflict, conflict_id)
            assert row is not None
            row.resolved_at, row.resolved_by, row.resolution = func.now(), first, "local"
            session.flush()
            second = threading.Thread(target=keep_local)
            second.start()
            time.sleep(0.5)
        second.join(timeout=30)
        assert len(refused) == 1 and isinstance(refused[0], ConflictError)
        assert str(refused[0]) == (
            f"{first} has already resolved this conflict and kept the version held here."
        )
        with server_hq.admin.read() as session:
            row = session.get(SyncConflict, conflict_id)
            assert row is not None
            assert (row.resolved_by, row.resolution) == (first, "local")
    finally:
        erlan.close()


def test_the_documented_add_user_asks_for_the_administrators_server_password(
    server_hq: ServerHq,
    pg_cluster: Cluster,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`hq add-user NAME --database postgresql://gulnar@server/db` as README writes it: the
    administrator's password, which libpq finds nowhere here, is asked for (QORGAU_PASSWORD
    when automated) instead of failing as "the server cannot be reached"."""
    database = json.loads((server_hq.paths.data_dir / "server.json").read_text())["database"]
    address = pg_cluster.url(database, user=server_hq.names["gulnar"])
    for name in ("PGPASSWORD", "PGPASSFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGPASSFILE", str(server_hq.paths.data_dir / "no-such-pgpass"))
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", PASSWORD)
    dana = server_hq.names["dana"]
    run = run_cli(capsys, "hq", "add-user", dana, "--role", "analyst", "--database", address)
    assert run.code == 0, run.err
    assert "Qorgau role HQ analyst: reads and reports." in run.out  # its label, not "hq_analyst"
    server_hq.sign_in("dana").close()
    granted = run_cli(capsys, "hq", "grants", "--database", address)
    assert granted.code == 0, granted.err
    # A wrong password is refused by the server as such, and nobody is added.
    monkeypatch.setenv("QORGAU_PASSWORD", "not-the-password")
    erlan = server_hq.names["erlan"]
    wrong = run_cli(capsys, "hq", "add-user", erlan, "--role", "importer", "--database", address)
    assert wrong.code == 1 and "password authentication failed" in wrong.err
    assert erlan not in {user.username for user in UserService(server_hq.admin).list()}
