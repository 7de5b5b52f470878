"""Search rows written after the transaction that changed what they hold, a batch at a time.

A write that changes what many cases' search rows hold (a bundle's records, an employer with
thousands of cases renamed) keeps the change numbers it wrote in two counters, in its own
transaction (``keep_pending``). The rows of the cases those numbers touch (``cases_written``)
are then written ``batch`` cases per write transaction, others saving between two, and the
counters forgotten (``write_pending``). Cut short (a crash, the lock busy too long, the app
closing), the range stays: the next import, or the desktop's next sign-in of anyone who may
write the index, writes it (``ui.search_rows.write_search_rows_later``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.db.models import Case, CaseEvent, Counter, Employer, Person, RecruitmentAgency
from app.db.raw import BETWEEN_WRITES_S
from app.errors import DatabaseBusy
from app.services.search import index_cases

if TYPE_CHECKING:
    from app.services.workspace import Workspace

INDEX_PENDING = ("search_index_pending_from", "search_index_pending_to")
# FTS5 writes its pending terms as a new segment at every commit: 1,000 cases a transaction
# indexed a 10k import a quarter faster than 500; 2,000 hold the lock some 0.6 s at 100k.
INDEX_BATCH = 2000


def pending_range(session: Session) -> tuple[int, int] | None:
    rows = session.execute(
        select(Counter.name, Counter.value).where(Counter.name.in_(INDEX_PENDING))
    )
    values = {str(name): int(value) for name, value in rows}
    if len(values) != len(INDEX_PENDING):
        return None
    return int(values[INDEX_PENDING[0]]), int(values[INDEX_PENDING[1]])


def keep_pending(session: Session, first: int, last: int) -> None:
    """Keep these change numbers (widening a range still pending), in the caller's
    transaction, so that the search rows they touch are written after it."""
    if last < first:
        return
    held = pending_range(session)
    if held is not None:
        first, last = min(first, held[0]), max(last, held[1])
    for name, value in zip(INDEX_PENDING, (first, last), strict=True):
        session.merge(Counter(name=name, value=value))
    session.flush()


def cases_written(session: Session, first: int, last: int) -> list[str]:
    """Cases whose search document rows with these change numbers change: the cases, the
    cases of the events, and the cases of the people and organisations written."""
    connection = session.connection()
    cases: Any = Case.__table__
    written = set(
        connection.execute(
            select(cases.c.id).where(cases.c.change_seq.between(first, last))
        ).scalars()
    )
    events: Any = CaseEvent.__table__
    written.update(
        connection.execute(
            select(events.c.case_id).where(events.c.change_seq.between(first, last))
        ).scalars()
    )
    for model, column in (
        (Person, "person_id"),
        (Employer, "employer_id"),
        (RecruitmentAgency, "agency_id"),
    ):
        table: Any = model.__table__
        changed = select(table.c.id).where(table.c.change_seq.between(first, last))
        written.update(
            connection.execute(select(cases.c.id).where(cases.c[column].in_(changed))).scalars()
        )
    return sorted(written)


def write_pending(
    ws: Workspace, batch: int | None = None, stop: Callable[[], bool] | None = None
) -> int:
    """Write the search rows of the cases the pending change numbers touch, ``batch`` cases
    per write transaction, then forget the range; how many cases. ``stop``, asked between two
    batches, ends it early with the range kept."""
    with ws.read() as session:
        pending = pending_range(session)
        if pending is None:
            return 0
        case_ids = cases_written(session, *pending)
    batch = batch or INDEX_BATCH
    for start in range(0, len(case_ids), batch):
        if start and stop is not None and stop():
            return start
        if start and ws.db.dialect == "sqlite":
            time.sleep(BETWEEN_WRITES_S)
        with ws.write() as session:
            index_cases(session, case_ids[start : start + batch])
    with ws.write() as session:
        if pending_range(session) == pending:  # not widened by another write meanwhile
            session.execute(delete(Counter).where(Counter.name.in_(INDEX_PENDING)))
    return len(case_ids)


def write_pending_unless_busy(ws: Workspace) -> None:
    """``write_pending`` after a write that kept its change numbers (a rename, a resolved
    conflict): that write is in either way; the database busy, its cases' rows wait for the
    index's catch-up (the next import, or the next sign-in)."""
    try:
        write_pending(ws)
    except DatabaseBusy:
        pass
