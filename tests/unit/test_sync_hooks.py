"""The flush hooks of ``app.db.sync`` cost the same per object however many a flush holds.

They asked ``session.new`` (which builds a set of every new object) once per object: the first
escalation of the 300k demo mission's 11,876 overdue cases, one flush, spent 21 of its 30 s
there. Counted here rather than timed: the reads of ``session.new`` per flush stay the same
for 5 and for 200 changed cases.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.models import Case
from app.domain.codes import EventKind
from app.services.rows import add_case_event
from app.services.workspace import Workspace
from tests.builders import add_cases


def test_a_flush_reads_its_new_objects_a_fixed_number_of_times(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = add_cases(ws, 200)
    reads: list[int] = []
    new = Session.new

    def counted(session: Session) -> Any:
        reads.append(1)
        return new.fget(session)  # type: ignore[attr-defined]

    monkeypatch.setattr(Session, "new", property(counted))

    def flush(count: int) -> int:
        """``count`` cases changed and as many timeline entries added in one flush."""
        reads.clear()
        with ws.write() as session:
            for row in session.scalars(select(Case).where(Case.id.in_(ids[:count]))):
                row.due_date = date(2027, 1, 1) + timedelta(days=count)
                add_case_event(session, row.id, EventKind.NOTE, "admin", "checked")
            session.flush()
            return len(reads)

    assert flush(5) == flush(200)
    with ws.read() as session:  # and the hooks did their work: each change moved a version on
        found = session.execute(select(Case.id, Case.version).where(Case.id.in_(ids)))
        versions = {case_id: version for case_id, version in found}
    assert [versions[i] for i in ids] == [3] * 5 + [2] * 195
