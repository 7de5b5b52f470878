"""Every file in the data folder and every backup is 0600, every folder 0700 (POSIX).

Replayed with the permissive umask most desktops have (022), through a mission's life: init,
sign-in (and a failed one), users, a case, the window's lock file, a migration-style and a
scheduled backup, a manual backup, a revocation (re-key) and a restore.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.config import Paths
from app.errors import AuthError
from app.security.private_files import private_tree_problems
from app.services.backup import backup_database, backup_if_due, create_backup, restore_backup
from app.services.installation import init_installation, unlock
from app.services.users import UserService
from tests.conftest import MISSION, PASSWORD
from tests.security.folder import add_case
from ui import instance_lock

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def test_data_folder_and_backups_stay_private_through_a_missions_life(
    tmp_path: Path,
    open_umask: None,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    paths = Paths(tmp_path / "data")
    init_installation(paths, MISSION, "admin", PASSWORD)
    assert private_tree_problems(paths.data_dir) == []

    lock = instance_lock.acquire(paths)
    with pytest.raises(AuthError):
        unlock(paths, "admin", "a wrong password")
    ws = unlock(paths, "admin", PASSWORD)
    UserService(ws).add("aigul", "attache", PASSWORD)
    backup_database(ws.db, paths.backups / "before-migration-test.db")
    assert backup_if_due(ws) is not None
    manual = create_backup(ws, tmp_path / "manual.qbackup")
    ws.close()
    add_case(capsys, monkeypatch, paths.data_dir, tmp_path, PASSWORD)
    assert private_tree_problems(paths.data_dir) == []
    assert manual.path.stat().st_mode & 0o777 == 0o600

    ws = unlock(paths, "admin", PASSWORD)
    UserService(ws).revoke("aigul")
    ws.close()
    assert private_tree_problems(paths.data_dir) == []

    restore_backup(paths, manual.path, "admin", PASSWORD, confirmed=True)
    assert any(paths.backups.glob("replaced-by-restore-*"))
    assert private_tree_problems(paths.data_dir) == []

    fresh = Paths(tmp_path / "fresh")
    restore_backup(fresh, manual.path, "admin", PASSWORD)
    unlock(fresh, "admin", PASSWORD).close()
    assert private_tree_problems(fresh.data_dir) == []
    # Restored over again before any backup made backups/: the folder it keeps the replaced
    # files in was made 0700, and backups/ itself, made on the way, at the umask's 0755.
    assert not fresh.backups.exists()
    restore_backup(fresh, manual.path, "admin", PASSWORD, confirmed=True)
    assert private_tree_problems(fresh.data_dir) == []
    lock.release()


def test_an_existing_wide_file_is_narrowed_when_rewritten(tmp_path: Path, open_umask: None) -> None:
    from app.security.private_files import open_private

    target = tmp_path / "wide"
    target.write_bytes(b"old")
    target.chmod(0o644)
    with open_private(target) as handle:
        handle.write(b"new")
    assert target.stat().st_mode & 0o777 == 0o600 and target.read_bytes() == b"new"
