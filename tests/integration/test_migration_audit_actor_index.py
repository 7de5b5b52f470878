"""Migration 0024: one user's audit entries, the latest first, are found through the actor
index instead of a walk back through the whole log; taken back down, the index goes."""

from __future__ import annotations

from sqlalchemy import select

from app.config import Paths
from app.db import migrate
from app.db.models import AuditEntry
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    downgraded,
    indexed_columns,
    query_plan,
)

ONE_USERS_LATEST = (
    select(AuditEntry.seq)
    .where(AuditEntry.actor == "aigul")
    .order_by(AuditEntry.seq.desc())
    .limit(500)
)


def test_down_to_0023_and_up_again(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    db = downgraded(installation, ws, "0023")
    try:
        with db.engine.begin() as connection:
            assert indexed_columns(connection, "ix_audit_entry_actor_seq") == []
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            assert indexed_columns(connection, "ix_audit_entry_actor_seq") == ["actor", "seq"]
            assert "ix_audit_entry_actor_seq" in query_plan(connection, ONE_USERS_LATEST)
    finally:
        db.dispose()
