"""Start-up as a user feels it: the sign-in window, password → first page, one CLI command.

Each figure is a fresh process (interpreter start included) beside its baseline in the same run
(goals, issue 17):

- process start → the painted sign-in window (``python main.py`` as a user starts it, stopped by
  ``QORGAU_SELF_TEST=login`` once painted) beside a bare PySide6 window started the same way:
  goal ≤ 2×;
- "Sign in" pressed → the first page of the case list painted, minus the key derivation
  (Argon2id, product profile) timed inside the same process: goal ≤ 500 ms. Measured after a
  pause at the sign-in window (the typing, while the services load in the background) and
  without one;
- CLI ``case show`` beside ``python -c "import sqlcipher3"`` and one Argon2id derivation of
  the product profile alone: goal ≤ 300 ms beyond both.

Bytecode is cached (a first, unmeasured run writes it), as in an installed or packaged copy.
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
from app.services.demo import DEMO_PASSWORD
from benchmarks.common import large_mission, open_admin, print_table

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3
SHOWN = "self-test:"
TYPING_S = 2.0  # time at the sign-in window before "Sign in": the password being typed

BARE = r"""
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication([])
window = QMainWindow()
window.setCentralWidget(QLabel("hello"))
window.show()
def painted():
    window.grab()
    print("self-test: shown", flush=True)
    app.quit()
QTimer.singleShot(0, painted)
app.exec()
"""

# The sign-in dialog of ui/app.py, then what _run_window does after it: the main window and
# its case list. The key derivation is timed where it runs (keyslots._derive).
SIGN_IN = r"""
import json, sys, time
from pathlib import Path
typing_s = float(sys.argv[1])
data_dir = Path(sys.argv[2])
password = sys.argv[3]
from PySide6.QtCore import QDeadlineTimer, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
from app.config import Paths
from app.security import keyslots
from ui import warm_up
from ui.app import make_application, obtain_workspace
from ui.i18n_bridge import LanguageBridge
from ui.login import LoginDialog
derive = keyslots._derive
kdf = []
def timed_derive(*args, **kwargs):
    started = time.perf_counter()
    try:
        return derive(*args, **kwargs)
    finally:
        kdf.append((time.perf_counter() - started) * 1000)
keyslots._derive = timed_derive
app = make_application()
bridge = LanguageBridge(app)
bridge.set_language("en")
marks = {}
def sign_in():
    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog))
    thread = warm_up._thread
    marks["warm"] = thread is not None and not thread.is_alive()
    dialog.username.setText("admin")
    dialog.password.setText(password)
    marks["started"] = time.perf_counter()
    dialog.accept()
QTimer.singleShot(int(typing_s * 1000), sign_in)
workspace = obtain_workspace(Paths(data_dir), bridge)  # the sign-in dialog, as ui/app.py runs it
assert workspace is not None
signed_in = time.perf_counter()
warm_up.wait()
from ui.main_window import MainWindow
window = MainWindow(workspace, bridge)
window.resize(1366, 768)
window.show()
area = window.show_area("cases")
model = area.list_view.model
deadline = QDeadlineTimer(120_000)
loop = QEventLoop()
while (model.loading or model.rowCount() == 0) and not deadline.hasExpired():
    QTimer.singleShot(5, loop.quit)
    loop.exec()
