"""Opening a case from the list as the user does it: how long the GUI thread is held.

The real main window (the app's own application and look, Kazakh, 1366 px) on a large mission;
cases are opened one after another from the first page of the list (``CasesArea.open_case``:
the editor fills its form, timeline, attachments, letters and pickers). The first opening also
imports the editor's modules. Baseline in the same run: ``CaseService.get_case`` of the same
cases alone, the read every opening needs.

Usage: ``python -m benchmarks.bench_open_case [CASES]`` (default 100000; QORGAU_BENCH_DATA
names a mission folder to reuse).
"""

from __future__ import annotations

import statistics
import time

from PySide6.QtWidgets import QApplication

from app.services.cases import CaseService
from benchmarks.common import p, print_table, settle_ms, size_argument
from benchmarks.signed_in import signed_in, wait
from ui.models.case_table_model import CASE_ID_ROLE

OPENED = 12


def main() -> None:
    cases = size_argument("QORGAU_BENCH_CASES", 100_000)
    shown = signed_in(cases)
    area, model = shown.cases, shown.model
    ids = [model.index(row, 0).data(CASE_ID_ROLE) for row in range(min(OPENED, model.rowCount()))]
    held = []
    for case_id in ids:
        started = time.perf_counter()
        area.open_case(case_id)
        held.append((time.perf_counter() - started) * 1000)
        QApplication.processEvents()
        wait(settle_ms(200))
    service = CaseService(shown.workspace)
    read = []
    for case_id in ids:
        started = time.perf_counter()
        service.get_case(case_id)
        read.append((time.perf_counter() - started) * 1000)
    later = held[1:]
    print_table(
        f"Opening a case from the list, {cases:,} cases: the GUI thread held "
        f"({len(ids)} cases); baseline: CaseService.get_case of the same cases",
        [
            ("first opening (the editor's modules imported)", held[0], read[0], "ms"),
            ("later openings, median", statistics.median(later), statistics.median(read), "ms"),
            ("later openings, p95", p(later, 95), p(read, 95), "ms"),
        ],
        baseline="get_case alone",
    )
    shown.close()


if __name__ == "__main__":
    main()
