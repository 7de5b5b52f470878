"""A restore keeps the files it replaces under backups/, says where, and says whose a
refusal is.

The faults: the command line said only "Restored the backup of … into <folder>", so the
administrator who had restored the wrong backup did not know the previous data was kept, nor
where; and two restores in the same second put the second's files into the first's folder,
over the data as it was before both.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, tzinfo
from pathlib import Path

import pytest
from sqlalchemy import select

from app.config import Paths
from app.db import migrate
from app.db.models import Case
from app.services import backup
from app.services.backup import create_backup, restore_backup
from app.services.installation import unlock
from app.services.records import PersonInput
from app.services.workspace import Workspace
from tests.builders import wage_case
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli

SAME_SECOND = datetime(2026, 12, 7, 21, 0, 5, tzinfo=UTC)


class _Frozen(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _Frozen:  # type: ignore[override]
        return cls.fromtimestamp(SAME_SECOND.timestamp(), tz)


def _case_numbers(kept: Path, tmp_path: Path) -> set[str]:
    """The cases in the files a restore kept, opened from a copy (a sign-in writes beside it)."""
    opened = Paths(tmp_path / f"opened-{kept.name}")
    shutil.copytree(kept, opened.data_dir)
    ws = unlock(opened, "admin", PASSWORD)
    try:
        with ws.read() as session:
            return set(session.scalars(select(Case.number)))
    finally:
        ws.close()


def test_two_restores_in_the_same_second_each_keep_what_they_replaced(
    ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = create_backup(ws, tmp_path / "night.qbackup").path
    since = wage_case(ws, PersonInput(surname="Сәрсенбаев", given_names="Нұрлан")).number
    paths = ws.paths
    ws.close()
    monkeypatch.setattr(backup, "datetime", _Frozen)
    first = restore_backup(paths, out, "admin", PASSWORD, confirmed=True)
    second = restore_backup(paths, out, "admin", PASSWORD, confirmed=True)
    kept = sorted({p.parent for p in paths.backups.glob("replaced-by-restore-*/qorgau.db")})
    assert len(kept) == 2
    assert since in _case_numbers(kept[0], tmp_path)  # the data before both
    assert since not in _case_numbers(kept[1], tmp_path)
    assert [first.replaced_in, second.replaced_in] == kept


def test_the_command_line_says_where_the_replaced_files_are_kept(
    ws: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = create_backup(ws, tmp_path / "night.qbackup").path
    paths = ws.paths
    ws.close()
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    data = ("--data-dir", str(paths.data_dir))
    restored = run_cli(capsys, *data, "restore", "--yes", str(out))
    assert restored.code == 0, restored.err
    [kept] = paths.backups.glob("replaced-by-restore-*")
    assert f"The files it replaced are kept in {kept}." in restored.out

    fresh = Paths(tmp_path / "new-laptop")  # nothing replaced there: nothing said
    restored = run_cli(capsys, "--data-dir", str(fresh.data_dir), "restore", str(out))
    assert restored.code == 0, restored.err
    assert "replaced" not in restored.out


def test_the_recovery_commands_help_says_what_file_each_takes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Their help named the argument "file" and nothing more."""
    said = {
        ("restore",): "the backup file (.qbackup); the data it replaces is kept under backups/",
        ("escrow", "apply"): "the policy file headquarters signed",
    }
    for command, text in said.items():
        helped = run_cli(capsys, *command, "--help")
        assert helped.code == 0
        assert text in " ".join(helped.out.split())


def test_a_backup_of_a_newer_version_is_said_as_the_backups_and_changes_nothing(
    ws: Workspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fault: "This database was written by a newer version of Qorgau", which the
    administrator read as the mission's own database, not the backup she had chosen."""
    out = create_backup(ws, tmp_path / "night.qbackup").path
    paths = ws.paths
    ws.close()
    before = paths.db.read_bytes()
    monkeypatch.setattr(migrate, "head_revision", lambda: "9999_later")  # this is older
    monkeypatch.setattr(migrate, "known_revisions", lambda: {"9999_later"})
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    data = ("--data-dir", str(paths.data_dir))
    refused = run_cli(capsys, *data, "restore", "--yes", str(out))
    assert refused.code == 1
    assert "This backup was made by a newer version of Qorgau" in refused.err
    assert paths.db.read_bytes() == before
    assert not list(paths.backups.glob("replaced-by-restore-*"))
