"""A lock held for ever (a stopped process, a planted holder) never hangs a sign-in.

The sign-in attempts' lock and ``rekey.lock`` are waited for a bounded time, as the key
file's lock is; then the sign-in is refused in words, nothing tried, nothing changed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.config import Paths
from app.errors import DatabaseBusy
from app.security import login_guard, rekey
from app.security.keyslots import KeySlotStore
from app.security.login_guard import LoginGuard
from app.security.private_files import exclusive_lock
from app.security.rekey import key_opens
from app.services.installation import unlock
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs, snapshot
from tests.security.folder import folder_bytes

WAIT_S = 0.3


@contextmanager
def held(lock: Path) -> Iterator[None]:
    """The lock taken and kept, as by another process that stopped while holding it (an OS
    file lock of another open file conflicts within one process too)."""
    with exclusive_lock(lock, 0.0, lambda: AssertionError("the lock was free")):
        yield


def test_a_held_attempts_lock_refuses_the_sign_in_in_words(
    installation: Paths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(login_guard, "LOCK_WAIT_S", WAIT_S)
    lock = LoginGuard(installation.data_dir).lock_path
    with held(lock):
        before = snapshot(installation.data_dir)
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match="recording a sign-in attempt") as refused:
            unlock(installation, "aigul", "a wrong password")
        assert time.monotonic() - started < WAIT_S + 5
    assert snapshot(installation.data_dir) == before  # not even the attempt was counted
    assert "nothing was tried" in str(refused.value)
    assert LoginGuard(installation.data_dir).failures("aigul") == 0
    unlock(installation, "aigul", PASSWORD).close()  # once it is let go


def test_a_held_rekey_lock_refuses_the_sign_in_that_would_finish_a_waiting_rekey(
    installation: Paths, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Aigul's revocation waited for Serik's window; the next sign-in finishes the re-key
    under ``rekey.lock``. A holder that never lets go refused nothing before: it hung."""
    monkeypatch.setattr(rekey, "REKEY_LOCK_WAIT_S", WAIT_S)
    her_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik = open_ws("serik")
    admin = open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting
    admin.pending_key = None  # this window leaves the re-key to the next sign-in
    admin.close()
    serik.close()
    lock = installation.keyslots.with_name(rekey.REKEY_LOCK_FILENAME)
    with held(lock):
        before = folder_bytes(installation.data_dir)
        with pytest.raises(DatabaseBusy, match="changing the database key") as refused:
            unlock(installation, "serik", PASSWORD)
        assert folder_bytes(installation.data_dir) == before
    assert "nothing was changed" in str(refused.value)
    assert KeySlotStore(installation.keyslots).state().rekey_to is not None
    unlock(installation, "serik", PASSWORD).close()  # let go: the sign-in finishes it
    assert KeySlotStore(installation.keyslots).state().rekey_to is None
    assert not key_opens(installation.db, her_key)


def test_a_revocation_behind_a_held_rekey_lock_waits_instead_of_hanging(
    installation: Paths, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rekey, "REKEY_LOCK_WAIT_S", WAIT_S)
    her_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    admin = open_ws("admin")
    with held(installation.keyslots.with_name(rekey.REKEY_LOCK_FILENAME)):
        result = UserService(admin).revoke("aigul")
    assert result.rekey_waiting  # said to the administrator; her slot is gone already
    assert not KeySlotStore(installation.keyslots).has_slot("aigul")
    admin.close()  # the lock let go: closing finishes the re-key
    assert not key_opens(installation.db, her_key)
