"""Migration 0020: a case's files are listed from the case-id index alone, so opening a case
never follows a scan's overflow pages to reach the columns stored after its content; taken
back down, the case id alone."""

from __future__ import annotations

from sqlalchemy import Connection

from app.config import Paths
from app.db import migrate
from app.db.models import ATTACHMENT_LIST_COLUMNS, Attachment
from app.services.cases import listed_attachments
from app.services.installation import unlock
from tests.conftest import PASSWORD
from tests.integration.migration_helpers import (
    assert_at_head_as_the_models,
    downgraded,
    indexed_columns,
    query_plan,
)


def _indexed_columns(connection: Connection) -> list[str]:
    return indexed_columns(connection, "ix_attachment_case_id")


def _plan_of_listing(connection: Connection) -> str:
    return query_plan(connection, listed_attachments("a-case-id"))


def test_every_listed_column_is_in_the_index() -> None:
    """A column added to attachments must join the index, or every listing reads the rows
    (and the files before them) again."""
    listed = {c.name for c in Attachment.__table__.columns} - {"content"}
    assert listed == set(ATTACHMENT_LIST_COLUMNS)


def test_a_cases_files_are_listed_from_the_index_alone(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.db.engine.connect() as connection:
            assert "COVERING INDEX ix_attachment_case_id" in _plan_of_listing(connection)
    finally:
        ws.close()


def test_down_to_0019_and_up_again(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    db = downgraded(installation, ws, "0019")
    try:
        with db.engine.begin() as connection:
            assert _indexed_columns(connection) == ["case_id"]
            assert "COVERING" not in _plan_of_listing(connection)
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            assert_at_head_as_the_models(connection)
            assert _indexed_columns(connection) == list(ATTACHMENT_LIST_COLUMNS)
            assert "COVERING INDEX ix_attachment_case_id" in _plan_of_listing(connection)
    finally:
        db.dispose()
