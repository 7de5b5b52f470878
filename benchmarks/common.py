"""What the benchmark scripts share: a large demo mission, timing, and the table format."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from app.config import Paths
from app.services.demo import DEMO_PASSWORD, run_demo
from app.services.installation import unlock
from app.services.workspace import Workspace

BENCH_DATA_ENV = "QORGAU_BENCH_DATA"


def large_mission(cases: int = 100_000) -> Paths:
    """A demo mission with ``cases`` cases: reused from QORGAU_BENCH_DATA when it is set."""
    given = os.environ.get(BENCH_DATA_ENV)
    folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="qorgau-bench-"))
    paths = Paths(folder)
    if not paths.is_initialised():
        started = time.perf_counter()
        run_demo(paths, cases, seed=1)
        print(f"built a {cases:,}-case demo mission in {time.perf_counter() - started:.1f} s")
    return paths


def open_admin(paths: Paths) -> Workspace:
    return unlock(paths, "admin", DEMO_PASSWORD)


def timings_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm caches the way a user's second search is warm
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def print_table(title: str, rows: list[tuple[str, float, float | None, str]]) -> None:
    """rows: (measure, value, baseline or None, unit)."""
    print(f"\n{title}\n")
    print("| measure | Qorgau | baseline | ratio |")
    print("|---|---|---|---|")
    for name, value, baseline, unit in rows:
        base = f"{baseline:.2f} {unit}" if baseline is not None else "—"
        ratio = f"{value / baseline:.2f}×" if baseline else "—"
        print(f"| {name} | {value:.2f} {unit} | {base} | {ratio} |")


def import_phases(marks: dict[str, float], ended: float) -> tuple[float, float]:
    """From an import's progress marks (text → first time seen): seconds of its records'
    write transaction (one lock), and of the search index written after it in batches (each
    its own short transaction)."""
    merging = [v for k, v in marks.items() if k.startswith("Merging")]
    indexing = [v for k, v in marks.items() if k.startswith("Indexing")]
    if not merging:
        return float("nan"), float("nan")
    written = indexing[0] if indexing else ended
    return written - merging[0], ended - written
