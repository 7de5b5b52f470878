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


def test_cycles_holding_qt_objects_are_collected_on_the_gui_thread_only(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {"automatic": False, "collected_on": ["MainThread"], "freed": True}
