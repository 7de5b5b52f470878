"""Dashboard refresh time on a large mission (target: under one second for 100,000 cases).

Run: ``.venv/bin/python benchmarks/bench_dashboard.py [--cases 100000] [--n 5] [--keep DIR]``.
Builds a demo mission (fill_demo, about 70 s for 100,000 cases; ``--keep DIR`` reuses one),
then times, warm, median of N: the service's ``indicators()`` alone (the SQL), and the
dashboard widget's ``refresh()`` (SQL plus drawing every chart), offscreen. The baseline in
the same run is one bare ``count(*)`` over the case table, to show what the disk costs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402
from sqlalchemy import text  # noqa: E402

from app.config import Paths  # noqa: E402
from app.db.raw import CACHE_ENV, cache_kib, open_raw  # noqa: E402
from app.services import stats  # noqa: E402
from app.services.demo import DEMO_PASSWORD, run_demo  # noqa: E402
from app.services.installation import unlock  # noqa: E402
from app.services.stats import StatsService  # noqa: E402

TODAY = date(2026, 11, 24)
TARGET_SECONDS = 1.0


def timed(action: Callable[[], object], n: int) -> float:
    action()  # warm: page cache, fonts, statement cache
    times = []
    for _i in range(n):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--cases", type=int, default=int(os.environ.get("QORGAU_BENCH_CASES", 100_000))
    )
    parser.add_argument("--n", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="data folder to build once and reuse")
    args = parser.parse_args()
    shared = os.environ.get("QORGAU_BENCH_DATA")  # make bench: the mission every script shares
    folder = args.keep or (
        Path(shared) if shared else Path(tempfile.mkdtemp(prefix="qorgau-bench-")) / "data"
    )
    paths = Paths(folder)
    if not paths.is_initialised():
        start = time.perf_counter()
        run_demo(paths, args.cases, seed=1, today=TODAY)
        print(f"fill_demo {args.cases} cases: {time.perf_counter() - start:.1f} s")
    app = QApplication.instance() or QApplication([])
    from ui.reports.dashboard import DashboardPage

    ws = unlock(paths, "admin", DEMO_PASSWORD)
    try:
        with ws.read() as session:
            total = session.execute(text('SELECT count(*) FROM "case"')).scalar_one()

        def bare_count() -> None:
            with ws.read() as session:
                session.execute(text('SELECT count(*), sum(length(description)) FROM "case"'))

        # The page cache: the old fixed 64 MiB beside the size now taken from the file.
        scan = 'SELECT count(*), sum(length(description)) FROM "case"'
        os.environ[CACHE_ENV] = "64"
        fixed = open_raw(ws.db.path, ws.db.key)
        del os.environ[CACHE_ENV]
        sized = open_raw(ws.db.path, ws.db.key)
        cache_rows = [
            (
                "bare scan, fixed 64 MiB cache (before)",
                timed(lambda: fixed.execute(scan).fetchall(), args.n),
            ),
            (
                f"bare scan, cache from the file ({cache_kib(ws.db.path) // 1024} MiB)",
                timed(lambda: sized.execute(scan).fetchall(), args.n),
            ),
        ]
        fixed.close()
        sized.close()

        service = StatsService(ws, today=TODAY)
        page = DashboardPage(ws, today=TODAY)
        page.resize(1400, 1200)
        page.show()
        app.processEvents()

        def refresh() -> None:
            # Counted off the GUI thread since 2026-12-03: until the figures are drawn.
            drawn = QEventLoop()
            page.refreshed.connect(drawn.quit)
            page.refresh()
            drawn.exec()
            page.refreshed.disconnect(drawn.quit)

        def counted_live() -> None:
            # Before migration 0008: every figure counted from the cases themselves.
            counts = stats._DayQueries
            stats._DayQueries = stats._Queries  # type: ignore[misc]
            try:
                service.indicators()
            finally:
                stats._DayQueries = counts  # type: ignore[misc]

        rows = [
            *cache_rows,
            ("bare scan of the case table", timed(bare_count, args.n)),
            ("before: indicators counted live", timed(counted_live, args.n)),
            ("StatsService.indicators()", timed(lambda: service.indicators(), args.n)),
            ("DashboardPage.refresh()", timed(refresh, args.n)),
        ]
        print(f"cases in the database: {total}")
        for name, seconds in rows:
            print(f"{name:34} {seconds * 1000:8.0f} ms")
        verdict = "OK" if rows[-1][1] < TARGET_SECONDS else "TOO SLOW"
        print(f"target: refresh < {TARGET_SECONDS:.0f} s -> {verdict}")
        return 0 if verdict == "OK" else 1
    finally:
        ws.close()


if __name__ == "__main__":
    raise SystemExit(main())
