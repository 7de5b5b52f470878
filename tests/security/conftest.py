"""Fixtures the security tests share."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Paths
from app.services.installation import init_installation, unlock
from app.services.users import UserService
from tests.conftest import MISSION, PASSWORD


@pytest.fixture(scope="session")
def mission_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Paths, str]:
    """``mission``'s installation, made once a session (its migrations and key derivations
    cost every test about two seconds)."""
    paths = Paths(tmp_path_factory.mktemp("security-mission") / "mission")
    recovery_key = init_installation(paths, MISSION, "admin", PASSWORD)
    ws = unlock(paths, "admin", PASSWORD)
    try:
        UserService(ws).add("aigul", "attache", PASSWORD)
    finally:
        ws.close()
    return paths, recovery_key


@pytest.fixture
def mission(mission_template: tuple[Paths, str], tmp_path: Path) -> tuple[Paths, str]:
    """A mission with an administrator and an attaché (aigul), and its recovery key: the
    test's own copy of ``mission_template``."""
    template, recovery_key = mission_template
    paths = Paths(tmp_path / "mission")
    shutil.copytree(template.data_dir, paths.data_dir)
    return paths, recovery_key


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The system temp folder for this test, so every file the app writes can be seen."""
    folder = tmp_path / "system-tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
