"""A revocation while another Qorgau window (anyone's) has the database open.

``PRAGMA rekey`` needs the only connection to the file. The revocation's first step (the
revoked slot removed, the new key sealed to everyone else) is done at once; the file itself
waits for the other windows to close. Two workspaces on one installation stand for two
processes (the desktop app and the administrator's command line).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Paths
from app.db.models import Case
from app.errors import AuthError, DatabaseError
from app.security.keyslots import KeySlotStore
from app.security.rekey import key_opens
from app.services.cases import CaseService
from app.services.installation import unlock
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.conftest import PASSWORD, OpenWs, count
from tests.integration.cli_helpers import ROOT, Run, run_cli, run_python

NEW_PASSWORD = "a brand new password"


def _waiting(installation: Paths) -> bool:
    return KeySlotStore(installation.keyslots).state().rekey_to is not None


def revoke_beside_open_window(
    open_ws: OpenWs, installation: Paths
) -> tuple[bytes, Workspace, Workspace]:
    """Aigul revoked by the administrator while Serik's window is open, so the re-key waits:
    the key she held, Serik's workspace and the administrator's."""
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik = open_ws("serik")
    admin = open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting
    return her_old_key, serik, admin


def _everyone_signs_in(installation: Paths, users: tuple[str, ...], cases: int) -> None:
    """Each remaining user signs in with their own password and sees every saved case."""
    for name, password in ((u, PASSWORD) for u in users):
        opened = unlock(installation, name, password)
        try:
            assert count(opened, Case) == cases
        finally:
            opened.close()


def test_a_revocation_beside_another_window_waits_and_every_other_user_signs_in(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The fault: with another window open (Serik's, not the revoked officer's), the re-key
    failed: the administrator got an error although Aigul was revoked and her slot removed,
    and every other sign-in then failed too ("cannot be changed while another Qorgau window
    … uses the database") until that window closed. Now the revocation says that the file
    keeps its old key until the other windows close, everyone else signs in meanwhile, and
    the administrator's window finishes the re-key when it closes last."""
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik = open_ws("serik")
    CaseService(serik).create_case(new_case())  # his window at work: its connections open
    admin = open_ws("admin")

    result = UserService(admin).revoke("aigul")

    assert result.rekey_waiting and _waiting(installation)
    with pytest.raises(AuthError):
        unlock(installation, "aigul", PASSWORD)
    astana = open_ws("astana")  # the third sign-in, Serik's window still open
    CaseService(serik).create_case(new_case(), allow_duplicate_person=True)  # saves on
    assert count(astana, Case) == 2
    serik.close()
    astana.close()
    assert key_opens(installation.db, her_old_key)  # the file still waits: said, not hidden
    admin.close()  # the last window, and it knows the new key: the re-key is finished
    assert not _waiting(installation)
    assert not key_opens(installation.db, her_old_key)
    _everyone_signs_in(installation, ("admin", "serik", "astana"), 2)


