"""Migration 0018: the person birth-date index holds what the batch duplicate check reads, so
a CSV batch's people born on its birthdays come from the index alone; taken back down, the
birth date alone."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from app.config import Paths
from app.db import migrate
from app.services.cases import born_on
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    downgraded,
    indexed_columns,
    query_plan,
)


def _indexed_columns(connection: Connection) -> list[str]:
    return indexed_columns(connection, "ix_person_birth_date")


def _plan_of_born_on(connection: Connection) -> str:
    return query_plan(connection, born_on([date(1990, 1, 1), date(1991, 2, 3)]))


def test_the_duplicate_check_reads_people_born_on_a_day_from_the_index_alone(
    installation: Paths,
) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.db.engine.connect() as connection:
            assert _indexed_columns(connection)[0] == "birth_date"
            assert "COVERING INDEX ix_person_birth_date" in _plan_of_born_on(connection)
    finally:
        ws.close()


def test_down_to_0017_and_up_again(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    db = downgraded(installation, ws, "0017")
    try:
        with db.engine.begin() as connection:
            assert _indexed_columns(connection) == ["birth_date"]
            assert "COVERING" not in _plan_of_born_on(connection)
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            assert "COVERING INDEX ix_person_birth_date" in _plan_of_born_on(connection)
    finally:
        db.dispose()
