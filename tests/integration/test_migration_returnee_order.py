"""Migration 0026: the returnees' register is listed from an index in the list's order, so
the first page is the index's first entries instead of a sort of every record; taken back
down, the index goes."""

from __future__ import annotations

from sqlalchemy import select

from app.config import Paths
from app.db import migrate
from app.db.models import Returnee
from app.services.installation import unlock
from app.services.returnees import LIST_ORDER
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    downgraded,
    indexed_columns,
    query_plan,
)

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
