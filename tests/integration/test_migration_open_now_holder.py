"""Migration 0021: the dashboard's "now" figures, which at a mission leave out its copies of
cases HQ moved away, still come from ``ix_case_open_now`` alone; taken back down, the index
is the one of 0016."""

from __future__ import annotations

from app.config import Paths
from app.db import migrate
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    downgraded,
    indexed_columns,
)

BEFORE = ["status", "origin_mission", "due_date", "deleted_at"]


def test_down_to_0020_and_up_again(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    db = downgraded(installation, ws, "0020")
    try:
        with db.engine.begin() as connection:
            assert indexed_columns(connection, "ix_case_open_now") == BEFORE
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            assert indexed_columns(connection, "ix_case_open_now") == [*BEFORE, "holder_mission"]
    finally:
        db.dispose()
