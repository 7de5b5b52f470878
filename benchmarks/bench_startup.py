"""Start-up as a user feels it: the sign-in window, password → first page, one CLI command.

Each figure is a fresh process (interpreter start included) beside its baseline in the same run
(goals, issue 17):

- process start → the painted sign-in window (``python main.py`` as a user starts it, stopped by
  ``QORGAU_SELF_TEST=login`` once painted) beside a bare PySide6 window started the same way:
  goal ≤ 2×;
- "Sign in" pressed → the first page of the case list painted, minus the key derivation
  (Argon2id, product profile) timed inside the same process: goal ≤ 500 ms. Measured with
  "Sign in" pressed once the background imports are done (the typing: at least a second at the
  window) and at once (as soon as the window has painted); and from process start to that
  first page;
- CLI ``case show`` beside ``python -c "import sqlcipher3"`` and one Argon2id derivation of
  the product profile alone: goal ≤ 300 ms beyond both.

Bytecode is cached (a first, unmeasured run writes it), as in an installed or packaged copy.
With QORGAU_BENCH_BASELINE_TREE naming a checkout of an earlier commit, its figures are
measured in the same run, interleaved with this tree's: on a shared machine whose load moves
the absolute figures by 2-3×, the before/after ratio is the figure to trust.
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
from benchmarks.common import Row, large_mission, ms_until_line, open_admin, print_table

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("QORGAU_BENCH_RUNS", 3))  # more on a shared machine
SHOWN = "self-test:"
TYPING_S = 1.0  # at least this long at the sign-in window before "Sign in": the typing
# A checkout of an earlier commit (``git archive COMMIT | tar -x -C DIR``, catalogs compiled):
# its figures are measured in the same run, interleaved with this tree's.
BASELINE_ENV = "QORGAU_BENCH_BASELINE_TREE"

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

# The sign-in dialog of ui/app.py, then what _run_window does after it (open_main_window: the
# main window and what it starts; a tree before it, what its _run_window did): its case list.
# The key derivation is timed where it runs (keyslots._derive).
SIGN_IN = r"""
import json, sys, time
from pathlib import Path
launched = float(sys.argv[1])
typing = sys.argv[2] == "typing"
data_dir = Path(sys.argv[3])
password = sys.argv[4]
MIN_TYPING_S, MAX_TYPING_S = float(sys.argv[5]), 15.0
from PySide6.QtCore import QDeadlineTimer, QEventLoop, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication
from app.config import Paths
from app.security import keyslots
try:
    from ui import warm_up
except ImportError:  # a baseline tree from before the warm-up
    warm_up = None
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
    if typing and warm_up and warm_up.running() and time.time() - launched < MAX_TYPING_S:
        QTimer.singleShot(10, sign_in)  # still typing while the background imports run
        return
    dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, LoginDialog)), None)
    if dialog is None or not getattr(dialog, "_warming_up", True):
        QTimer.singleShot(5, sign_in)  # "at once" is once painted: no one presses before
        return
    thread = warm_up._thread if warm_up else None
    marks["warm"] = thread is not None and not thread.is_alive()
    marks["typed"] = (time.time() - launched) * 1000
    dialog.username.setText("admin")
    dialog.password.setText(password)
    marks["started"] = time.perf_counter()
    marks["started_wall"] = time.time()
    dialog.accept()
QTimer.singleShot(int(MIN_TYPING_S * 1000) if typing else 0, sign_in)
workspace = obtain_workspace(Paths(data_dir), bridge)  # the sign-in dialog, as ui/app.py runs it
assert workspace is not None
signed_in = time.perf_counter()
import ui.app as ui_app
if hasattr(ui_app, "open_main_window"):  # what _run_window does after sign-in
    window, _daily_backup = ui_app.open_main_window(app, workspace, bridge)
    window.resize(1366, 768)
else:  # a baseline tree from before it: what its _run_window did
    if warm_up:
        warm_up.wait()
    from ui.main_window import MainWindow
    window = MainWindow(workspace, bridge)
    window.resize(1366, 768)
    window.show()
    if hasattr(ui_app, "_apply_retention"):
        ui_app._apply_retention(window, workspace)  # on the GUI thread, before the first paint
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
    "from_launch": (time.time() - launched) * 1000,
    "typed": marks["typed"],
    "total": (shown - marks["started"]) * 1000,
    "signed_in": (signed_in - marks["started"]) * 1000,
    "kdf": sum(kdf),
    "rows": model.rowCount(),
    "warm": marks["warm"],
}))
window.close()
QThreadPool.globalInstance().waitForDone()  # as the app does: reads still running (a Start page)
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


def until_line(argv: list[str], env: dict[str, str], root: Path) -> float:
    """Milliseconds from spawning ``argv`` to its self-test line on stdout."""
    return ms_until_line(argv, env, root, SHOWN, 60)


def timed_process(argv: list[str], env: dict[str, str], root: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False, cwd=root)
    if done.returncode:
        raise SystemExit(f"a benchmark process failed ({done.returncode}):\n{done.stderr}")
    return (time.perf_counter() - started) * 1000


