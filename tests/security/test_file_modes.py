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


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_files_exported_outside_the_data_folder_are_private_too(
    tmp_path: Path, open_umask: None
) -> None:
    """The fault: a register, a subject-access report, a letter or a case list saved to the
    officer's folder went out 0644 under umask 022, readable by every account of a shared
    computer. Every export is written through ``replace_file`` or ``_written_beside``; a file
    already there with a wider mode is replaced by a private one."""
    from app.reports.export import replace_file, stream_csv, stream_xlsx, write_csv, write_xlsx
    from app.reports.tables import ReportTable

    table = ReportTable("people", "People", ("Surname",), (("Ахметова",),))
    existing = tmp_path / "letter.pdf"
    existing.write_bytes(b"old")
    existing.chmod(0o644)
    replace_file(existing, b"%PDF-1.7")
    written = [
        existing,
        *write_csv([table], tmp_path / "register.csv"),
        write_xlsx([table], tmp_path / "register.xlsx"),
    ]
    stream_csv(tmp_path / "list.csv", ("Surname",), [("Ахметова",)])
    stream_xlsx(tmp_path / "list.xlsx", ("Surname",), [("Ахметова",)], title="List", lang="kk")
    written += [tmp_path / "list.csv", tmp_path / "list.xlsx"]
    assert {path.name: _mode(path) for path in written} == {p.name: 0o600 for p in written}
    assert existing.read_bytes() == b"%PDF-1.7"


def test_an_export_to_a_file_system_without_modes_is_still_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A memory stick (FAT) refuses a change of mode: the export must not fail for it."""
    from app.reports.export import write_bytes

    def refused(fd: int, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchmod", refused)
    write_bytes(tmp_path / "stick.csv", b"a;b\r\n")
    assert (tmp_path / "stick.csv").read_bytes() == b"a;b\r\n"
    assert not (tmp_path / "stick.csv.part").exists()
