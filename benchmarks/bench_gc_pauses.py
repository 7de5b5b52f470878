"""The garbage collector's pauses on the GUI thread, signed in with the case list shown.

The desktop app collects cyclic garbage on the GUI thread only (``ui.gc_guard``): each
collection holds the window for as long as it walks its generations. Once the main window has
painted, ``settle`` freezes what lives as long as the app (modules, classes, widgets). This
prints each collection's pause with the app as it is after sign-in (the baseline, not yet
settled) and after ``settle``, in the same process: the 100k-case mission's list open in the
real main window, at the 1366-pixel design width.

Usage: ``python -m benchmarks.bench_gc_pauses [CASES]`` (default 100000; QORGAU_BENCH_DATA
names a mission folder to reuse).
"""

from __future__ import annotations

import gc
import statistics
import time

from app.services.records import CaseFilter
from benchmarks.common import print_table, size_argument
from benchmarks.signed_in import signed_in, wait
from ui import gc_guard
from ui.models.case_table_model import CaseTableModel

QUERIES = ("Нұрлан", "abenov", "SEL-2026-004", "Daesung", "сәуле")


def _pauses_ms(model: CaseTableModel, generation: int) -> list[float]:
    """The pause of a collection of ``generation`` (and the younger ones) after each search's
    page has come in, as the app's collector runs one when its threshold is passed."""
    pauses = []
    for query in QUERIES:
        model.set_filter(CaseFilter(text=query))
        wait(50)
        while model.loading:
            wait(5)
        started = time.perf_counter()
        gc.collect(generation)
        pauses.append((time.perf_counter() - started) * 1000)
    return pauses


def _walked() -> int:
    """The objects a full collection walks (the frozen ones it skips)."""
    return sum(len(gc.get_objects(generation=g)) for g in range(3))


def main() -> None:
    cases = size_argument("QORGAU_BENCH_CASES", 100_000)
    shown = signed_in(cases)  # the app's application installs the GUI-thread collector
    model = shown.model
    walked_before = _walked()
    before = {g: statistics.median(_pauses_ms(model, g)) for g in (1, 2)}
    collector = shown.app.findChild(gc_guard.GuiThreadCollector)
    assert collector is not None
    collector.settle()
    walked_after = _walked()
    after = {g: statistics.median(_pauses_ms(model, g)) for g in (1, 2)}
    print_table(
        f"Garbage collection on the GUI thread, signed in, {cases:,}-case list shown "
        f"(median after each of {len(QUERIES)} searches); baseline: the same process before "
        "settle()",
        [
            ("full collection (generation 2)", after[2], before[2], "ms"),
            ("young collection (generation 1)", after[1], before[1], "ms"),
            ("objects a full collection walks", walked_after, walked_before, ""),
        ],
        baseline="before settle()",
    )
    shown.close()


if __name__ == "__main__":
    main()
