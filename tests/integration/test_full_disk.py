"""A full disk, as an officer's laptop gets: a clear message in the user's language, and
nothing changed. The database's own writes said so already (``StorageFull``); the files beside
it did not: with no room for the sign-in's attempt counter, every command, even a read, stopped
with "internal error: [Errno 28] No space left on device"."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from app.config import Paths
from app.errors import StorageFailed, StorageFull
from app.security import private_files
from app.security.private_files import replace_privately
from app.services.installation import unlock
from app.services.records import PersonInput
from app.services.workspace import Workspace
from tests.builders import wage_case
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli


def failing_fsync(code: int):  # type: ignore[no-untyped-def]
    def fsync(_fd: int) -> None:
        raise OSError(code, os.strerror(code))

    return fsync


@pytest.mark.parametrize(
    ("code", "error"), [(errno.ENOSPC, StorageFull), (errno.EIO, StorageFailed)]
)
def test_a_failed_private_write_keeps_the_old_file_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int, error: type[Exception]
) -> None:
    target = tmp_path / "keyslots.json"
    target.write_text("the old content")
    monkeypatch.setattr(private_files.os, "fsync", failing_fsync(code))
    with pytest.raises(error) as raised:
        replace_privately(target, "the new content", ".keyslots-")
    assert target.read_text() == "the old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keyslots.json"]  # no temporary left
    assert "nothing was changed" in str(raised.value)


def test_signing_in_on_a_full_disk_says_so_in_the_users_language(
    installation: Paths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    attempts = installation.data_dir / "login_attempts.json"
    before = attempts.read_bytes() if attempts.exists() else None
    monkeypatch.setattr(private_files.os, "fsync", failing_fsync(errno.ENOSPC))
    data = ("--data-dir", str(installation.data_dir))
    result = run_cli(capsys, *data, "case", "list")
    assert result.code != 0
    assert "internal error" not in result.err
    assert "The disk holding Qorgau's data is full; nothing was changed." in result.err
    kazakh = run_cli(capsys, "--lang", "kk", *data, "case", "list")
    assert "Qorgau деректері тұрған дискіде бос орын қалмады" in kazakh.err
    assert (attempts.read_bytes() if attempts.exists() else None) == before


@pytest.mark.parametrize(
    ("code", "remedy"),
    [(errno.EROFS, "Make that disk writable again"), (errno.EACCES, "the IT officer gives")],
)
def test_signing_in_on_a_data_folder_qorgau_may_not_write_says_what_to_do(
    installation: Paths,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    code: int,
    remedy: str,
) -> None:
    """The fault: "cannot write to its data folder (the disk is read only); nothing was
    changed", and the administrator had nothing to try."""
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    monkeypatch.setattr(private_files.os, "fsync", failing_fsync(code))
    result = run_cli(capsys, "--data-dir", str(installation.data_dir), "case", "list")
    assert result.code != 0
    assert "Qorgau cannot write to its data folder" in result.err and remedy in result.err


def filling_the_disk_half_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ``Path.write_bytes`` writes half its bytes, then finds the disk full."""

    def half_then_full(path: Path, data: bytes) -> int:
        with path.open("wb") as handle:
            handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(Path, "write_bytes", half_then_full)


def test_a_letter_saved_over_its_copy_on_a_full_disk_keeps_the_copy_whole(
    ws: Workspace,
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The PDF was written in place: a disk that filled left half a PDF where the officer's
    earlier copy of the letter had been."""
    number = wage_case(ws, PersonInput(surname="Сәрсенбаев", given_names="Нұрлан")).number
    ws.close()
    monkeypatch.setenv("QORGAU_USER", "aigul")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    letters = tmp_path / "letters"
    letters.mkdir()
    out = letters / "letter.pdf"
    render = ("--data-dir", str(installation.data_dir), "letter", "render", number)
    render += ("--kind", "employer_letter", "--lang", "kk", "--out", str(out))
    made = run_cli(capsys, *render)
    assert made.code == 0, made.err
    earlier = out.read_bytes()
    filling_the_disk_half_way(monkeypatch)
    again = run_cli(capsys, "--lang", "ru", *render)
    assert again.code != 0
    assert again.err.strip() == f"qorgau: Не удаётся записать {out}: на диске не осталось места"
    assert out.read_bytes() == earlier
    assert [p.name for p in letters.iterdir()] == ["letter.pdf"]  # no half file beside it


def test_a_bundle_on_a_full_disk_says_nothing_was_recorded_as_sent(
    ws: Workspace,
    installation: Paths,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fault: "The bundle cannot be written: no space left on the disk" left the officer
    asking whether the export counted as sent, and so whether to send again."""
    import pyrage
    from sqlalchemy import select

    from app.db.models import AuditEntry, ExchangeLog
    from app.exchange import package, spool

    wage_case(ws, PersonInput(surname="Тұрсынбаев", given_names="Ерасыл"))
    ws.close()
    real_write = spool.EncryptedSpool.write

    def full(*_args: object) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    out = tmp_path / "sel.qbundle"
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    export = ("--data-dir", str(installation.data_dir), "bundle", "export")
    export += ("--recipient", recipient, "--out", str(out))
    monkeypatch.setattr(package, "_AHEAD", 0)  # the bundle's members spooled, not held
    monkeypatch.setattr(spool.EncryptedSpool, "write", full)

    refused = run_cli(capsys, *export)

    assert refused.code == 1
    assert "The bundle cannot be written: no space left on the disk" in refused.err
    said = "No bundle file was left, and nothing was recorded as sent or changed here"
    assert said in refused.err
    assert "choose another folder, and try again." in refused.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]
    monkeypatch.setattr(spool.EncryptedSpool, "write", real_write)
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.read() as session:
            assert session.execute(select(ExchangeLog)).first() is None
            actions = session.execute(select(AuditEntry.action)).scalars().all()
            assert "bundle.export" not in actions
    finally:
        ws.close()
    again = run_cli(capsys, *export)  # with room: the same changes go, not an empty bundle
    assert again.code == 0, again.err
    assert out.exists() and ": 4 records," in again.out, again.out