def test_the_next_sign_in_finishes_a_waiting_rekey_once_the_windows_are_closed(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The fault, as above, with the other window the last to close: it cannot know the new
    key (it signed in before), so the next sign-in finishes the re-key."""
    her_old_key, serik, admin = revoke_beside_open_window(open_ws, installation)
    admin.close()  # Serik's window still holds the file
    assert _waiting(installation)
    serik.close()
    _everyone_signs_in(installation, ("serik",), 0)
    assert not _waiting(installation)
    assert not key_opens(installation.db, her_old_key)
    _everyone_signs_in(installation, ("admin", "astana"), 0)


def test_key_slots_written_while_a_rekey_waits_still_open_the_database_after_it(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The fault: a user added, or a password reset, while the re-key waited got a slot with
    the old key only, which opened nothing once the file was re-keyed. Now a window that
    knows the new key writes it into the slot too; one that does not (it signed in before the
    revocation) refuses in words and changes nothing."""
    serik = open_ws("serik")
    admin = open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting
    UserService(admin).add("dana", "attache", PASSWORD)
    UserService(admin).change_password("astana", NEW_PASSWORD)
    before = installation.keyslots.read_bytes()
    with pytest.raises(DatabaseError, match="still being changed"):
        UserService(serik).change_password("serik", NEW_PASSWORD)
    assert installation.keyslots.read_bytes() == before
    serik.close()
    admin.close()
    assert not _waiting(installation)
    _everyone_signs_in(installation, ("dana", "serik", "admin"), 0)
    unlock(installation, "astana", NEW_PASSWORD).close()


def test_a_second_revocation_while_the_first_waits_retires_both_keys(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The fault: a second revocation while the first re-key waited was refused ("an
    earlier change … was interrupted; sign in again first"), so a second officer could not
    be shut out until the windows closed. Now it supersedes the waiting key: the key Astana
    could have opened meanwhile is never used."""
    serik = open_ws("serik")
    admin = open_ws("admin")
    users = UserService(admin)
    assert users.revoke("aigul").rekey_waiting
    astana_key = KeySlotStore(installation.keyslots).unlock("astana", PASSWORD)  # the new one
    assert users.revoke("astana").rekey_waiting
    serik.close()
    admin.close()
    assert not _waiting(installation)
    assert not key_opens(installation.db, astana_key)
    _everyone_signs_in(installation, ("serik", "admin"), 0)


def test_the_command_line_says_the_rekey_waits_for_the_other_windows(
    installation: Paths,
    open_ws: OpenWs,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The fault: ``qorgau user revoke`` beside an open desktop window failed with "The
    database key cannot be changed…" (exit 1) although the user was revoked. Now it succeeds
    and says what is left to happen."""
    serik = open_ws("serik")
    monkeypatch.setenv("QORGAU_DATA_DIR", str(installation.data_dir))
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    run: Run = run_cli(capsys, "user", "revoke", "aigul")
    assert run.code == 0, run.err
    assert "keeps its old key until it is closed" in run.out
    serik.close()
    _everyone_signs_in(installation, ("admin",), 0)
    assert not _waiting(installation)


def _killed_after_slot_removal(data_dir: Path) -> str:
    """Revoke aigul in a child process that dies (os._exit) right after her slot is removed
    and the new key sealed, before the file is touched."""
    return f"""
import os
os.environ["QORGAU_KDF_PROFILE"] = "test"
from pathlib import Path
from app.config import Paths
from app.security.keyslots import KeySlotStore
from app.services.installation import unlock
from app.services.users import UserService
original = KeySlotStore.begin_rekey
def begin(self, *args):
    original(self, *args)
    os._exit(9)
KeySlotStore.begin_rekey = begin
ws = unlock(Paths(Path({str(data_dir)!r})), "admin", {PASSWORD!r})
UserService(ws).revoke("aigul")
"""


def test_a_revocation_killed_beside_an_open_window_is_finished_when_the_windows_close(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The fault: a revocation killed between the slot removal and the re-key while another
    window was open left every sign-in failing until that window closed (the roll-forward
    needed the file to itself). Now sign-ins go on under the old key, the revoked officer
    stays out, and the first window signed in since finishes the re-key when it closes."""
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik = open_ws("serik")
    CaseService(serik).create_case(new_case())
    child = run_python(
        ["-c", _killed_after_slot_removal(installation.data_dir)], env={"PYTHONPATH": str(ROOT)}
    )
    assert child.code == 9, child.err
    assert _waiting(installation)
    astana = open_ws("astana")  # signs in while Serik's window holds the file
    with pytest.raises(AuthError):
        unlock(installation, "aigul", PASSWORD)
    serik.close()
    astana.close()  # the last window, and it knows the new key
    assert not _waiting(installation)
    assert not key_opens(installation.db, her_old_key)
    _everyone_signs_in(installation, ("admin", "serik", "astana"), 1)
    admin = open_ws("admin")
    assert {u.username: u.active for u in UserService(admin).list()}["aigul"] is False
