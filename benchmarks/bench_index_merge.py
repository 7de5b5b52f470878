"""The search index merged after a retention run, and what another user's save waits meanwhile.

Retention anonymises closed cases and then merges the search index to the end, so that the
old terms of what it anonymised leave the file (``retention.purge_freed_data``). That rewrites
the whole index (some 440 MB at 300,000 cases). On a copy of the benchmarks' large mission
(QORGAU_BENCH_DATA, or one built here), 20 cases' index rows are written again (as a run that
anonymised 20 cases leaves them: the index merged once first, so that both runs start from
the same state), then merged two ways, each while a save is made every
200 ms beside it: FTS5's 'optimize' in one write transaction (the way before, the baseline),
and the merge as retention runs it now, a bounded step per write transaction. Figures: the
merge's whole time, and the longest a save waited.
"""

from __future__ import annotations

from sqlalchemy import func, select, text

from app.db.models import Case, Counter
from app.services import retention, search
from app.services.workspace import Workspace
from benchmarks.common import (
    admin_on_a_copy,
    beside_saves,
    large_mission,
    print_table,
    size_argument,
)

CHANGED_CASES = 20


def _change_some_cases(ws: Workspace) -> None:
    """Index rows written again, each in its own transaction, as saves and retention do."""
    with ws.read() as session:
        ids = list(session.scalars(select(Case.id).order_by(func.random()).limit(CHANGED_CASES)))
    for case_id in ids:
        with ws.write() as session:
            search.index_cases(session, [case_id])


def _optimize_at_once(ws: Workspace) -> None:
    with ws.write() as session:
        session.execute(text("INSERT INTO search_index(search_index) VALUES ('optimize')"))


def main(cases: int) -> None:
    with admin_on_a_copy(large_mission(cases), "qorgau-bench-merge-") as ws:
        with ws.read() as session:
            held = session.scalar(select(func.count()).select_from(Case)) or 0
        _optimize_at_once(ws)  # both runs start from one segment and 20 changes
        _change_some_cases(ws)
        _none, at_once, at_once_wait = beside_saves(ws, lambda: _optimize_at_once(ws))
        _change_some_cases(ws)
        with ws.write() as session:
            session.merge(Counter(name=retention.PURGE_PENDING, value=1))
        _none, stepped, stepped_wait = beside_saves(ws, lambda: retention.purge_freed_data(ws))
    print_table(
        f"The search index merged after {CHANGED_CASES} cases changed, {held:,} cases "
        "(baseline: 'optimize' in one write transaction)",
        [
            ("merged a step per write transaction", stepped, at_once, "s"),
            (
                "  the longest a save made meanwhile took",
                stepped_wait * 1000,
                at_once_wait * 1000,
                "ms",
            ),
        ],
    )


if __name__ == "__main__":
    main(size_argument("QORGAU_BENCH_CASES", 100_000))
