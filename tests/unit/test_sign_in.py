"""Signing in derives the key on a thread while the database code is imported (issue 17)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from app.config import Paths
from app.errors import AuthError, DatabaseError
from app.security import keyslots
from app.security.login_guard import LoginGuard
from app.services import sign_in
from tests.conftest import MISSION, PASSWORD, snapshot

ROOT = Path(__file__).resolve().parents[2]


def test_the_key_is_derived_while_prepare_runs(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    prepared = threading.Event()
    seen: dict[str, object] = {}
    derive = keyslots._derive

    def derive_after_prepare(*args: object, **kwargs: object) -> bytes:
        # Waits for prepare: a sign-in that derived first and prepared after would time out.
        seen["prepared_meanwhile"] = prepared.wait(30)
        seen["derive_thread"] = threading.current_thread().name
        return derive(*args, **kwargs)  # type: ignore[arg-type]

    def prepare() -> None:
        seen["prepare_thread"] = threading.current_thread().name
        prepared.set()

    monkeypatch.setattr(keyslots, "_derive", derive_after_prepare)
    ws = sign_in.unlock(installation, "admin", PASSWORD, prepare=prepare)
    ws.close()
    assert seen == {
        "prepared_meanwhile": True,
        "derive_thread": "qorgau-password-proof",
        "prepare_thread": threading.current_thread().name,
    }


def test_a_wrong_password_is_refused_and_counted(installation: Paths) -> None:
    calls: list[str] = []
    with pytest.raises(AuthError):
        sign_in.unlock(installation, "admin", "wrong", prepare=lambda: calls.append("prepared"))
    assert calls == ["prepared"]
    assert LoginGuard(installation.data_dir).failures("admin") == 1


def test_another_databases_key_file_is_named_as_the_file_to_restore(
    installation: Paths, tmp_path: Path
) -> None:
    """A key file from another installation (or from before a re-key) opened with the
    password, and its key did not open the database: the officer was told "qorgau.db is not a
    Qorgau database, or it is damaged" and went to restore the wrong file."""
    from app.services.installation import init_installation

    other = Paths(tmp_path / "other")
    init_installation(other, MISSION, "admin", PASSWORD)
    installation.keyslots.write_bytes(other.keyslots.read_bytes())
    before = snapshot(installation.data_dir)
    with pytest.raises(DatabaseError) as refused:
        sign_in.unlock(installation, "admin", PASSWORD)
    assert str(refused.value) == (
        "qorgau.db does not open with the key in keyslots.json: the key file belongs to "
        "another Qorgau database or is an older copy (from before this database's key was "
        "changed), or the database is damaged. Restore keyslots.json from the backup made "
        "together with this database; if it still does not open, restore the database from "
        "that backup too."
    )
    assert "not a Qorgau database" not in str(refused.value)
    assert snapshot(installation.data_dir).keys() == before.keys()
    assert LoginGuard(installation.data_dir).failures("admin") == 0  # the password was right


def test_a_failed_preparation_withdraws_the_right_password(installation: Paths) -> None:
    def broken() -> None:
        raise RuntimeError("import failed")

    with pytest.raises(RuntimeError, match="import failed"):
        sign_in.unlock(installation, "admin", PASSWORD, prepare=broken)
    guard = LoginGuard(installation.data_dir)
    assert guard.failures("admin") == 0
    assert guard.pending() == []


def test_proving_a_password_imports_no_sqlalchemy(installation: Paths, tmp_path: Path) -> None:
    """What runs beside the imports imports none of them: two threads importing the same
    modules can deadlock (cryptography loads its backend on first use, which nothing else
    imports)."""
    probe = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from app.config import Paths\n"
        "from app.security.login_guard import LoginGuard\n"
        "from app.services import sign_in\n"
        "paths = Paths(Path(sys.argv[1]))\n"
        "before = set(sys.modules)\n"
        "guard = LoginGuard(paths.data_dir)\n"
        "settled, _ = sign_in.prove_password(paths, 'admin', sys.argv[2], guard)\n"
        "ours = ('app', 'sqlalchemy')\n"
        "new = sorted(m for m in set(sys.modules) - before if m.startswith(ours))\n"
        "print(json.dumps({'key': len(settled.key), 'new': new}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(installation.data_dir), PASSWORD],
        cwd=ROOT,
        env={**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"key": 32, "new": []}


def test_a_cli_command_imports_its_services_while_the_key_is_derived(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.cli import main

    loaded: list[bool] = []
    prepare = sign_in.import_opening

    def spy(extra: tuple[str, ...] = (), **options: bool) -> None:
        loaded.append("app.services.cases" in extra)
        prepare(extra, **options)

    monkeypatch.setattr(sign_in, "import_opening", spy)
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    assert main(["--data-dir", str(installation.data_dir), "case", "list", "--json"]) == 0
    assert loaded == [True]
