"""Smoke test: the main window of an HQ whose data lives on PostgreSQL opens every area."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.services.installation import MissionSetup, unlock
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.pg_cluster import Cluster, server_installation
from ui.main_window import MainWindow


@pytest.fixture
def server_hq(pg_cluster: Cluster, pg_template: Paths, tmp_path: Path) -> Iterator[Workspace]:
    setup = MissionSetup(code="AST", country="KZ", city="Astana", is_hq=True)
    paths = server_installation(pg_cluster, tmp_path / "hq", setup, {"astana": "hq"}, PASSWORD)
    ws = unlock(paths, "astana", PASSWORD)
    yield ws
    ws.close()


def test_main_window_of_an_hq_on_postgresql_opens_every_area(
    make_window: Callable[..., MainWindow], server_hq: Workspace, qtbot: QtBot, tmp_path: Path
) -> None:
    window = make_window(server_hq)
    assert "AST" in window.status_user.text()
    for key in window.area_keys():
        assert window.show_area(key) is not None, key
        QThreadPool.globalInstance().waitForDone(10_000)
        qtbot.wait(20)
    window.show_area("cases")
    qtbot.wait(50)
    assert window.grab().save(str(tmp_path / "hq-on-postgresql.png"))
