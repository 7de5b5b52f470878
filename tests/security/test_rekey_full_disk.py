"""A revocation's re-key on a disk too full for it (``PRAGMA rekey`` journals every page: about
the database's size). SQLCipher says such a failure as "An error occurred with PRAGMA key or
rekey ...", which reached the administrator in English, with nothing of what had already
changed (the key file) nor of what to do."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlcipher3

from app.config import Paths
from app.errors import StorageFull
from app.i18n import set_language
from app.security import rekey
from app.security.keyslots import KeySlotStore
from app.security.rekey import key_opens
from app.services.installation import unlock
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs

SQLCIPHER_REKEY_FAILED = (
    "An error occurred with PRAGMA key or rekey. PRAGMA key requires a key of one or more "
    "characters. PRAGMA rekey can only be run on an existing encrypted database."
)


class Usage(NamedTuple):
    total: int
    used: int
    free: int


class _FullDiskConnection:
    """A connection whose ``PRAGMA rekey`` fails as SQLCipher's does on a full disk."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> Any:
        if sql.startswith("PRAGMA rekey"):
            error = sqlcipher3.OperationalError(SQLCIPHER_REKEY_FAILED)
            error.sqlite_errorcode = 1  # SQLITE_ERROR: SQLCipher keeps no SQLITE_FULL
            raise error
        return self._conn.execute(sql, *args)

    def close(self) -> None:
        self._conn.close()


def fill_the_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    real_open: Callable[..., Any] = rekey.open_raw
    monkeypatch.setattr(rekey, "open_raw", lambda *a: _FullDiskConnection(real_open(*a)))
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: Usage(2**30, 2**30 - 2**16, 2**16))


def test_a_revocation_on_a_full_disk_says_what_changed_and_the_next_sign_in_finishes_it(
    installation: Paths, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    admin = open_ws("admin")
    fill_the_disk(monkeypatch)
    with pytest.raises(StorageFull) as refused:
        UserService(admin).revoke("aigul")
    message = str(refused.value)
    assert "PRAGMA" not in message
    assert message.startswith(
        f"There is not enough free space on the disk of {installation.data_dir} to change "
        "the database key: it needs about "
    )
    assert "and 64 KB is free. Nothing was lost: the database keeps its previous key" in message
    assert "sign in again: the sign-in finishes the change." in message
    # What the message says is so: the key file moved on, the file kept its key.
    slots = KeySlotStore(installation.keyslots)
    assert slots.state().rekey_to is not None and "aigul" not in slots.usernames()
    assert key_opens(installation.db, her_old_key)
    admin.close()

    set_language("kk")  # a sign-in meanwhile says the same, in the reader's language
    try:
        with pytest.raises(StorageFull) as at_sign_in:
            unlock(installation, "serik", PASSWORD)
    finally:
        set_language("en")
    assert "PRAGMA" not in str(at_sign_in.value)
    assert str(installation.data_dir) in str(at_sign_in.value)

    monkeypatch.undo()  # room made: the next sign-in finishes the re-key
    unlock(installation, "serik", PASSWORD).close()
    assert KeySlotStore(installation.keyslots).state().rekey_to is None
    assert not key_opens(installation.db, her_old_key)


def test_a_failed_rekey_with_room_on_the_disk_is_not_said_as_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, installation: Paths
) -> None:
    real_open: Callable[..., Any] = rekey.open_raw
    monkeypatch.setattr(rekey, "open_raw", lambda *a: _FullDiskConnection(real_open(*a)))
    key = KeySlotStore(installation.keyslots).unlock("admin", PASSWORD)
    with pytest.raises(Exception) as failed:
        rekey.rekey_database(installation.db, key, b"\x01" * 32)
    assert not isinstance(failed.value, StorageFull)
    assert key_opens(installation.db, key)
