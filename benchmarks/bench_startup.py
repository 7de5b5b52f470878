"""Desktop start-up: first painted window and first page of the 100,000-case list; a CLI command.

Each measurement is a fresh process (interpreter start included), beside a bare PySide6 window
started the same way. Qorgau's figures include unlocking the encrypted database with the
product's key-derivation cost, as a user's start does. The CLI command (``case show``) is
timed beside ``python -c "import sqlcipher3"`` and one Argon2id derivation of the product
profile alone (goal, issue 17: within 300 ms of the derivation).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from app.config import Paths
from app.services.cases import CaseService
from benchmarks.common import large_mission, open_admin, print_table

RUNS = 3

BARE = r"""
import json, sys, time
launched = float(sys.argv[1])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QLabel("hello"))
window.resize(1366, 768)
window.show()
marks = {}
def painted():
    window.grab()
    marks["window"] = (time.time() - launched) * 1000
    app.quit()
QTimer.singleShot(0, painted)
app.exec()
print(json.dumps(marks))
"""

QORGAU = r"""
import json, sys, time
launched = float(sys.argv[1])
data_dir = sys.argv[2]
from PySide6.QtCore import QTimer
from pathlib import Path
from app.config import Paths
from app.services.installation import unlock
from ui.app import make_application
from ui.i18n_bridge import LanguageBridge
from ui.main_window import MainWindow
marks = {"imported": (time.time() - launched) * 1000}
app = make_application()
bridge = LanguageBridge(app)
bridge.set_language("en")
workspace = unlock(Paths(Path(data_dir)), "admin", "qorgau-demo")
marks["unlocked"] = (time.time() - launched) * 1000
window = MainWindow(workspace, bridge)
window.resize(1366, 768)
window.show()
marks["built"] = (time.time() - launched) * 1000
def painted():
    window.grab()
    marks["window"] = (time.time() - launched) * 1000
    area = window.show_area("cases")
    area.list_view.table.viewport().grab()
    marks["list"] = (time.time() - launched) * 1000
    marks["rows"] = area.list_view.model.rowCount()
    marks["total"] = area.list_view.model.total
    app.quit()
QTimer.singleShot(0, painted)
app.exec()
workspace.close()
print(json.dumps(marks))
"""


KDF = r"""
import json, os, sys, time
from app.security.keyslots import PRODUCT_PROFILE, _derive
started = time.perf_counter()
_derive("qorgau-demo", os.urandom(16), PRODUCT_PROFILE)
print(json.dumps({"kdf": (time.perf_counter() - started) * 1000}))
"""


def timed_process(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        raise SystemExit(f"benchmark process failed:\n{done.stderr}")
    return (time.perf_counter() - started) * 1000


def cli_figures(data_dir: str) -> list[tuple[str, float, float | None, str]]:
    env = {**os.environ, "QORGAU_USER": "admin", "QORGAU_PASSWORD": "qorgau-demo"}
    env.pop("QORGAU_KDF_PROFILE", None)
    bare = [timed_process([sys.executable, "-c", "import sqlcipher3"], env) for _ in range(RUNS)]
    kdf = [run(KDF)["kdf"] for _ in range(RUNS)]
    command = [sys.executable, "-m", "app", "--data-dir", data_dir, "case", "show"]
    ws = open_admin(Paths(Path(data_dir)))
    try:
        first = CaseService(ws).list_cases(limit=1)[0].number
    finally:
        ws.close()
    shown = [timed_process([*command, first, "--json"], env) for _ in range(RUNS)]
    base, derive, show = (statistics.median(v) for v in (bare, kdf, shown))
    return [
        ("CLI `case show` (fresh process)", show, base, "ms"),
        ("  of which beyond python + sqlcipher3 + Argon2id", show - base - derive, None, "ms"),
        ("Argon2id, product profile (alone)", derive, None, "ms"),
    ]


def run(script: str, *args: str) -> dict[str, float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("QORGAU_KDF_PROFILE", None)  # the product's key derivation, as users have it
    done = subprocess.run(
        [sys.executable, "-c", script, repr(time.time()), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"benchmark process failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> int:
    cases = int(os.environ.get("QORGAU_BENCH_CASES", 100_000))
    paths = large_mission(cases)
    # Settings of a previous run (header state, filters) must not change what is measured.
    os.environ["XDG_CONFIG_HOME"] = os.environ.get(
        "QORGAU_BENCH_CONFIG", tempfile.mkdtemp(prefix="qorgau-bench-qs-")
    )
    bare = [run(BARE) for _ in range(RUNS)]
    qorgau = [run(QORGAU, str(paths.data_dir)) for _ in range(RUNS)]
    bare_window = statistics.median(m["window"] for m in bare)
    window = statistics.median(m["window"] for m in qorgau)
    first_page = statistics.median(m["list"] for m in qorgau)
    print(
        f"median of {RUNS} fresh processes; list of {int(qorgau[0]['total']):,} cases, "
        f"first page {int(qorgau[0]['rows'])} rows"
    )
    imported = statistics.median(m["imported"] for m in qorgau)
    unlocked = statistics.median(m["unlocked"] for m in qorgau)
    built = statistics.median(m["built"] for m in qorgau)
    print_table(
        "Start-up (process start → painted)",
        [
            ("Python, Qt and Qorgau modules imported", imported, None, "ms"),
            ("database unlocked (Argon2id, product profile)", unlocked - imported, None, "ms"),
            ("main window built", built - unlocked, None, "ms"),
            ("first painted window", window, bare_window, "ms"),
            ("first page of the case list", first_page, bare_window, "ms"),
            ("case list after the window", first_page - window, None, "ms"),
            *cli_figures(str(paths.data_dir)),
        ],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
