"""Shared fixtures: an isolated environment for every test and fast encrypted databases.

Each test gets a copy of a template installation made once per session, with a cheap Argon2id
profile (QORGAU_KDF_PROFILE=test; never the product's default), its own keyring (a file-backed
test double that processes the test starts see too, see tests/keyring_double.py) and its own
data folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import keyring
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QORGAU_KDF_PROFILE"] = "test"

from app.config import Paths  # noqa: E402
from app.i18n import set_language  # noqa: E402
from app.services.installation import MissionSetup, init_installation, unlock  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402
from tests.keyring_double import FILE_BACKEND, FILE_ENV, FileKeyring  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

PASSWORD = "correct horse"
USERS = {"admin": "admin", "aigul": "attache", "serik": "consul", "astana": "hq"}
MISSION = MissionSetup(
    code="SEL",
    country="KR",
    city="Seoul",
    name_kk="Қазақстан Республикасының Корея Республикасындағы Елшілігі",
    name_ru="Посольство Республики Казахстан в Республике Корея",
    name_en="Embassy of the Republic of Kazakhstan in the Republic of Korea",
    phone="+82 2 000 0000",
)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("QORGAU_DATA_DIR", str(tmp_path / "data-dir-from-env"))
    monkeypatch.setenv("QORGAU_LOG_DIR", str(tmp_path / "logs"))
    for name in ("QORGAU_USER", "QORGAU_PASSWORD", "QORGAU_NEW_PASSWORD", "QORGAU_LANG"):
        monkeypatch.delenv(name, raising=False)
    # The keyring: one file per test, also chosen by any process the test starts (so a
    # fresh-process read-back sees what this process stored).
    monkeypatch.setenv(FILE_ENV, str(tmp_path / "keyring.json"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", FILE_BACKEND)
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    )
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    set_language("en")
    yield
    set_language("en")
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def template_installation(tmp_path_factory: pytest.TempPathFactory) -> Paths:
    paths = Paths(tmp_path_factory.mktemp("template") / "data")
    init_installation(paths, MISSION, "admin", PASSWORD)
    ws = unlock(paths, "admin", PASSWORD)
    try:
        from app.services.users import UserService

        users = UserService(ws)
        for username, role in USERS.items():
            if username != "admin":
                users.add(username, role, PASSWORD)
    finally:
        ws.close()
    return paths


def demo_mission(
    template: Paths,
    tmp_path_factory: pytest.TempPathFactory,
    name: str,
    cases: int,
    seed: int,
    today: date,
) -> Paths:
    """A copy of the template installation filled with ``cases`` demo cases (module fixtures)."""
    from app.services.demo import fill_demo

    paths = Paths(tmp_path_factory.mktemp(name) / "data")
    shutil.copytree(template.data_dir, paths.data_dir)
    ws = unlock(paths, "admin", PASSWORD)
    try:
        fill_demo(ws, cases, seed=seed, today=today)
    finally:
        ws.close()
    return paths


@pytest.fixture
def installation(template_installation: Paths, tmp_path: Path) -> Paths:
    target = tmp_path / "data"
    shutil.copytree(template_installation.data_dir, target)
    return Paths(target)


@pytest.fixture
def open_ws(installation: Paths) -> Iterator[Callable[[str], Workspace]]:
    opened: list[Workspace] = []

    def _open(username: str = "admin") -> Workspace:
        ws = unlock(installation, username, PASSWORD)
        opened.append(ws)
        return ws

    yield _open
    for ws in opened:
        ws.close()


@pytest.fixture
def ws(open_ws: Callable[[str], Workspace]) -> Workspace:
    return open_ws("admin")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes under ``folder``: to prove a failed command changed nothing."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
