"""What a start finds left by Qorgau stopped half-way and puts right is said once, in the
reader's language: the repairs ran silently, and someone who had seen Qorgau vanish mid-import
did not know whether it had counted."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.config import Paths
from app.db.models import Counter
from app.services.after_crash import Found, FoundAfterCrash, found_text, repair_on_start
from app.services.backup import RESTORE_STAGING_PREFIX, create_backup
from app.services.exchange import CLAIM_STALE_MS, IMPORT_CLAIM
from app.services.installation import unlock
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.integration.cli_helpers import run_python
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