def run_json(script: str, root: Path, *args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        env=bench_env(),
        check=False,
        cwd=root,  # ``-c`` puts the working directory first on sys.path: that tree's code
    )
    if done.returncode:
        raise SystemExit(f"a benchmark process failed ({done.returncode}):\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def median(values: list[float]) -> float:
    return statistics.median(values)


class Tree:
    """One source tree whose start-up is measured: this one, or a baseline checkout."""

    def __init__(self, root: Path, label: str) -> None:
        self.root = root
        self.label = label
        self.login: list[float] = []
        self.sign_in: dict[str, list[dict[str, float]]] = {"typing": [], "at once": []}
        self.cli: list[float] = []


def measure(trees: list[Tree], paths: Paths, config: str, case_number: str) -> dict[str, float]:
    """Every figure of every tree, run after run in turn, so a change of load touches all."""
    data = str(paths.data_dir)
    login_env = bench_env(QORGAU_SELF_TEST="login", QORGAU_DATA_DIR=data, XDG_CONFIG_HOME=config)
    cli_env = bench_env(QORGAU_USER="admin", QORGAU_PASSWORD=DEMO_PASSWORD)
    cli_args = ["-m", "app", "--data-dir", data, "case", "show", case_number, "--json"]
    for tree in trees:  # writes each tree's bytecode; not measured
        until_line([sys.executable, str(tree.root / "main.py")], login_env, tree.root)
        timed_process([sys.executable, *cli_args], cli_env, tree.root)
    bare: list[float] = []
    python: list[float] = []
    kdf: list[float] = []
    for _ in range(RUNS):
        bare.append(until_line([sys.executable, "-c", BARE], login_env, ROOT))
        python.append(timed_process([sys.executable, "-c", "import sqlcipher3"], cli_env, ROOT))
        kdf.append(run_json(KDF, ROOT)["kdf"])
        for tree in trees:
            main_py = [sys.executable, str(tree.root / "main.py")]
            tree.login.append(until_line(main_py, login_env, tree.root))
            for mode, runs in tree.sign_in.items():
                runs.append(
                    run_json(
                        SIGN_IN,
                        tree.root,
                        repr(time.time()),
                        mode,
                        data,
                        DEMO_PASSWORD,
                        str(TYPING_S),
                    )
                )
            tree.cli.append(timed_process([sys.executable, *cli_args], cli_env, tree.root))
    return {"bare": median(bare), "python": median(python), "kdf": median(kdf)}


def rows_of(tree: Tree, base: dict[str, float]) -> list[Row]:
    rows: list[Row] = [
        (
            f"process start → painted sign-in window{tree.label}",
            median(tree.login),
            base["bare"],
            "ms",
        )
    ]
    for mode, runs in tree.sign_in.items():
        when = "after typing" if mode == "typing" else "at once"
        rows += [
            (
                f"process start → first page painted, 'Sign in' {when}{tree.label}",
                median([r["from_launch"] for r in runs]),
                None,
                "ms",
            ),
            (
                f"'Sign in' → first page painted, {when}{tree.label}",
                median([r["total"] for r in runs]),
                None,
                "ms",
            ),
            (
                "  of which beyond the key derivation",
                median([r["total"] - r["kdf"] for r in runs]),
                None,
                "ms",
            ),
            ("  workspace open (sign-in done)", median([r["signed_in"] for r in runs]), None, "ms"),
        ]
    show = median(tree.cli)
    rows += [
        (f"CLI `case show` (fresh process){tree.label}", show, base["python"], "ms"),
        (
            "  of which beyond python + sqlcipher3 + Argon2id",
            show - base["python"] - base["kdf"],
            None,
            "ms",
        ),
    ]
    return rows


def main() -> int:
    cases = int(os.environ.get("QORGAU_BENCH_CASES", 100_000))
    paths = large_mission(cases)
    # Settings of a previous run (header state, filters) must not change what is measured.
    config = os.environ.get("QORGAU_BENCH_CONFIG", tempfile.mkdtemp(prefix="qorgau-bench-qs-"))
    os.environ["XDG_CONFIG_HOME"] = config
    ws = open_admin(paths)
    try:
        case_number = CaseService(ws).list_cases(limit=1)[0].number
    finally:
        ws.close()
    trees = [Tree(ROOT, "")]
    baseline = os.environ.get(BASELINE_ENV)
    if baseline:
        trees.append(Tree(Path(baseline).resolve(), " (baseline tree)"))
    load = os.getloadavg()[0]
    base = measure(trees, paths, config, case_number)
    typed = trees[0].sign_in["typing"]
    warm = sum(1 for r in typed if r["warm"])
    print(
        f"median of {RUNS} fresh processes each, the trees' runs interleaved; first page "
        f"{int(typed[0]['rows'])} rows of {cases:,} cases. 'After typing': 'Sign in' pressed "
        f"once the background imports were done ({warm} of {RUNS} runs; at least "
        f"{TYPING_S:.0f} s at the window; median {median([r['typed'] for r in typed]):.0f} ms "
        f"after the process started), the baseline tree's after {TYPING_S:.0f} s. "
        f"Load average {load:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end"
    )
    rows = [row for tree in trees for row in rows_of(tree, base)]
    rows.append(("Argon2id, product profile (alone)", base["kdf"], None, "ms"))
    print_table("Start-up (fresh processes)", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
