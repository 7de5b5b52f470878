"""The first-run setup (``init``) killed half-way.

Its recovery slot is written straight into the key file, not staged as a rotation's is: the
one transaction that writes the mission, the administrator and the audit log's first entry
also records the slot's signing key, so there is never a history that lacks it (killed before
that commit there is no history at all; after it, the key is on record). What a kill before
the commit did leave was a folder nobody could use: sign-in said to run ``init`` first, and
``init`` that an installation already existed. The same administrator's ``init`` now starts
again over it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import Paths
from app.errors import DatabaseError
from app.security.keyring_store import SecretStore
from app.services.after_crash import Found, FoundAfterCrash, found_text, repair_on_start
from app.services.audit_log import AuditLogService
from app.services.installation import (
    MissionSetup,
    init_installation,
    remember_unlock,
    unlock,
    unlock_with_keyring,
)
from app.services.recovery import RecoveryService, recover
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_cli, run_python
from tests.reliability.test_crash_key_file import NEW_PASSWORD

# ``init`` whose power is cut just before or after a step (argv[2] "after:set_slot"): a
# method of the key file's, or a function of the installation module.
_INIT_KILLED = """
import os, signal, sys
os.environ["QORGAU_KDF_PROFILE"] = "test"
from pathlib import Path
from app.config import Paths
from app.security.keyslots import KeySlotStore
from app.services import installation
when, name = sys.argv[2].split(":")
owner = KeySlotStore if hasattr(KeySlotStore, name) else installation
step = getattr(owner, name)
def dies(*args, **kwargs):
    if when == "after":
        step(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
setattr(owner, name, dies)
setup = installation.MissionSetup(code="SEL", country="KR", city="Seoul")
installation.init_installation(Paths(Path(sys.argv[1])), setup, "admin", sys.argv[3])
"""
SETUP = MissionSetup(code="SEL", country="KR", city="Seoul")


def init_killed_at(paths: Paths, step: str) -> None:
    child = run_python(["-c", _INIT_KILLED, str(paths.data_dir), step, PASSWORD])
    assert child.code == -9, child.err


def audit_verified(paths: Paths) -> None:
    """``audit verify`` finds nothing, and the recovery slot's key is on record."""
    ws = unlock(paths, "admin", PASSWORD)
    try:
        check = AuditLogService(ws).verify()
        assert check.ok, [str(p) for p in check.problems]
        assert RecoveryService(ws).unsigned_slots_note() == ""
    finally:
        ws.close()


@pytest.mark.parametrize(
    "step",
    [
        "after:create",  # the key file with the administrator's slot only
        "after:set_slot",  # and the recovery slot
        "before:_create_mission",  # and the database's schema, but no mission
    ],
)
def test_a_setup_killed_before_its_mission_is_written_is_made_again_by_init(
    tmp_path: Path, step: str
) -> None:
    paths = Paths(tmp_path / "data")
    init_killed_at(paths, step)
    assert paths.keyslots.exists()  # the crash's leftover
    # There is no installation to sign in to, and the sign-in says what to do.
    said = "init' first" if not paths.db.exists() else "Set it up again .qorgau init."
    with pytest.raises(DatabaseError, match=said):
        unlock(paths, "admin", PASSWORD)

    recovery_key = init_installation(paths, SETUP, "admin", PASSWORD)
    audit_verified(paths)
    assert recover(paths, recovery_key, "dana", NEW_PASSWORD).username == "dana"


def test_only_the_same_administrator_starts_a_killed_setup_again(tmp_path: Path) -> None:
    """Anyone else's ``init`` is refused, the files untouched: a key file is never thrown out
    on a guess (its database may have been moved away)."""
    paths = Paths(tmp_path / "data")
    init_killed_at(paths, "after:set_slot")
    key_file = paths.keyslots.read_bytes()
    for admin, password in (("admin", NEW_PASSWORD), ("dana", PASSWORD)):
        with pytest.raises(DatabaseError, match="already exists"):
            init_installation(paths, SETUP, admin, password)
    assert paths.keyslots.read_bytes() == key_file


def test_a_setup_killed_after_its_mission_is_written_has_the_recovery_key_on_record(
    tmp_path: Path,
) -> None:
    paths = Paths(tmp_path / "data")
    init_killed_at(paths, "after:_create_mission")
    audit_verified(paths)
    with pytest.raises(DatabaseError, match="already exists"):
        init_installation(paths, SETUP, "admin", PASSWORD)  # a working installation stays


# ``qorgau init`` whose power is cut after its commit, just before the recovery key is printed.
_INIT_KILLED_BEFORE_THE_KEY = """
import os, signal, sys
os.environ["QORGAU_KDF_PROFILE"] = "test"
os.environ["QORGAU_PASSWORD"] = sys.argv[2]
from app.cli import core
def dies(recovery_key):
    os.kill(os.getpid(), signal.SIGKILL)
core.print_recovery_key = dies
from app.cli import main
main(["--data-dir", sys.argv[1], "init", "--mission-code", "SEL", "--country", "KR",
      "--city", "Seoul", "--admin", "admin"])
"""
UNSEEN = "stopped before its recovery key was shown"


def init_killed_before_the_key_is_printed(paths: Paths) -> None:
    child = run_python(["-c", _INIT_KILLED_BEFORE_THE_KEY, str(paths.data_dir), PASSWORD])
    assert child.code == -9, child.err
    assert "Recovery key" not in child.out  # nobody saw it


def test_a_setup_killed_before_its_recovery_key_was_printed_offers_a_new_one_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = Paths(tmp_path / "data")
    init_killed_before_the_key_is_printed(paths)
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)

    first = run_cli(capsys, "--data-dir", str(paths.data_dir), "case", "list")
    assert first.code == 0, first.err
    assert UNSEEN in first.err and "qorgau recovery rotate" in first.err
    assert "Settings" not in first.err and "below" not in first.err  # the desktop's ways
    again = run_cli(capsys, "--data-dir", str(paths.data_dir), "case", "list")
    assert again.code == 0 and UNSEEN not in again.err  # said once

    # The offer taken: the new key opens the installation, the unseen one nothing.
    ws = unlock(paths, "admin", PASSWORD)
    try:
        recovery_key = RecoveryService(ws).rotate()
    finally:
        ws.close()
    assert recover(paths, recovery_key, "dana", NEW_PASSWORD).username == "dana"
    audit_verified(paths)


