"""A revocation's re-key on a disk too full for it (``PRAGMA rekey`` journals every page: about
the database's size). SQLCipher says such a failure as "An error occurred with PRAGMA key or
rekey ...", which reached the administrator in English, with nothing of what had already
changed (the key file) nor of what to do."""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import sqlcipher3

from app.config import Paths
from app.errors import AuthError, StorageFull
from app.i18n import set_language
from app.security import keyslots, rekey
from app.security.keyslots import KeySlotStore
from app.security.private_files import storage_error
from app.security.rekey import key_opens
from app.services.after_crash import Found, FoundAfterCrash, found_text, take_found
from app.services.audit_log import AuditLogService
from app.services.cases import CaseService
from app.services.installation import unlock
from app.services.records import PersonInput
from app.services.users import UserService
from tests.builders import wage_case
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


def key_file_full_from_write(monkeypatch: pytest.MonkeyPatch, first_failing: int) -> None:
    """The key file's writes meet a full disk from the ``first_failing``-th on (1: the first):
    a WAL reuses the room it has, so the database's own commit before them went through."""
    real_replace: Callable[..., None] = keyslots.replace_privately
    writes = iter(range(1, 1_000))

    def replace(path: Path, text: str, prefix: str) -> None:
        if next(writes) >= first_failing:
            raise storage_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        real_replace(path, text, prefix)

    monkeypatch.setattr(keyslots, "replace_privately", replace)


def test_a_revocation_whose_key_file_meets_a_full_disk_says_so_and_the_next_sign_in_shuts_her_out(
    installation: Paths, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account is deactivated first (committed), then the key file is written. A full
    disk there said "nothing was changed" while the account was already deactivated, left the
    file under the key she held and her slot in the key file, for good: the account, no longer
    active, could not be revoked again, and nothing else changed the key."""
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    admin = open_ws("admin")
    case = wage_case(admin, PersonInput(surname="Сәрсенбаев", given_names="Нұрлан"))
    number = CaseService(admin).assign(case.id, "aigul").number
    key_file_full_from_write(monkeypatch, 1)
    with pytest.raises(StorageFull) as refused:
        UserService(admin).revoke("aigul")
    message = str(refused.value)
    assert "nothing was changed" not in message
    assert message.startswith(
        "aigul can no longer sign in to Qorgau: the account is deactivated. But the disk "
        "holding Qorgau's data is full, so the database key was not changed: until it is, the "
        "key aigul held still opens the database file. Nothing was lost."
    )
    assert "sign in again: the sign-in changes the key." in message
    assert "Replace it with 'qorgau keys rotate'" in message  # the signing key, not replaced
    assert "1 open case of aigul is now assigned to nobody" in message  # done all the same
    # What the message says is so.
    assert "aigul" in KeySlotStore(installation.keyslots).usernames()
    assert key_opens(installation.db, her_old_key)
    with pytest.raises(AuthError):
        unlock(installation, "aigul", PASSWORD)
    admin.close()

    monkeypatch.undo()  # room made: the next sign-in (anyone's) changes the key
    serik = unlock(installation, "serik", PASSWORD)
    try:
        (found,) = take_found(serik)
        assert found == FoundAfterCrash(Found.REVOCATION_FINISHED, "aigul", count=1)
        assert found_text(found).startswith("The revocation of aigul had not finished")
        assert CaseService(serik).get_by_number(number).number == number  # nothing lost
        assert AuditLogService(serik).verify().problems == []
    finally:
        serik.close()
    assert not key_opens(installation.db, her_old_key)
    assert "aigul" not in KeySlotStore(installation.keyslots).usernames()
    with pytest.raises(AuthError):
        unlock(installation, "aigul", PASSWORD)
    unlock(installation, "serik", PASSWORD).close()  # done once: said once
    ws = unlock(installation, "admin", PASSWORD)
    try:
        assert take_found(ws) == []
    finally:
        ws.close()


def test_a_revocation_whose_last_key_file_write_meets_a_full_disk_says_the_key_changed(
    installation: Paths, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file was re-keyed; recording the new key as current in the key file failed."""
    her_old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    admin = open_ws("admin")
    key_file_full_from_write(monkeypatch, 2)
    with pytest.raises(StorageFull) as refused:
        UserService(admin).revoke("aigul")
    message = str(refused.value)
    assert "nothing was changed" not in message
    assert message.startswith(
        "aigul can no longer sign in to Qorgau, and the key they held opens nothing current: "
        "the database has a new key. The disk holding Qorgau's data is full"
    )
    assert not key_opens(installation.db, her_old_key)
    admin.close()
    monkeypatch.undo()
    unlock(installation, "serik", PASSWORD).close()  # records the new key as current
    assert KeySlotStore(installation.keyslots).state().rekey_to is None
