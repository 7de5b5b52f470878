"""Migration 0026: the returnees' register is listed from an index in the list's order, so
the first page is the index's first entries instead of a sort of every record (on PostgreSQL
with statistics on the consents' text, without which it would not choose it); taken back down,
both go."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, insert, select, text

from app.config import Paths
from app.db import migrate
from app.db.models import Case, Person, Returnee, new_id
from app.services.installation import unlock
from app.services.returnee_register import in_register
from app.services.returnees import LIST_ORDER
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
    select(Returnee.id)
    .where(Returnee.deleted_at.is_(None), Returnee.anonymised_at.is_(None))
    .order_by(*LIST_ORDER)
    .limit(200)
)


def test_down_to_0025_and_up_again(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    db = downgraded(installation, ws, "0025")
    try:
        with db.engine.begin() as connection:
            assert indexed_columns(connection, "ix_returnee_order") == []
            assert "TEMP B-TREE FOR ORDER BY" in query_plan(connection, FIRST_PAGE)
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            assert indexed_columns(connection, "ix_returnee_order") == [
                "returned_on",
                "consent_date",
                "id",
            ]
            plan = query_plan(connection, FIRST_PAGE)
            assert "ix_returnee_order" in plan and "TEMP B-TREE" not in plan, plan
    finally:
        db.dispose()


# The register's first page as the Returnees area reads it at HQ (no filter, every mission's).
REGISTER_PAGE = (
    select(Returnee, Person, Case.number)
    .join(Person, Person.id == Returnee.person_id)
    .outerjoin(Case, Case.id == Returnee.case_id)
    .where(*in_register())
    .order_by(*LIST_ORDER)
    .limit(200)
)


def _register_of(connection: Connection, n: int) -> None:
    """``n`` records, each of its own person, nine in ten consenting; statistics taken."""
    now, today = datetime.now(UTC), date.today()
    persons, records = [], []
    for i in range(n):
        person = new_id()
        scope = ["case_handling", "returnee_register"] if i % 10 else ["case_handling"]
        persons.append(
            {"id": person, "origin_mission": "AST", "version": 1, "updated_at": now}
            | {"change_seq": 0, "surname": f"S{i}", "given_names": "G", "consent_scope": scope}
        )
        records.append(
            {"id": new_id(), "origin_mission": "AST", "version": 1, "updated_at": now}
            | {"change_seq": 0, "person_id": person, "occupation": "7212", "region": "KZ-71"}
            | {"work_country": "KR", "consent_date": today - timedelta(days=i % 900)}
            | {"returned_on": today - timedelta(days=i % 700)}
        )
    connection.execute(insert(Person), persons)
    connection.execute(insert(Returnee), records)
    connection.execute(text("ANALYZE"))


def test_postgresql_reads_the_first_page_from_the_index(pg_cluster: Cluster) -> None:
    """The fault on PostgreSQL: it took the consent condition for one that almost nobody meets,
    read the consenting persons first and sorted all their records (610 ms for the first page
    at 200,000 records)."""
    with scratch_database(pg_cluster, "returnee_order_check") as engine:
        with engine.begin() as connection:
            migrate.upgrade_to(connection, "0025")
            _register_of(connection, 5_000)
            before = query_plan(connection, REGISTER_PAGE)
            assert "ix_returnee_order" not in before and "Sort" in before, before
        with engine.begin() as connection:
            migrate.upgrade_to(connection, "head")
        with engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            after = query_plan(connection, REGISTER_PAGE)
            assert "Index Scan using ix_returnee_order" in after and "Sort" not in after, after
        with engine.begin() as connection:
            downgrade(connection, "0025")
            left = connection.execute(
                text("SELECT count(*) FROM pg_statistic_ext WHERE stxname = 'person_consent_scope'")
            ).scalar_one()
            assert left == 0
