"""What the benchmark scripts share: a large demo mission, timing, and the table format."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from app.config import Paths
from app.services.demo import DEMO_PASSWORD, run_demo
from app.services.installation import unlock
from app.services.workspace import Workspace

BENCH_DATA_ENV = "QORGAU_BENCH_DATA"
# Set by the test that runs the benchmarks on a tiny mission (tests/integration/
# test_benchmarks_run.py): every path runs, its waits and repeats cut; `make bench` never sets it.
SMOKE_ENV = "QORGAU_BENCH_SMOKE"
T = TypeVar("T")
Row = tuple[str, float, float | None, str]  # measure, value, baseline or None, unit


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


@contextmanager
def admin_on_a_copy(source: Paths, prefix: str) -> Iterator[Workspace]:
    """The administrator signed in to a throwaway copy of ``source`` (its backups left out):
    what a benchmark writes never reaches the reused mission."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        shutil.copytree(source.data_dir, folder / "data", ignore=shutil.ignore_patterns("backups"))
        ws = open_admin(Paths(folder / "data"))
        try:
            yield ws
        finally:
            ws.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def size_argument(env: str, default: int) -> int:
    """How large a run a script makes: its first argument, else the variable ``env``, else
    ``default``. ``--help`` prints what the script measures and how to run it."""
    if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
        script = sys.modules["__main__"]
        print((script.__doc__ or "").strip())
        print(
            f"\nUsage: python -m {script.__spec__.name if script.__spec__ else 'benchmarks.…'}"
            f" [size]  (else ${env}, else {default:,}). ${BENCH_DATA_ENV}: a folder whose"
            " mission is reused (built there first if it holds none)."
        )
        sys.exit(0)
    return int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get(env, default))


def smoke_run() -> bool:
    """Whether this run only proves the script still works (no figure is read)."""
    return os.environ.get(SMOKE_ENV) == "1"


def settle_ms(measuring: int) -> int:
    """How long the event loop runs for the app's background work to end before the next
    measure: ``measuring`` ms, a tenth of it in a smoke run (a tiny mission's work is quick)."""
    return measuring // 10 if smoke_run() else measuring


def repeats(measuring: int) -> int:
    """How many times a measure is taken: ``measuring``, at most two in a smoke run (the
    fewest a percentile is computed from)."""
    return min(measuring, 2) if smoke_run() else measuring


def open_admin(paths: Paths) -> Workspace:
    return unlock(paths, "admin", DEMO_PASSWORD)


def beside_saves(
    ws: Workspace, work: Callable[[], T], every_s: float = 0.2
) -> tuple[T, float, float]:
    """``work``'s result and seconds, and the longest another user's save took meanwhile (its
    wait for the write lock and its commit), a save made every ``every_s``."""
    from app.db.models import Counter

    done = threading.Event()
    waits: list[float] = []

    def save_now_and_then() -> None:
        value = 0
        while not done.is_set():
            value += 1
            started = time.perf_counter()
            with ws.write() as session:
                session.merge(Counter(name="bench_save", value=value))
            waits.append(time.perf_counter() - started)
            done.wait(every_s)

    saver = threading.Thread(target=save_now_and_then)
    saver.start()
    try:
        started = time.perf_counter()
        result = work()
        took = time.perf_counter() - started
    finally:
        done.set()
        saver.join()
    return result, took, max(waits)


def timings_ms(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()  # warm caches the way a user's second search is warm
    out = []
    for _ in range(repeats(repeat)):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


def ms_until_line(
    argv: list[str], env: dict[str, str], cwd: Path, prefix: str, wait_s: int
) -> float:
    """Milliseconds from spawning ``argv`` to the first line on its stdout that starts with
    ``prefix`` (a self-test's "window shown"); the process then has ``wait_s`` to end."""
    started = time.perf_counter()
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=cwd
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(prefix):
                elapsed = (time.perf_counter() - started) * 1000
                child.wait(wait_s)
                return elapsed
    raise SystemExit(f"{argv} never showed its window")


def print_table(
    title: str,
    rows: list[Row],
    baseline: str = "baseline",
) -> None:
    """rows: (measure, value, baseline or None, unit); ``baseline`` heads the baseline's
    column."""
    print(f"\n{title}\n")
    print(f"| measure | Qorgau | {baseline} | ratio |")
    print("|---|---|---|---|")
    for name, value, base_value, unit in rows:
        base = f"{base_value:.2f} {unit}" if base_value is not None else "—"
        ratio = f"{value / base_value:.2f}×" if base_value else "—"
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
