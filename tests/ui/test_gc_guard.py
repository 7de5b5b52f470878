"""The desktop app's cyclic garbage is collected on the GUI thread only (ui/gc_guard.py).

A dialog in a reference cycle, collected on a worker thread, crashed the process in PySide6
(the C++ deletion handed to the GUI thread). Run in a fresh interpreter: the switch is global.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

PROBE = r"""
import gc, json, threading, weakref
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QDialog
from ui.app import make_application

app = make_application()
collected_on = []
gc.callbacks.append(
    lambda phase, info: phase == "start" and collected_on.append(threading.current_thread().name)
)

class Task:
    pass

dialog = QDialog()
task = Task()
task.dialog, dialog.task = dialog, task  # the cycle a dialog and its sign-in task make
freed = weakref.ref(task)
del dialog, task

def allocate():  # enough young objects for the collector to run here, were it on
    kept = [[] for _ in range(50_000)]
    del kept

worker = threading.Thread(target=allocate, name="worker")
worker.start()
worker.join()
young = [[] for _ in range(5_000)]  # past the first threshold on the GUI thread
loop = QEventLoop()
QTimer.singleShot(1_000, loop.quit)
loop.exec()
print(json.dumps({
    "automatic": gc.isenabled(),
    "collected_on": sorted(set(collected_on)),
    "freed": freed() is None,
}))
"""


def _run(probe: str, config: Path) -> dict[str, object]:
    """``probe`` in a fresh interpreter (the collector's switch is global); its last line."""
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(config)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_cycles_holding_qt_objects_are_collected_on_the_gui_thread_only(tmp_path: Path) -> None:
    seen = _run(PROBE, tmp_path)
    assert seen == {"automatic": False, "collected_on": ["MainThread"], "freed": True}


SETTLE = r"""
import gc, json, weakref
from PySide6.QtCore import QEventLoop, QTimer
from ui import gc_guard
from ui.app import make_application
from ui.main_window import MainWindow  # what a signed-in app has imported

app = make_application()
freezes = []
freeze = gc.freeze
gc.freeze = lambda: (freezes.append(1), freeze())[1]

class Node:
    pass

def wait(ms):
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()

before = Node()
before.me = before  # garbage in a cycle, left before the app settles
gone_before = weakref.ref(before)
del before
old = len(gc.get_objects(generation=2)) + len(gc.get_objects(generation=1))
gc_guard.settle_later(app, 0)
wait(100)
frozen = gc.get_freeze_count()
young = len(gc.get_objects(generation=2)) + len(gc.get_objects(generation=1))
gc_guard.settle_later(app, 0)  # once per process
wait(100)
after = Node()
after.me = after  # garbage made after: still collected, on the GUI thread
gone_after = weakref.ref(after)
del after
kept = [[] for _ in range(30_000)]  # past the thresholds, for the collector's timer
wait(1_000)
print(json.dumps({
    "old": old, "frozen": frozen, "young": young,
    "frozen_once": len(freezes) == 1,
    "garbage_before_collected": gone_before() is None,
    "garbage_after_collected": gone_after() is None,
}))
"""


def test_what_lives_as_long_as_the_app_is_frozen_once_and_garbage_still_collected(
    tmp_path: Path,
) -> None:
    """A full collection walked every module, class and widget (95 ms on the GUI thread with
    a 100k-case list open); once settled they are frozen, and a full collection walks only
    what was made since. Garbage left before is collected first, garbage made after still is."""
    seen: dict[str, Any] = _run(SETTLE, tmp_path)
    assert seen["old"] > 50_000  # what a full collection walked before
    assert seen["frozen"] > seen["old"] // 2  # less what was garbage
    assert seen["young"] < seen["old"] // 20  # what one walks after
    assert seen["frozen_once"]
    assert seen["garbage_before_collected"] and seen["garbage_after_collected"]
