"""Cold start of the packaged folder (``make dist``) beside the source run and a bare window.

Each figure is the time from starting a fresh process until the sign-in window is up
(``QORGAU_SELF_TEST=login`` prints a line then and quits), the median of a few runs. The
baseline is a bare PySide6 window started with the same interpreter. Skipped, saying so, when
``dist/qorgau`` has not been built.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path

from app.config import Paths
from app.services.demo import run_demo
from benchmarks.common import ms_until_line, print_table

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "dist" / "qorgau"
RUNS = 5
MARK = "self-test"
BARE = (
    "from PySide6.QtCore import QTimer\n"
    "from PySide6.QtWidgets import QApplication, QLabel\n"
    "app = QApplication([])\n"
    "label = QLabel('hello'); label.show()\n"
    "QTimer.singleShot(0, lambda: (print('self-test: shown', flush=True), app.quit()))\n"
    "app.exec()\n"
)


def median_ms(command: list[str], env: dict[str, str]) -> float:
    return statistics.median(ms_until_line(command, env, ROOT, MARK, 30) for _ in range(RUNS))


def main() -> int:
    if not (DIST / "qorgau-desktop").exists():
        print("dist/qorgau is not built (make dist): the packaged start was not measured")
        return 0
    folder = Path(tempfile.mkdtemp(prefix="qorgau-dist-start-"))
    run_demo(Paths(folder / "data"), 20, seed=1)
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "QORGAU_SELF_TEST": "login",
        "QORGAU_DATA_DIR": str(folder / "data"),
        "XDG_CONFIG_HOME": str(folder / "config"),
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    bare = median_ms([sys.executable, "-c", BARE], env)
    source = median_ms([sys.executable, str(ROOT / "main.py")], env)
    packaged = median_ms([str(DIST / "qorgau-desktop")], env)
    files = [p for p in DIST.rglob("*") if p.is_file() and not p.is_symlink()]
    size_mb = sum(p.stat().st_size for p in files) / 2**20  # each library once, as du counts
    print(f"median of {RUNS} cold processes each; the packaged folder is {size_mb:.0f} MiB")
    print_table(
        "Start to the sign-in window",
        [
            ("from source (python main.py)", source, bare, "ms"),
            ("packaged (dist/qorgau/qorgau-desktop)", packaged, bare, "ms"),
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
