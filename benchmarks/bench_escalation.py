"""Overdue cases escalated to the head of section, and what another user's save waits meanwhile.

After sign-in and every hour, each open case past its due date is flagged for the consul with
a timeline entry (``CaseService.escalate_overdue``). The first run at a mission flags every
case overdue so far: the demo mission's share is about 4 % of its cases (11,876 of 300,000).
On two copies of the benchmarks' large mission (QORGAU_BENCH_DATA, or one built here), a save
made every 200 ms beside each: the escalation as it runs, in write transactions of
``ESCALATION_BATCH`` cases, against the same work in one transaction (the baseline). Then the
hourly run that finds nothing new, beside counting the overdue cases.
"""

from __future__ import annotations

import time

from app.config import Paths
from app.services import cases as cases_module
from app.services.cases import CaseService
from app.services.records import CaseFilter
from app.services.workspace import Workspace
from benchmarks.common import (
    admin_on_a_copy,
    beside_saves,
    large_mission,
    print_table,
    size_argument,
)


def _escalated_beside_saves(ws: Workspace, batch: int) -> tuple[int, float, float]:
    """Cases flagged, seconds, and the longest a save beside it took."""
    kept = cases_module.ESCALATION_BATCH
    cases_module.ESCALATION_BATCH = batch
    try:
        return beside_saves(ws, CaseService(ws).escalate_overdue)
    finally:
        cases_module.ESCALATION_BATCH = kept


def _on_a_copy(source: Paths, batch: int) -> tuple[int, float, float, float, float]:
    with admin_on_a_copy(source, "qorgau-bench-escalate-") as ws:
        flagged, took, longest = _escalated_beside_saves(ws, batch)
        service = CaseService(ws)
        started = time.perf_counter()
        again = service.escalate_overdue()
        hourly = time.perf_counter() - started
        assert again == 0, again
        started = time.perf_counter()
        service.count_cases(CaseFilter(overdue=True))
        counted = time.perf_counter() - started
    return flagged, took, longest, hourly, counted


def main(cases: int) -> None:
    source = large_mission(cases)
    flagged, took, longest, hourly, counted = _on_a_copy(source, cases_module.ESCALATION_BATCH)
    _flagged, at_once, at_once_longest, _h, _c = _on_a_copy(source, 10**9)
    print_table(
        f"{flagged:,} overdue cases escalated, {cases:,} cases "
        f"(baseline: one write transaction; then the hourly run beside counting them)",
        [
            (f"in transactions of {cases_module.ESCALATION_BATCH}", took, at_once, "s"),
            (
                "  the longest a save made meanwhile took",
                longest * 1000,
                at_once_longest * 1000,
                "ms",
            ),
            ("the hourly run, nothing new", hourly * 1000, counted * 1000, "ms"),
        ],
    )


if __name__ == "__main__":
    main(size_argument("QORGAU_BENCH_CASES", 100_000))
