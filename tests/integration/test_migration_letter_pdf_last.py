"""Migration 0019: the letter table keeps its stored PDF as its last column, so that reading
the register (every other column) never follows a PDF's overflow pages; an older file, whose
PDF sits before the id and the columns added since, is rebuilt with every row and index."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from sqlalchemy import Connection, text

from app.config import Paths
from app.db import migrate
from app.services.demo import fill_demo
from app.services.installation import unlock
from app.services.letters import LetterService
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli
from tests.integration.migration_helpers import assert_at_head_as_the_models, downgraded

move_column_last = importlib.import_module(
    "app.db.migrations.versions.0019_letter_pdf_last"
).move_column_last


def _columns(connection: Connection) -> list[str]:
    return [row[1] for row in connection.exec_driver_sql('PRAGMA table_info("letter")')]


def _rows(connection: Connection) -> dict[str, dict[str, Any]]:
    result = connection.execute(text('SELECT * FROM "letter"'))
    return {row["id"]: dict(row) for row in result.mappings()}


def _indexes(connection: Connection) -> set[tuple[str, str]]:
    rows = connection.exec_driver_sql(
        "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index' "
        "AND tbl_name = 'letter'"
    )
    return {(name, sql) for name, sql in rows}


def test_a_new_database_keeps_the_pdf_last(installation: Paths) -> None:
    """A column added to the letter table by a later migration lands after the PDF: that
    migration must rebuild the table again (``move_column_last``)."""
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.db.engine.connect() as connection:
            assert _columns(connection)[-1] == "pdf"
    finally:
        ws.close()


def test_an_older_file_is_rebuilt_with_every_letter_and_index(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    fill_demo(ws, 120, seed=4)  # a few letters, most issued with their PDF
    issued = [info for info in LetterService(ws).list_letters() if info.status == "issued"]
    assert issued
    db = downgraded(installation, ws, "0018")
    try:
        with db.engine.begin() as connection:
            # As files written before 0019 have it: the PDF after the attachments note, before
            # the id and the columns added since.
            columns = _columns(connection)
            for column in columns[columns.index("attachments_note") + 1 : -1]:
                move_column_last(connection, "letter", column)
            before = _columns(connection)
            assert before[before.index("attachments_note") + 1 :][:2] == ["pdf", "pdf_sha256"]
            assert before[-3:] == ["facts", "requests", "options"]
            rows, indexes = _rows(connection), _indexes(connection)
            migrate.upgrade_to(connection, "head")
        with db.engine.connect() as connection:
            after = _columns(connection)
            assert after == [c for c in before if c != "pdf"] + ["pdf"]
            assert _rows(connection) == rows
            assert _indexes(connection) == indexes
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert_at_head_as_the_models(connection)
    finally:
        db.dispose()
    ws = unlock(installation, "admin", PASSWORD)
    try:
        service = LetterService(ws)
        for info in issued:
            assert service.pdf(info.id).startswith(b"%PDF")
    finally:
        ws.close()


def test_a_table_whose_column_is_already_last_is_left_alone(installation: Paths) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.db.engine.begin() as connection:
            ddl = "SELECT sql FROM sqlite_master WHERE name = 'letter'"
            before = connection.exec_driver_sql(ddl).scalar()
            move_column_last(connection, "letter", "pdf")
            assert connection.exec_driver_sql(ddl).scalar() == before
    finally:
        ws.close()


def test_a_command_that_migrates_says_so_first(
    installation: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first command after an update copies the database and migrates it: minutes at a
    large mission, which the command line spent without a word."""
    ws = unlock(installation, "admin", PASSWORD)
    downgraded(installation, ws, "0018").dispose()
    monkeypatch.setenv("QORGAU_DATA_DIR", str(installation.data_dir))
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    first = run_cli(capsys, "case", "list")
    assert first.code == 0, first.err
    assert "Bringing the database up to date for this version of Qorgau" in first.err
    again = run_cli(capsys, "case", "list")
    assert again.code == 0 and "Bringing" not in again.err  # said only when it happens


def test_a_definition_it_cannot_read_is_left_as_it_is(installation: Paths) -> None:
    """The rebuild only saves time: a table it cannot parse stays, and signing in goes on."""
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.db.engine.begin() as connection:
            connection.exec_driver_sql('CREATE TABLE "odd" ("a" BLOB, "b" TEXT, "a " INTEGER)')
            before = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'odd'"
            ).scalar()
            move_column_last(connection, "odd", "a")
            after = connection.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE name = 'odd'"
            ).scalar()
            assert after == before
            connection.exec_driver_sql('DROP TABLE "odd"')
    finally:
        ws.close()
