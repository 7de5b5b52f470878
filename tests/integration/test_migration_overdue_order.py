"""Migration 0029: HQ's overdue list in its default order is read from an index instead of a
sort of every overdue case, on both engines; taken back down, the index goes. The expression
and the WHERE in the index are the query's own text (the models'), or no engine would use it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, insert, select, text

from app.config import Paths
from app.db import migrate
from app.db.models import OPEN_CASES_SQL, OVERDUE_PRIORITY_SQL, Case, Person, new_id
from app.domain.codes import Urgency
from app.domain.workflow import OPEN_STATUSES
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    downgrade,
    downgraded,
    indexed_columns,
    query_plan,
    scratch_database,
)
from tests.pg_cluster import Cluster

FIRST_PAGE = (
    select(Case.number)
    .where(text(OPEN_CASES_SQL), Case.due_date < date(2026, 12, 1))
    .order_by(text(OVERDUE_PRIORITY_SQL), Case.due_date, Case.number)
    .limit(200)
)


def test_the_index_holds_the_codes_as_the_domain_declares_them() -> None:
    """Critical first, low last; the open statuses, no other (the SQL is written out)."""
    ranks = [OVERDUE_PRIORITY_SQL.index(f"'{code.value}' THEN") for code in Urgency]
    assert ranks == sorted(ranks, reverse=True)
    listed = OPEN_CASES_SQL.split("IN (")[1].rstrip(")").replace("'", "").split(", ")
    assert listed == sorted(s.value for s in OPEN_STATUSES)


def _cases(connection: Connection, n: int) -> None:
    """``n`` cases of every status and urgency, two in three open, most of those overdue
    (as bench_hq.py generates them); statistics taken."""
    now, start = datetime.now(UTC), date(2024, 1, 1)
    person = new_id()
    connection.execute(
        insert(Person),
        [
            {"id": person, "origin_mission": "AST", "version": 1, "updated_at": now}
            | {"change_seq": 0, "surname": "S", "given_names": "G"}
        ],
    )
    statuses = ("new", "in_progress", "awaiting_response", "referred", "resolved", "closed")
    urgencies = [code.value for code in Urgency]
    connection.execute(
        insert(Case),
        [
            {"id": new_id(), "origin_mission": "AST", "version": 1, "updated_at": now}
            | {"change_seq": 0, "number": f"AST-2024-{i:06d}", "mission_code": "AST"}
            | {"holder_mission": "AST", "year": 2024, "seq": i, "person_id": person}
            | {"host_country": "KR", "status": statuses[i % 6], "urgency": urgencies[i % 4]}
            | {"received_at": start + timedelta(days=i % 900)}
            | {"due_date": start + timedelta(days=i % 900 + 30)}
            for i in range(1, n + 1)
        ],
    )
    connection.execute(text("ANALYZE"))


def test_down_to_0028_and_up_again(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    db = downgraded(installation, ws, "0028")
    try:
        with db.engine.begin() as connection:
            assert indexed_columns(connection, "ix_case_overdue_order") == []
            _cases(connection, 3_000)
            assert "TEMP B-TREE FOR ORDER BY" in query_plan(connection, FIRST_PAGE)
            migrate.upgrade_to(connection, "head")
            connection.execute(text("ANALYZE"))
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            # The urgency expression has no name: SQLite lists it as None.
            assert indexed_columns(connection, "ix_case_overdue_order") == [
                None,
                "due_date",
                "number",
                "holder_mission",
            ]
            plan = query_plan(connection, FIRST_PAGE)
            assert "ix_case_overdue_order" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        db.dispose()


def test_postgresql_walks_the_index_instead_of_sorting(pg_cluster: Cluster) -> None:
    with scratch_database(pg_cluster, "overdue_order_check") as engine:
        with engine.begin() as connection:
            migrate.upgrade_to(connection, "0028")
            _cases(connection, 5_000)
            before = query_plan(connection, FIRST_PAGE)
            assert "ix_case_overdue_order" not in before and "Sort" in before, before
        with engine.begin() as connection:
            migrate.upgrade_to(connection, "head")
            connection.execute(text("ANALYZE"))
        with engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            indexdef = connection.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_case_overdue_order'")
            ).scalar_one()
            assert "THEN 0" in indexdef and "due_date, number, holder_mission)" in indexdef
            assert "WHERE ((deleted_at IS NULL) AND ((status)::text = ANY" in indexdef
            after = query_plan(connection, FIRST_PAGE)
            assert "Index Scan using ix_case_overdue_order" in after, after
            assert "Sort" not in after, after
        with engine.begin() as connection:
            downgrade(connection, "0028")
            left = connection.execute(
                text("SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_case_overdue_order'")
            ).scalar_one()
            assert left == 0
