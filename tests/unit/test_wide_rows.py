"""SQLite's planner is told that attachments' rows are wide, so it never reads them all to
look a few ids up (each row read past its content follows the file's overflow pages)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from app.db import engine
from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.conftest import OpenWs

# As an import asks: which of these ids are here already? More ids than attachments.
ASKED = ", ".join(f"'{n:036d}'" for n in range(60))


def plan(ws: Workspace) -> str:
    with ws.read() as session:
        rows = session.connection().exec_driver_sql(
            f"EXPLAIN QUERY PLAN SELECT id, version, case_id FROM attachment WHERE id IN ({ASKED})"
        )
        return " | ".join(str(row[-1]) for row in rows)


def analysed_with_attachments(open_ws: OpenWs) -> None:
    """Three attachments, statistics taken (as ``PRAGMA optimize`` does), the data closed."""
    ws = open_ws("admin")
    cases = CaseService(ws)
    case_id = cases.create_case(new_case()).id
    for n in range(3):
        cases.add_attachment(case_id, f"scan-{n}.pdf", b"%PDF-1.4 " + bytes(n))
    with ws.write() as session:
        session.execute(text("ANALYZE"))
    ws.close()


def test_after_statistics_ids_are_looked_up_not_every_row_read(open_ws: OpenWs) -> None:
    analysed_with_attachments(open_ws)

    shown = plan(open_ws("admin"))

    assert shown != "SCAN attachment", shown
    assert "INDEX" in shown


def test_without_the_note_the_planner_reads_every_row(
    open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The case the note is for: statistics of three small rows, sixty ids asked."""
    monkeypatch.setattr(engine, "note_wide_rows", lambda _connection: None)
    analysed_with_attachments(open_ws)

    assert plan(open_ws("admin")) == "SCAN attachment"


def test_the_note_survives_a_new_analysis_at_closing(open_ws: OpenWs) -> None:
    analysed_with_attachments(open_ws)
    ws = open_ws("admin")
    with ws.write() as session:
        session.execute(text("ANALYZE attachment"))  # drops the table's own row
    ws.close()

    ws = open_ws("admin")
    with ws.read() as session:
        rows = session.connection().exec_driver_sql(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = 'attachment' AND idx IS NULL"
        )
        assert [str(stat) for (stat,) in rows] == [f"3 sz={engine.WIDE_ROW_BYTES}"]
    assert "INDEX" in plan(ws)


def test_once_noted_closing_writes_nothing_more(open_ws: OpenWs) -> None:
    """Every command closes the data: an unchanged note must not cost a write each time."""
    analysed_with_attachments(open_ws)
    ws = open_ws("admin")
    with ws.write() as session:
        connection = session.connection()
        before = connection.exec_driver_sql("SELECT total_changes()").scalar_one()
        engine.note_wide_rows(connection)
        after = connection.exec_driver_sql("SELECT total_changes()").scalar_one()

    assert after == before
