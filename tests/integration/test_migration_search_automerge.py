"""Migration 0017: the search index merges its segments eight at a time, on new installations
and on upgraded ones; taken back down, FTS5's own four."""

from __future__ import annotations

from sqlalchemy import Connection, text

from app.config import Paths
from app.db import migrate
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import downgraded


def _automerge(connection: Connection) -> int | None:
    value = connection.execute(
        text("SELECT v FROM search_index_config WHERE k = 'automerge'")
    ).scalar_one_or_none()
    return None if value is None else int(value)


def test_a_new_installation_merges_eight_segments_at_a_time(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.db.engine.connect() as connection:
            assert _automerge(connection) == 8
    finally:
        ws.close()


def test_down_to_0016_and_up_again(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    db = downgraded(installation, ws, "0016")
    try:
        with db.engine.begin() as connection:
            assert _automerge(connection) == 4
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            assert _automerge(connection) == 8
    finally:
        db.dispose()
