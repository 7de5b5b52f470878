"""How the case list's operations grow with the mission: filters (count + first page), sorts and
searches (first page), each at several sizes, beside a bare scan of the case table.

Usage: ``python -m benchmarks.bench_lists`` measures the mission of QORGAU_BENCH_DATA (or
builds one of QORGAU_BENCH_CASES); ``python -m benchmarks.bench_lists DIR ...`` measures
each mission folder given, smallest first, and prints the growth from the first to the last
beside the growth of the case count. Goal (issue 17): no list operation grows faster than the
cases (growth ≤ case-count growth). Baselines in the same run: the bare scan, and the queries
the sort by number and the urgency filter ran before migration 0013's indexes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text

from app.config import Paths
from app.services.cases import CaseService
from app.services.people import PersonService
from app.services.records import CaseFilter
from app.services.workspace import Workspace
from benchmarks.common import large_mission, open_admin, p, timings_ms

REPEAT = 5
_BEFORE_NUMBER = (
    'SELECT c.id FROM "case" c INDEXED BY ix_case_by_id_list WHERE c.deleted_at IS NULL '
    "ORDER BY c.year DESC, c.seq DESC LIMIT 200"
)
_BEFORE_URGENCY = (
    'SELECT c.id FROM "case" c INDEXED BY ix_case_list_received WHERE c.deleted_at IS NULL '
    "AND c.urgency = 'critical' ORDER BY c.received_at DESC, c.seq DESC LIMIT 200"
)


def _count_and_page(service: CaseService, flt: CaseFilter) -> Callable[[], object]:
    return lambda: (service.count_cases(flt), service.list_cases(flt, 0, 200))


def operations(ws: Workspace) -> dict[str, Callable[[], object]]:
    service = CaseService(ws)
    people = PersonService(ws)

    def raw(sql: str) -> Callable[[], object]:
        def run() -> object:
            with ws.read() as session:
                return session.execute(text(sql)).all()

        return run

    return {
        "bare scan of the case table (baseline)": raw(
            'SELECT count(*), sum(length(description)) FROM "case"'
        ),
        "first page, no filter": lambda: service.list_cases(CaseFilter(), 0, 200),
        "category filter, count + page": _count_and_page(
            service, CaseFilter(category="unpaid_wages")
        ),
        "  of which the page": lambda: service.list_cases(
            CaseFilter(category="unpaid_wages"), 0, 200
        ),
        "status filter, count + page": _count_and_page(service, CaseFilter(statuses=("new",))),
        "urgency filter, count + page": _count_and_page(service, CaseFilter(urgency="critical")),
        "  before 0013: urgency page": raw(_BEFORE_URGENCY),
        "sort by number, first page": lambda: service.list_cases(CaseFilter(sort="number"), 0, 200),
        "  before 0013: sort by number": raw(_BEFORE_NUMBER),
        "search 'Нұрлан', first page": lambda: service.list_cases(
            CaseFilter(text="Нұрлан"), 0, 200
        ),
        "search 'Нұрлан', count": lambda: service.count_cases(CaseFilter(text="Нұрлан")),
        "search 'а' (one letter), first page": lambda: service.list_cases(
            CaseFilter(text="а"), 0, 200
        ),
        "person finder 'Нұр'": lambda: people.find("Нұр", limit=15),
    }


def measure(paths: Paths) -> tuple[int, dict[str, float]]:
    ws = open_admin(paths)
    try:
        cases = CaseService(ws).count_cases(CaseFilter())
        return cases, {name: p(timings_ms(run, REPEAT), 50) for name, run in operations(ws).items()}
    finally:
        ws.close()


def main(folders: list[Path]) -> None:
    if not folders:
        cases = int(os.environ.get("QORGAU_BENCH_CASES", 100_000))
        measured = [measure(large_mission(cases))]
    else:
        measured = sorted(measure(Paths(folder)) for folder in folders)
    sizes = [cases for cases, _ in measured]
    print(f"\nCase-list operations, median of {REPEAT} warm runs (ms)\n")
    header = " | ".join(f"{n:,} cases" for n in sizes)
    growth = len(measured) > 1
    print(f"| operation | {header} |" + (" growth | cases grew | linear or better? |" * growth))
    print("|---|" + "---|" * len(sizes) + ("---|---|---|" * growth))
    for name in measured[0][1]:
        values = [figures[name] for _, figures in measured]
        line = f"| {name} | " + " | ".join(f"{v:.1f}" for v in values) + " |"
        if growth:
            grew = values[-1] / values[0] if values[0] else float("inf")
            cases_grew = sizes[-1] / sizes[0]
            verdict = "yes" if grew <= cases_grew else "**no**"
            line += f" {grew:.1f}× | {cases_grew:.0f}× | {verdict} |"
        print(line)


if __name__ == "__main__":
    main([Path(arg) for arg in sys.argv[1:]])
