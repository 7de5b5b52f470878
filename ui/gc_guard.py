"""Python's cyclic garbage collector runs on the GUI thread only, in the desktop app.

The collector runs on whichever thread happens to allocate when a threshold is passed. A
cycle that holds a Qt object (the sign-in dialog and its task, whose callback is the dialog's
bound method) freed on a worker thread (sign-in, a background read, the warm-up imports) has
PySide6 hand the C++ deletion to the GUI thread, and that crashed the process (SIGSEGV in
``BindingManager::runDeletionInMainThread``): seen when sign-in finished while the warm-up
thread was still importing. So automatic collection is switched off and a timer on the GUI
thread collects each generation when its threshold has been passed, as the collector would.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250  # at most this long between a threshold passed and its collection
# A full collection walks every object the imports made (hundreds of thousands): the automatic
# collector runs one only when many objects survived since the last, so this does one at most
# this often.
FULL_INTERVAL_S = 30.0
SETTLE_DELAY_MS = 2_000  # after sign-in, once the main window's first page has painted


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self._last_full = time.monotonic()
        self.settled = False
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(INTERVAL_MS)
        self._timer.timeout.connect(self.collect_if_due)
        self._timer.start()

    def collect_if_due(self) -> None:
        counts = gc.get_count()
        due = [
            g for g, (n, limit) in enumerate(zip(counts, self.thresholds, strict=True)) if n > limit
        ]
        if not due:
            return
        generation = max(due)
        now = time.monotonic()
        if generation == 2 and now - self._last_full < FULL_INTERVAL_S:
            generation = 1
        elif generation == 2:
            self._last_full = now
        gc.collect(generation)

    def settle(self) -> None:
        """Collect everything once, then freeze what survived; once per process (a second
        sign-in's leftovers are collected as usual)."""
        if self.settled:
            return
        self.settled = True
        gc.collect()
        gc.freeze()
        self._last_full = time.monotonic()


def settle_later(app: QObject, delay_ms: int = SETTLE_DELAY_MS) -> None:
    """``settle`` the app's collector ``delay_ms`` from now (after the first page's paint)."""
    collector = app.findChild(GuiThreadCollector)
    if collector is not None:
        QTimer.singleShot(delay_ms, collector, collector.settle)


def install(app: QObject) -> GuiThreadCollector:
    """Collect on ``app``'s (the GUI) thread from now on; once per application."""
    existing = app.findChild(GuiThreadCollector)
    return existing if existing is not None else GuiThreadCollector(app)
