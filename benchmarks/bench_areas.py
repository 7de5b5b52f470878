"""Each area of the main window shown for the first time, as the user opens it after sign-in:
how long the GUI thread is held by ``show_area`` and by the events that follow at once.

The real main window (the app's own application and look, Kazakh, 1366 px) on a large mission,
the case list's first page loaded. Baseline in the same run: the same area shown again (built;
what any showing costs).

Usage: ``python -m benchmarks.bench_areas [CASES]`` (default 100000; QORGAU_BENCH_DATA names a
mission folder to reuse). As signed in from the keyring, the areas import their modules when
first shown; with QORGAU_BENCH_WARM_UP=1, as signed in by a typed password, which leaves the
sign-in window's warm-up (``ui/warm_up.py``) time to import them first.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from PySide6.QtWidgets import QApplication

from benchmarks.common import print_table, settle_ms, size_argument
from benchmarks.signed_in import signed_in, wait
from ui import warm_up

SETTLE_MS = 1500  # what an area starts in the background (a count, a preview) ends meanwhile


def _held_ms(show: Callable[[], object]) -> float:
    started = time.perf_counter()
    show()
    QApplication.processEvents()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    cases = size_argument("QORGAU_BENCH_CASES", 100_000)
    warmed = os.environ.get("QORGAU_BENCH_WARM_UP") == "1"
    if warmed:
        warm_up.start()
        warm_up.wait()
    shown = signed_in(cases, settle=SETTLE_MS)
    window = shown.window
    keys = [key for key in window.area_keys() if key != "cases"]
    first = {}
    for key in keys:
        first[key] = _held_ms(lambda k=key: window.show_area(k))
        wait(settle_ms(SETTLE_MS))
    again = {}
    for key in keys:
        again[key] = _held_ms(lambda k=key: window.show_area(k))
        wait(settle_ms(SETTLE_MS // 3))
    print_table(
        f"Each area shown for the first time after sign-in "
        f"({'a typed password: warmed up' if warmed else 'from the keyring: not warmed up'}), "
        f"{cases:,} cases: the GUI thread held; baseline: the same area shown again",
        [(f"{key}, first showing", first[key], again[key], "ms") for key in keys],
        baseline="shown again",
    )
    shown.close()


if __name__ == "__main__":
    main()