area.list_view.table.viewport().grab()
shown = time.perf_counter()
print(json.dumps({
    "total": (shown - marks["started"]) * 1000,
    "signed_in": (signed_in - marks["started"]) * 1000,
    "kdf": sum(kdf),
    "rows": model.rowCount(),
    "warm": marks["warm"],
}))
window.close()
workspace.close()
"""

KDF = r"""
import json, os, sys, time
from app.security.keyslots import PRODUCT_PROFILE, _derive
started = time.perf_counter()
_derive("qorgau-demo", os.urandom(16), PRODUCT_PROFILE)
print(json.dumps({"kdf": (time.perf_counter() - started) * 1000}))
"""


def bench_env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        # No keyring: the sign-in window asks for the password, as on a first sign-in.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        **extra,
    }
    env.pop("QORGAU_KDF_PROFILE", None)  # the product's key derivation, as users have it
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # cached bytecode, as an installed copy has
    return env


def until_line(argv: list[str], env: dict[str, str]) -> float:
    """Milliseconds from spawning ``argv`` to its self-test line on stdout."""
    started = time.perf_counter()
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith(SHOWN):
                elapsed = (time.perf_counter() - started) * 1000
                child.wait(60)
                return elapsed
    raise SystemExit(f"{argv} never showed its window")


def timed_process(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"benchmark process failed:\n{done.stderr}")
    return (time.perf_counter() - started) * 1000


def run_json(script: str, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=bench_env(),
        check=False,
        cwd=ROOT,
    )
    if done.returncode:
        raise SystemExit(f"benchmark process failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def median(values: list[float]) -> float:
    return statistics.median(values)


def login_window_figures(paths: Paths, config: str) -> list[tuple[str, float, float | None, str]]:
    env = bench_env(
        QORGAU_SELF_TEST="login",
        QORGAU_DATA_DIR=str(paths.data_dir),
        XDG_CONFIG_HOME=config,
    )
    main_py = [sys.executable, str(ROOT / "main.py")]
    bare_py = [sys.executable, "-c", BARE]
    until_line(main_py, env)  # writes the bytecode; not measured
    bare, login = [], []
    for _ in range(RUNS):  # interleaved: a change of load touches both alike
        bare.append(until_line(bare_py, env))
        login.append(until_line(main_py, env))
    return [("process start → painted sign-in window", median(login), median(bare), "ms")]


def sign_in_figures(paths: Paths) -> tuple[list[tuple[str, float, float | None, str]], str]:
    data = str(paths.data_dir)
    rows: list[tuple[str, float, float | None, str]] = []
    note = ""
    for label, pause in (("after typing", TYPING_S), ("at once", 0.0)):
        runs = [run_json(SIGN_IN, str(pause), data, DEMO_PASSWORD) for _ in range(RUNS)]
        total, kdf = median([r["total"] for r in runs]), median([r["kdf"] for r in runs])
        beyond = median([r["total"] - r["kdf"] for r in runs])
        rows += [
            (f"'Sign in' → first page painted, {label}", total, None, "ms"),
            ("  of which beyond the key derivation", beyond, None, "ms"),
            ("  signed in (workspace open)", median([r["signed_in"] for r in runs]), None, "ms"),
            ("  key derivation (Argon2id, in the same process)", kdf, None, "ms"),
        ]
        note = f"first page {int(runs[0]['rows'])} rows of {int(runs[0]['cases']):,} cases"
    return rows, note


def cli_figures(data_dir: str) -> list[tuple[str, float, float | None, str]]:
    env = bench_env(QORGAU_USER="admin", QORGAU_PASSWORD=DEMO_PASSWORD)
    command = [sys.executable, "-m", "app", "--data-dir", data_dir, "case", "show"]
    ws = open_admin(Paths(Path(data_dir)))
    try:
        first = CaseService(ws).list_cases(limit=1)[0].number
    finally:
        ws.close()
    timed_process([*command, first, "--json"], env)  # writes the bytecode; not measured
    bare, kdf, shown = [], [], []
    for _ in range(RUNS):
        bare.append(timed_process([sys.executable, "-c", "import sqlcipher3"], env))
        kdf.append(run_json(KDF)["kdf"])
        shown.append(timed_process([*command, first, "--json"], env))
    base, derive, show = median(bare), median(kdf), median(shown)
    return [
        ("CLI `case show` (fresh process)", show, base, "ms"),
        ("  of which beyond python + sqlcipher3 + Argon2id", show - base - derive, None, "ms"),
        ("Argon2id, product profile (alone)", derive, None, "ms"),
    ]


def main() -> int:
    cases = int(os.environ.get("QORGAU_BENCH_CASES", 100_000))
    paths = large_mission(cases)
    # Settings of a previous run (header state, filters) must not change what is measured.
    config = os.environ.get("QORGAU_BENCH_CONFIG", tempfile.mkdtemp(prefix="qorgau-bench-qs-"))
    os.environ["XDG_CONFIG_HOME"] = config
    load = os.getloadavg()[0]
    login = login_window_figures(paths, config)
    sign_in, note = sign_in_figures(paths)
    cli = cli_figures(str(paths.data_dir))
    print(
        f"median of {RUNS} fresh processes each; {note}; "
        f"load average {load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    )
    print_table("Start-up (fresh processes)", [*login, *sign_in, *cli])
    return 0


if __name__ == "__main__":
    sys.exit(main())
