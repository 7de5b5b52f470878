"""What a start finds left by Qorgau stopped half-way and puts right is said once, in the
reader's language: the repairs ran silently, and someone who had seen Qorgau vanish mid-import
did not know whether it had counted."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.config import Paths
from app.db.models import Counter
from app.i18n import set_language
from app.services.after_crash import Found, FoundAfterCrash, found_text, repair_on_start
from app.services.backup import RESTORE_STAGING_PREFIX, STALE_COPY_S, create_backup
from app.services.exchange import CLAIM_STALE_MS, IMPORT_CLAIM
from app.services.installation import unlock
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.integration.cli_helpers import run_cli, run_python
from tests.reliability.test_crash import _RESTORE_KILLED


def test_a_killed_restores_copy_is_removed_at_the_next_start_and_said_once(
    installation: Paths, tmp_path: Path
) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    made = create_backup(ws, tmp_path / "night.qbackup").path
    ws.close()
    child = run_python(["-c", _RESTORE_KILLED, str(installation.data_dir), str(made), PASSWORD])
    assert child.code == -9, child.err
    assert list(installation.data_dir.glob(f"{RESTORE_STAGING_PREFIX}*"))

    ws = unlock(installation, "admin", PASSWORD)
    try:
        found = repair_on_start(ws)
        assert found == [FoundAfterCrash(Found.RESTORE_COPY_REMOVED, count=1)]
        assert not list(installation.data_dir.glob(f"{RESTORE_STAGING_PREFIX}*"))
        assert found_text(found[0]).startswith(
            "1 restore was stopped before it finished; it changed nothing."
        )
        assert repair_on_start(ws) == []  # said once
    finally:
        ws.close()


def test_an_import_cut_short_is_taken_back_at_the_next_start_and_said_with_its_mission(
    installation: Paths,
) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    try:
        stale = int(datetime.now(UTC).timestamp() * 1000) - CLAIM_STALE_MS - 1
        with ws.write() as session:  # as an import of SEL's bundle killed after its claim
            session.add(Counter(name=IMPORT_CLAIM + "SEL", value=stale))
        (found,) = repair_on_start(ws)
        assert found == FoundAfterCrash(Found.IMPORT_TAKEN_BACK, "SEL")
        assert "An import of a bundle from SEL was stopped before it finished" in found_text(found)
        with ws.read() as session:
            assert session.get(Counter, IMPORT_CLAIM + "SEL") is None
    finally:
        ws.close()


def test_a_rekey_left_waiting_by_a_window_that_vanished_is_finished_at_sign_in_and_said(
    installation: Paths, open_ws: OpenWs
) -> None:
    serik = open_ws("serik")
    admin = open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting  # Serik's window holds the file
    admin.pending_key = None  # the revoking window killed: nothing finishes it on close
    serik.close()
    admin.close()
    ws = unlock(installation, "serik", PASSWORD)
    try:
        found = repair_on_start(ws)
        assert found == [FoundAfterCrash(Found.REKEY_FINISHED)]
        assert found_text(found[0]).endswith("It was finished at this sign-in.")
    finally:
        ws.close()


def _import_killed_after_its_claim(installation: Paths, source: str) -> None:
    ws = unlock(installation, "admin", PASSWORD)
    try:
        stale = int(datetime.now(UTC).timestamp() * 1000) - CLAIM_STALE_MS - 1
        with ws.write() as session:
            session.add(Counter(name=IMPORT_CLAIM + source, value=stale))
    finally:
        ws.close()


def test_a_command_says_once_on_stderr_what_its_start_put_right_in_the_users_language(
    installation: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An officer or a script using only the command line was never told: the repairs ran
    at the desktop's start alone, and what a sign-in finished was said on its start page."""
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    killed = installation.data_dir / f"{RESTORE_STAGING_PREFIX}killed"  # an older version's
    killed.mkdir()
    (killed / "qorgau.db").write_bytes(b"\0" * 4096)
    for path in (killed / "qorgau.db", killed):
        os.utime(path, (time.time() - STALE_COPY_S - 60,) * 2)
    data = ["--data-dir", str(installation.data_dir)]

    first = run_cli(capsys, *data, "--lang", "ru", "case", "list", "--json")
    assert first.code == 0, first.err
    assert json.loads(first.out)["cases"] == []  # stdout stays what scripts parse
    heading, said = first.err.splitlines()
    assert heading == "В прошлый раз Qorgau остановился, не завершив работу"
    assert said == in_russian(found_text, FoundAfterCrash(Found.RESTORE_COPY_REMOVED, count=1))
    assert not killed.exists()

    again = run_cli(capsys, *data, "case", "list", "--json")
    assert again.code == 0 and again.err == ""  # said once


def in_russian(text: Callable[[FoundAfterCrash], str], found: FoundAfterCrash) -> str:
    set_language("ru")
    try:
        return text(found)
    finally:
        set_language("en")


def test_an_import_a_command_took_back_is_said_even_when_the_command_fails(
    installation: Paths, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``bundle import`` takes back what an import killed half-way wrote before anything else;
    a bundle refused after that (here a damaged file) still says it, before its error line."""
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    _import_killed_after_its_claim(installation, "AST")
    junk = installation.data_dir.parent / "damaged.qbundle"
    junk.write_bytes(b"not a bundle")
    run = run_cli(capsys, "--data-dir", str(installation.data_dir), "bundle", "import", str(junk))
    assert run.code == 1 and run.out == ""
    lines = run.err.splitlines()
    assert lines[0] == "Qorgau was stopped last time before its work was done"
    assert lines[1].startswith("An import of a bundle from AST was stopped before it finished")
    assert lines[-1].startswith("qorgau: ")  # the command's own refusal, as before
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.read() as session:
            assert session.get(Counter, IMPORT_CLAIM + "AST") is None  # taken back
    finally:
        ws.close()


def test_a_rekey_a_command_finished_at_sign_in_is_said_by_the_command(
    installation: Paths, open_ws: OpenWs, capsys: pytest.CaptureFixture[str]
) -> None:
    serik = open_ws("serik")
    admin = open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting  # Serik's window holds the file
    admin.pending_key = None  # the revoking window killed: nothing finishes it on close
    serik.close()
    admin.close()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("QORGAU_USER", "serik")
        env.setenv("QORGAU_PASSWORD", PASSWORD)
        run = run_cli(capsys, "--data-dir", str(installation.data_dir), "case", "list", "--json")
    assert run.code == 0, run.err
    assert run.err.rstrip().endswith("It was finished at this sign-in.")
    assert "It was finished" not in run.out
