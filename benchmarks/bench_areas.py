"""Each area of the main window shown for the first time, as the user opens it after sign-in:
how long the GUI thread is held by ``show_area`` and by the events that follow at once.

The real main window (the app's own application and look, Kazakh, 1366 px) on a large mission,
the case list's first page loaded. Baseline in the same run: the same area shown again (built;
what any showing costs).

Usage: ``python -m benchmarks.bench_areas [CASES]`` (default 100000; QORGAU_BENCH_DATA names a
mission folder to reuse).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from benchmarks.common import large_mission, open_admin, print_table, size_argument
from ui.app import make_application
from ui.i18n_bridge import LanguageBridge

SETTLE_MS = 1500  # what an area starts in the background (a count, a preview) ends meanwhile


def _wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def _held_ms(show: object) -> float:
    started = time.perf_counter()
    show()  # type: ignore[operator]
    QApplication.processEvents()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    cases = size_argument("QORGAU_BENCH_CASES", 100_000)
    app = make_application()
    bridge = LanguageBridge(app)
    bridge.set_language("kk")
    ws = open_admin(large_mission(cases))
    from ui.main_window import MainWindow

    window = MainWindow(ws, bridge)
    window.resize(1366, 768)
    window.show()
    model = window.show_area("cases").list_view.model  # type: ignore[attr-defined]
    while model.loading or model.rowCount() == 0:
        _wait(5)
    _wait(SETTLE_MS)
    keys = [key for key in window.area_keys() if key != "cases"]
    first = {}
    for key in keys:
        first[key] = _held_ms(lambda k=key: window.show_area(k))
        _wait(SETTLE_MS)
    again = {}
    for key in keys:
        again[key] = _held_ms(lambda k=key: window.show_area(k))
        _wait(SETTLE_MS // 3)
    print_table(
        f"Each area shown for the first time after sign-in, {cases:,} cases: the GUI thread "
        "held; baseline: the same area shown again",
        [(f"{key}, first showing", first[key], again[key], "ms") for key in keys],
        baseline="shown again",
    )
    window.close()
    ws.close()


if __name__ == "__main__":
    main()
