"""A password reset by an administrator, and a recovery's takeover of an account, end what
the old password opened: the database is re-keyed, as at a revocation.

Whoever knew the old password held the database key itself (her slot in a copy of the key
file opens with it, and "unlock on this computer" keeps the key in the OS keyring). A new slot
for the account does not take that key back; only a new database key does.
"""

from __future__ import annotations

import keyring
import pytest

from app.config import Paths
from app.errors import AuthError, DatabaseError
from app.security.keyring_store import SecretStore, unlock_entry_name
from app.security.keyslots import KeySlotStore
from app.security.rekey import key_opens
from app.services.installation import remember_unlock, unlock
from app.services.recovery import recover, recovered_message
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.security.folder import cli_as, folder_bytes

NEW_PASSWORD = "a brand new password"


def _refused_with_her_old_copy(paths: Paths, copy: bytes, username: str) -> None:
    """Her key file from before put back, her old password typed: nothing opens, and the
    data folder (but for the copy she put there) is unchanged."""
    paths.keyslots.write_bytes(copy)
    before = folder_bytes(paths.data_dir)
    with pytest.raises((AuthError, DatabaseError)):
        unlock(paths, username, PASSWORD)
    assert folder_bytes(paths.data_dir) == before


def test_a_reset_password_and_a_copy_of_the_old_key_file_open_nothing(
    installation: Paths, open_ws: OpenWs
) -> None:
    """Someone learnt Aigul's password and copied the data folder's key file; the
    administrator resets her password. The old password's key opens nothing afterwards."""
    copy = installation.keyslots.read_bytes()
    old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    admin = open_ws("admin")
    rekeyed = UserService(admin).change_password("aigul", NEW_PASSWORD)
    assert rekeyed is not None and rekeyed.waiting is None
    admin.close()
    assert not key_opens(installation.db, old_key)  # straight at the file with sqlcipher
    current = installation.keyslots.read_bytes()
    for user, password in (("aigul", NEW_PASSWORD), ("serik", PASSWORD), ("admin", PASSWORD)):
        unlock(installation, user, password).close()  # everyone else, without their passwords
    _refused_with_her_old_copy(installation, copy, "aigul")
    installation.keyslots.write_bytes(current)


def test_a_reset_password_leaves_her_keyring_key_opening_nothing(
    installation: Paths, open_ws: OpenWs
) -> None:
    """Aigul's "unlock on this computer" entry lives in her own OS account's keyring: the
    reset cannot delete it there, but the key it holds opens nothing afterwards."""
    store = SecretStore(keyring.get_keyring())
    aigul = open_ws("aigul")
    assert remember_unlock(aigul, store)
    kept = store.get(unlock_entry_name(aigul.database_id, "aigul"))
    aigul.close()
    admin = open_ws("admin")
    UserService(admin).change_password("aigul", NEW_PASSWORD)  # a store it does not see
    admin.close()
    assert kept is not None and not key_opens(installation.db, kept[:32])


def test_changing_ones_own_password_keeps_the_key(installation: Paths, open_ws: OpenWs) -> None:
    """No access ends: re-encrypting the whole file is left to a reset (documented)."""
    key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    aigul = open_ws("aigul")
    assert UserService(aigul).change_password("aigul", NEW_PASSWORD) is None
    aigul.close()
    assert key_opens(installation.db, key)


def test_a_reset_while_another_window_is_open_retires_the_key_when_it_closes(
    installation: Paths, open_ws: OpenWs
) -> None:
    copy = installation.keyslots.read_bytes()
    old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik = open_ws("serik")
    admin = open_ws("admin")
    rekeyed = UserService(admin).change_password("aigul", NEW_PASSWORD)
    assert rekeyed is not None and rekeyed.waiting is not None
    with pytest.raises(AuthError):
        unlock(installation, "aigul", PASSWORD)  # her old password opens no slot already
    serik.close()
    admin.close()  # the last window, knowing the new key, finishes the re-key
    assert KeySlotStore(installation.keyslots).state().rekey_to is None
    assert not key_opens(installation.db, old_key)
    unlock(installation, "aigul", NEW_PASSWORD).close()
    _refused_with_her_old_copy(installation, copy, "aigul")


def test_the_cli_reset_says_when_the_old_key_waits_for_other_windows(
    installation: Paths,
    open_ws: OpenWs,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik = open_ws("serik")
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", NEW_PASSWORD)
    run = cli_as(
        capsys, monkeypatch, installation.data_dir, "admin", PASSWORD, "user", "passwd", "aigul"
    )
    assert run.code == 0, run.err
    assert "Password of aigul changed." in run.out
    assert "keeps its old key until the other Qorgau windows" in run.out
    serik.close()
    unlock(installation, "serik", PASSWORD).close()  # the next sign-in finishes it
    assert not key_opens(installation.db, old_key)


def test_a_recovery_takeover_leaves_the_old_password_opening_nothing(
    mission: tuple[Paths, str],
) -> None:
    """The recovery key takes over Aigul's account: her old password, with her copy of the
    key file from before, and her keyring key opened the file until the next revocation."""
    paths, recovery_key = mission
    copy = paths.keyslots.read_bytes()
    old_key = KeySlotStore(paths.keyslots).unlock("aigul", PASSWORD)
    result = recover(paths, recovery_key, "aigul", NEW_PASSWORD)
    assert result.took_over
    assert KeySlotStore(paths.keyslots).state().rekey_to is None
    assert not key_opens(paths.db, old_key)
    unlock(paths, "aigul", NEW_PASSWORD).close()
    unlock(paths, "admin", PASSWORD).close()  # the others' sealed keys reach them
    _refused_with_her_old_copy(paths, copy, "aigul")


def test_a_recovery_that_makes_a_new_administrator_keeps_the_key(
    mission: tuple[Paths, str],
) -> None:
    """No access ends when a new account is made: the file keeps its key."""
    paths, recovery_key = mission
    key = KeySlotStore(paths.keyslots).unlock("aigul", PASSWORD)
    assert not recover(paths, recovery_key, "dana", NEW_PASSWORD).took_over
    assert key_opens(paths.db, key)


def test_a_takeover_while_another_window_is_open_says_the_old_key_waits(
    mission: tuple[Paths, str],
) -> None:
    paths, recovery_key = mission
    old_key = KeySlotStore(paths.keyslots).unlock("aigul", PASSWORD)
    other = unlock(paths, "admin", PASSWORD)
    try:
        result = recover(paths, recovery_key, "aigul", NEW_PASSWORD)
    finally:
        other.close()
    assert result.took_over and result.rekey_waiting
    assert "keeps its old key until the other Qorgau windows" in recovered_message(result)
    with pytest.raises(AuthError):
        unlock(paths, "aigul", PASSWORD)  # her old password opens no slot already
    unlock(paths, "aigul", NEW_PASSWORD).close()  # the next sign-in finishes the re-key
    assert not key_opens(paths.db, old_key)
