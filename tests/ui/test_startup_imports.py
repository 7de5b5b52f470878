"""The way to the sign-in window imports no ORM, services, report or keyring libraries (issue 17).

Each check runs in a fresh interpreter, since this test process has imported everything
already. What signing in needs is imported on a thread once the window has painted
(ui/warm_up.py); these tests keep it from creeping back onto the path before the paint.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.config import Paths
from tests.integration.cli_helpers import run_python
from ui.warm_up import AREA_MODULES, SIGN_IN_MODULES, WINDOW_MODULES

# Printed by every probe: the loaded modules that the sign-in window must not need.
HEAVY = r"""
import json, sys
def heavy():
    roots = ("sqlalchemy", "reportlab", "alembic", "keyring", "app.db.models", "app.services.")
    return sorted(m for m in sys.modules if m.startswith(roots) or m == "app.db.models")
"""

# A probe's sign-in window on the data folder its first argument names, not yet shown.
LOGIN_DIALOG = (
    "from pathlib import Path\n"
    "from app.config import Paths\n"
    "from ui import warm_up\n"
    "from ui.app import make_application\n"
    "from ui.i18n_bridge import LanguageBridge\n"
    "from ui.login import LoginDialog\n"
    "app = make_application()\n"
    "dialog = LoginDialog(Paths(Path(sys.argv[1])), LanguageBridge(app))\n"
)


def run_probe(script: str, tmp_path: Path, *args: str) -> dict[str, list[str]]:
    env = {"QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    done = run_python(["-c", HEAVY + script, *args], env)
    assert done.code == 0, done.err
    return dict(json.loads(done.out.strip().splitlines()[-1]))


def test_the_start_modules_import_no_orm_services_or_reports(tmp_path: Path) -> None:
    script = (
        "import app.cli, ui.app, ui.login, ui.lock, ui.setup.wizard\n"
        "print(json.dumps({'heavy': heavy()}))\n"
    )
    assert run_probe(script, tmp_path) == {"heavy": []}


def test_the_painted_sign_in_window_has_not_imported_the_orm(
    installation: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The whole path a user's start takes: main() without a command, then run_desktop."""
    script = (
        "from PySide6.QtCore import QTimer\n"
        "from ui import self_test\n"
        "seen = {}\n"
        "def spy(dialog):\n"
        "    def report():\n"
        "        dialog.grab()\n"
        "        seen['heavy'] = heavy()\n"
        "        seen['areas'] = sorted(m for m in sys.modules if m.startswith('app.cli.'))\n"
        "        seen['title'] = [dialog.windowTitle()]\n"
        "        dialog.reject()\n"
        "    QTimer.singleShot(0, report)\n"
        "self_test.close_when_shown = spy\n"
        "from app.cli import main\n"
        "main(['--data-dir', sys.argv[1], '--lang', 'en'])\n"
        "print(json.dumps(seen))\n"
    )
    monkeypatch.setenv("QORGAU_SELF_TEST", "login")  # stop at the sign-in window
    seen = run_probe(script, tmp_path, str(installation.data_dir))
    assert seen == {"heavy": [], "areas": ["app.cli.common"], "title": ["Qorgau — sign in"]}


def test_the_painted_first_run_wizard_has_not_imported_the_orm(tmp_path: Path) -> None:
    script = (
        "from pathlib import Path\n"
        "from app.config import Paths\n"
        "from ui.app import make_application\n"
        "from ui.i18n_bridge import LanguageBridge\n"
        "from ui.setup.wizard import SetupWizard\n"
        "app = make_application()\n"
        "bridge = LanguageBridge(app)\n"
        "wizard = SetupWizard(Paths(Path(sys.argv[1])), bridge)\n"
        "wizard.show()\n"
        "wizard.grab()\n"
        "print(json.dumps({'heavy': heavy()}))\n"
    )
    assert run_probe(script, tmp_path, str(tmp_path / "new")) == {"heavy": []}


def test_once_painted_the_sign_in_window_imports_what_signing_in_needs(
    tmp_path: Path,
) -> None:
    script = (
        LOGIN_DIALOG + "dialog.show()\n"
        "dialog.grab()\n"
        "before = heavy()\n"
        "for _ in range(20):\n"
        "    app.processEvents()\n"
        "warm_up.wait()\n"
        "print(json.dumps({'before': before, 'after': heavy()}))\n"
    )
    seen = run_probe(script, tmp_path, str(tmp_path / "data"))
    assert seen["before"] == []
    assert {"sqlalchemy", "app.db.models", "app.services.installation"} <= set(seen["after"])