def test_the_desktop_start_page_is_handed_it_once(tmp_path: Path) -> None:
    """The start's repairs hand the start page what the sign-in noted."""
    paths = Paths(tmp_path / "data")
    init_killed_before_the_key_is_printed(paths)
    said = []
    for _start in range(2):
        ws = unlock(paths, "admin", PASSWORD)
        try:
            said.append(repair_on_start(ws))
        finally:
            ws.close()
    assert said == [[FoundAfterCrash(Found.RECOVERY_KEY_UNSEEN)], []]
    desktop = found_text(said[0][0])
    assert UNSEEN in desktop and "Make a new recovery key" in desktop
    assert "qorgau" not in desktop  # a command is the command line's way


@pytest.mark.parametrize(
    "what",
    [Found.RECOVERY_KEY_UNSEEN, Found.RECOVERY_KEY_DROPPED, Found.RECOVERY_KEY_UNCHANGED],
)
def test_each_surface_names_its_own_way_to_a_new_recovery_key(what: Found) -> None:
    """A command told to use Settings, the desktop told to run a command: each says its own."""
    command_line = found_text(FoundAfterCrash(what), on_command_line=True)
    desktop = found_text(FoundAfterCrash(what))
    assert "qorgau recovery rotate --sheet FILE.pdf" in command_line
    assert "Settings" not in command_line and "below" not in command_line
    assert "qorgau" not in desktop


@pytest.mark.parametrize("what", [Found.ESCROW_DROPPED, Found.RECOVERY_ESCROW_RETIRED])
def test_each_surface_names_its_own_way_to_apply_hqs_escrow_policy(what: Found) -> None:
    command_line = found_text(FoundAfterCrash(what), on_command_line=True)
    desktop = found_text(FoundAfterCrash(what))
    assert "qorgau escrow apply POLICY_FILE" in command_line and "Settings" not in command_line
    assert "Settings (Apply HQ's escrow policy…)" in desktop and "qorgau" not in desktop


def test_unlock_on_this_computer_says_it_once_too(tmp_path: Path) -> None:
    """The fault: a sign-in from the keyring skipped the check, so an administrator who always
    unlocked so was never told that nobody has the recovery key."""
    paths = Paths(tmp_path / "data")
    init_killed_before_the_key_is_printed(paths)
    store = SecretStore()
    ws = unlock(paths, "admin", PASSWORD, showing_recovery_key=True)  # says nothing yet
    try:
        assert ws.after_crash == [] and remember_unlock(ws, store)
    finally:
        ws.close()
    said = []
    for _start in range(2):
        kept = unlock_with_keyring(paths, "admin", store)
        assert kept is not None
        said.append(kept.after_crash)
        kept.close()
    assert said == [[FoundAfterCrash(Found.RECOVERY_KEY_UNSEEN)], []]


def test_a_setup_whose_key_was_printed_says_nothing_at_sign_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = Paths(tmp_path / "data")
    monkeypatch.setenv("QORGAU_USER", "admin")
    monkeypatch.setenv("QORGAU_PASSWORD", PASSWORD)
    data = ("--data-dir", str(paths.data_dir))
    init = (*data, "init", "--mission-code", "SEL", "--country", "KR", "--city", "Seoul")
    made = run_cli(capsys, *init, "--admin", "admin")
    assert made.code == 0 and "Recovery key" in made.out, made.err
    signed_in = run_cli(capsys, *data, "case", "list")
    assert signed_in.code == 0 and UNSEEN not in signed_in.err
