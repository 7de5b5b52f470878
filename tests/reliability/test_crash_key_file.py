"""A new password or a new account killed between the key file and the database.

The key file and the database cannot commit together. A new password's slot was written over
the old one before the transaction that gives the account its new signing key committed;
killed in between, the password opened the file but the history knew another key: the
officer's signatures were judged forged (the users an administrator added after it could not
sign in) and ``audit verify`` said the log was tampered with. A new account's slot, likewise,
stayed in the key file without an account. The new slot is now staged beside the old one and
the next sign-in settles it by the history, and says so once.
"""

from __future__ import annotations

import pytest

from app.config import Paths
from app.errors import AuthError
from app.security.keyslots import KeySlotStore
from app.services.after_crash import Found, FoundAfterCrash, take_found
from app.services.audit_log import AuditLogService
from app.services.installation import unlock
from app.services.users import UserService
from tests.conftest import PASSWORD
from tests.integration.cli_helpers import run_python
from tests.reliability.harness import open_checked

NEW_PASSWORD = "a much newer secret 1"

# A child process whose power is cut just before or after a step of the key file
# (argv[2] "before:stage_slot"), then the script's own lines after it.
DIES_AT_KEY_FILE_STEP = """
import os, signal, sys
os.environ["QORGAU_KDF_PROFILE"] = "test"
from pathlib import Path
from app.config import Paths
from app.security.keyslots import KeySlotStore
when, name = sys.argv[2].split(":")
step = getattr(KeySlotStore, name)
def dies(self, *args, **kwargs):
    if when == "after":
        step(self, *args, **kwargs)
    os.kill(os.getpid(), signal.SIGKILL)
setattr(KeySlotStore, name, dies)
"""
_KILLED = (
    DIES_AT_KEY_FILE_STEP
    + """
from app.services.installation import unlock
from app.services.users import UserService
ws = unlock(Paths(Path(sys.argv[1])), "admin", sys.argv[3])
users = UserService(ws)
if sys.argv[4] == "add":
    users.add("dana", "attache", sys.argv[5])
else:
    users.change_password(sys.argv[4], sys.argv[5])
"""
)


# The two moments: the new slot staged, the database not committed; committed, the slot
# not confirmed.
STAGED = "after:stage_slot"
COMMITTED = "before:confirm_staged"


def kill_at(paths: Paths, step: str, who: str) -> None:
    """``who``'s new password (or "add": a new account, dana), killed at ``step``."""
    child = run_python(["-c", _KILLED, str(paths.data_dir), step, PASSWORD, who, NEW_PASSWORD])
    assert child.code == -9, child.err


def audit_clean(paths: Paths) -> None:
    """The file is sound and ``audit verify`` finds nothing (the consul reads it)."""
    ws = open_checked(paths, "serik")
    try:
        check = AuditLogService(ws).verify()
        assert check.ok, [str(p) for p in check.problems]
    finally:
        ws.close()


def test_a_password_change_killed_before_the_database_recorded_it_keeps_the_old_password(
    installation: Paths,
) -> None:
    kill_at(installation, STAGED, "admin")
    assert KeySlotStore(installation.keyslots).staged()  # the crash's leftover

    with pytest.raises(AuthError, match="sign in with your previous password"):
        unlock(installation, "admin", NEW_PASSWORD)
    ws = unlock(installation, "admin", PASSWORD)  # settled at the first sign-in, said once
    try:
        assert take_found(ws) == []
        UserService(ws).add("bolat", "attache", PASSWORD)  # her signature counts again
    finally:
        ws.close()
    unlock(installation, "bolat", PASSWORD).close()
    assert KeySlotStore(installation.keyslots).staged() == {}
    audit_clean(installation)


def test_the_one_who_settles_it_is_told_once(installation: Paths) -> None:
    kill_at(installation, STAGED, "aigul")
    ws = unlock(installation, "serik", PASSWORD)  # anyone's sign-in settles it
    try:
        assert take_found(ws) == [FoundAfterCrash(Found.NEW_SLOT_DROPPED, "aigul")]
    finally:
        ws.close()
    ws = unlock(installation, "aigul", PASSWORD)
    try:
        assert take_found(ws) == []  # said once
    finally:
        ws.close()
    with pytest.raises(AuthError, match="Wrong user name or password"):
        unlock(installation, "aigul", NEW_PASSWORD)
    audit_clean(installation)


def test_a_password_change_killed_after_the_database_recorded_it_keeps_the_new_password(
    installation: Paths,
) -> None:
    kill_at(installation, COMMITTED, "admin")
    with pytest.raises(AuthError, match="sign in with the new password"):
        unlock(installation, "admin", PASSWORD)
    ws = unlock(installation, "admin", NEW_PASSWORD)
    try:
        assert take_found(ws) == []  # the refused sign-in settled it and was told why
        UserService(ws).add("bolat", "attache", PASSWORD)
    finally:
        ws.close()
    unlock(installation, "bolat", PASSWORD).close()
    with pytest.raises(AuthError, match="Wrong user name or password"):
        unlock(installation, "admin", PASSWORD)
    audit_clean(installation)


def test_an_account_killed_before_the_database_recorded_it_leaves_no_slot(
    installation: Paths,
) -> None:
    """The slot of an account never recorded held the database key: nobody could revoke it."""
    kill_at(installation, STAGED, "add")
    ws = unlock(installation, "admin", PASSWORD)
    try:
        assert take_found(ws) == [FoundAfterCrash(Found.NEW_SLOT_DROPPED, "dana")]
        assert "dana" not in KeySlotStore(installation.keyslots).usernames()
        assert KeySlotStore(installation.keyslots).staged() == {}
        UserService(ws).add("dana", "attache", NEW_PASSWORD)  # added again, as she is told
    finally:
        ws.close()
    unlock(installation, "dana", NEW_PASSWORD).close()
    audit_clean(installation)


def test_an_account_killed_after_the_database_recorded_it_can_sign_in(
    installation: Paths,
) -> None:
    kill_at(installation, COMMITTED, "add")
    ws = unlock(installation, "dana", NEW_PASSWORD)  # her staged slot opens; it is kept
    try:
        assert take_found(ws) == [FoundAfterCrash(Found.NEW_SLOT_KEPT, "dana")]
    finally:
        ws.close()
    assert "dana" in KeySlotStore(installation.keyslots).usernames()
    audit_clean(installation)