def test_the_main_window_on_the_case_list_imports_no_report_libraries(tmp_path: Path) -> None:
    """Registering the areas and building the case list load no reportlab, PIL, qrcode or
    Jinja2: "Sign in" pressed at once waits for nothing the first page does not show, and the
    warm-up leaves them out once it is pressed (``warm_up.skip_areas``)."""
    script = (
        "import importlib\n"
        "from ui.main_window import AREA_MODULES\n"
        "for name in AREA_MODULES:\n"
        "    importlib.import_module(name)\n"
        "import ui.cases.area\n"
        "roots = ('reportlab', 'PIL', 'qrcode', 'jinja2', 'app.services.recovery_sheet')\n"
        "print(json.dumps({'reports': sorted(m for m in sys.modules if m.startswith(roots))}))\n"
    )
    assert run_probe(script, tmp_path) == {"reports": []}


def test_sign_in_pressed_cuts_the_warm_up_short_of_the_other_areas(tmp_path: Path) -> None:
    script = (
        "from ui import warm_up\n"
        "warm_up.skip_areas()\n"
        "warm_up.start()\n"
        "warm_up.wait()\n"
        "print(json.dumps({'after': heavy()}))\n"
    )
    after = set(run_probe(script, tmp_path)["after"])
    assert {*SIGN_IN_MODULES, *WINDOW_MODULES} <= after
    assert not after & set(AREA_MODULES)
    assert not any(name.startswith("reportlab") for name in after)


def test_a_failed_sign_in_takes_the_other_areas_up_again(tmp_path: Path) -> None:
    """The sign-in window stays after a wrong password: "Forgot all passwords?" then finds the
    recovery sheet's libraries loaded instead of importing them on the GUI thread."""
    script = (
        LOGIN_DIALOG + "from PySide6.QtCore import QThreadPool\n"
        "dialog.username.setText('admin')\n"
        "dialog.password.setText('wrong')\n"
        "dialog.accept()\n"
        "QThreadPool.globalInstance().waitForDone()\n"
        "for _ in range(20):\n"
        "    app.processEvents()\n"
        "warm_up.wait()\n"
        "areas = [m for m in warm_up.AREA_MODULES if m in sys.modules]\n"
        "print(json.dumps({'shown': [dialog.error.text()], 'areas': areas}))\n"
    )
    seen = run_probe(script, tmp_path, str(tmp_path / "data"))
    assert seen["shown"] != [""]  # the failure was shown: the window stays
    assert seen["areas"] == list(AREA_MODULES)


def test_resumed_areas_are_imported_after_the_cut_short_warm_up(tmp_path: Path) -> None:
    script = (
        "from ui import warm_up\n"
        "warm_up.skip_areas()\n"
        "warm_up.start()\n"
        "warm_up.resume_areas()\n"
        "warm_up.wait()\n"
        "print(json.dumps({'areas': [m for m in warm_up.AREA_MODULES if m in sys.modules]}))\n"
    )
    assert run_probe(script, tmp_path)["areas"] == list(AREA_MODULES)


def test_sign_in_pressed_before_the_first_paint_starts_the_warm_up(tmp_path: Path) -> None:
    """Else the worker (sign-in's imports), the GUI thread (the main window's) and the warm-up
    thread the paint starts a moment later would import the same modules side by side, which
    Python's per-module import locks can deadlock."""
    script = (
        LOGIN_DIALOG + "from PySide6.QtCore import QThreadPool\n"
        "dialog.username.setText('admin')\n"
        "dialog.password.setText('secret')\n"
        "dialog.accept()\n"
        "started = warm_up._thread is not None\n"
        "QThreadPool.globalInstance().waitForDone()\n"
        "warm_up.wait()\n"
        "print(json.dumps({'started': [str(started)], 'after': heavy()}))\n"
    )
    seen = run_probe(script, tmp_path, str(tmp_path / "data"))
    assert seen["started"] == ["True"]
    assert {"sqlalchemy", *SIGN_IN_MODULES} <= set(seen["after"])


def test_signing_in_derives_the_key_while_the_warm_up_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sign-in worker starts the key derivation with what phase 0 imported (no ORM) and
    lets the warm-up's phase 1 (SQLAlchemy, the models, the services) run beside it."""
    from app.services import sign_in
    from ui import login, warm_up

    calls: list[tuple[str, object]] = []

    def unlock(paths: Paths, username: str, password: str, **kwargs: object) -> str:
        calls.append((username, kwargs.get("prepare")))
        return "workspace"

    monkeypatch.setattr(sign_in, "unlock", unlock)
    assert login._unlock(Paths(tmp_path), "admin", "secret") == "workspace"  # type: ignore[comparison-overlap]
    assert calls == [("admin", warm_up.wait_for_sign_in)]


def test_without_the_warm_up_sign_in_imports_what_it_needs_itself(tmp_path: Path) -> None:
    """The keyring's or a test's sign-in never started the warm-up: its preparation imports."""
    script = (
        "from ui import warm_up\n"
        "before = heavy()\n"
        "warm_up.wait_for_sign_in()\n"
        "print(json.dumps({'before': before, 'after': heavy()}))\n"
    )
    seen = run_probe(script, tmp_path)
    assert seen["before"] == []
    assert {"sqlalchemy", "app.db.models", *SIGN_IN_MODULES} <= set(seen["after"])
