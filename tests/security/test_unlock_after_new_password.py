""" "Unlock on this computer" after the account's password was replaced.

A recovery that takes an account over, or an administrator's reset, replaces the account's
password: whoever knew the old one (and kept its "unlock on this computer" entry in a keyring,
perhaps in another OS account that the reset cannot reach) must not get in with that entry.
The entry is bound to the key pair of the password it was kept for; a new password makes a
new pair, and the old entry opens nothing (and is forgotten).
"""

from __future__ import annotations

import keyring
import pytest

from app.config import Paths
from app.security.keyring_store import SecretStore, unlock_entry_name
from app.security.keyslots import KeySlotStore
from app.services.installation import (
    remember_unlock,
    unlock,
    unlock_with_keyring,
)
from app.services.recovery import recover
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.integration.cli_helpers import run_cli
from tests.security.folder import folder_bytes

NEW_PASSWORD = "a brand new password"


def _remembered(paths: Paths, username: str, store: SecretStore) -> str:
    """``username`` signs in and ticks "Unlock on this computer"; the entry's name."""
    ws = unlock(paths, username, PASSWORD)
    try:
        assert remember_unlock(ws, store)
        return unlock_entry_name(ws.database_id, username)
    finally:
        ws.close()


def _refused_unchanged(paths: Paths, username: str, store: SecretStore, entry: str) -> None:
    before = folder_bytes(paths.data_dir)
    assert unlock_with_keyring(paths, username, store) is None
    assert store.get(entry) is None  # the stale entry is forgotten
    assert folder_bytes(paths.data_dir) == before


def test_a_takeover_by_recovery_shuts_out_the_old_passwords_keyring_entry(
    mission: tuple[Paths, str],
) -> None:
    """The attack: Aigul kept "unlock on this computer" in her OS account's keyring; the
    mission took her account over with the recovery key (her password had leaked). Her entry
    used to open the account, now an administrator's."""
    paths, recovery_key = mission
    her_keyring = SecretStore(keyring.get_keyring())
    entry = _remembered(paths, "aigul", her_keyring)
    # The recovery runs in another OS account: it does not see her keyring.
    assert recover(paths, recovery_key, "aigul", NEW_PASSWORD).took_over
    _refused_unchanged(paths, "aigul", her_keyring, entry)
    unlock(paths, "aigul", NEW_PASSWORD).close()  # the new password opens it


def test_the_recover_command_forgets_the_accounts_entry_on_this_computer(
    mission: tuple[Paths, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    paths, recovery_key = mission
    store = SecretStore(keyring.get_keyring())
    entry = _remembered(paths, "aigul", store)
    monkeypatch.setenv("QORGAU_RECOVERY_KEY", recovery_key)
    monkeypatch.setenv("QORGAU_NEW_PASSWORD", NEW_PASSWORD)
    taken = run_cli(capsys, "--data-dir", str(paths.data_dir), "recover", "--new-admin", "aigul")
    assert taken.code == 0, taken.err
    assert store.get(entry) is None  # the database key no longer sits in the keyring


def test_an_administrators_reset_shuts_out_the_old_passwords_keyring_entry(
    installation: Paths, open_ws: OpenWs
) -> None:
    """The same attack through a reset in another window (or OS account): the entry kept for
    Aigul's old password opens nothing; the reset in this window deletes the one kept here."""
    elsewhere = SecretStore(keyring.get_keyring())
    entry = _remembered(installation, "aigul", elsewhere)
    UserService(open_ws("admin")).change_password("aigul", NEW_PASSWORD)
    _refused_unchanged(installation, "aigul", elsewhere, entry)

    here = SecretStore(keyring.get_keyring())
    entry = _remembered(installation, "serik", here)
    UserService(open_ws("admin"), here).change_password("serik", NEW_PASSWORD)
    assert here.get(entry) is None


def test_ones_own_new_password_keeps_unlock_on_this_computer(
    installation: Paths, open_ws: OpenWs
) -> None:
    store = SecretStore(keyring.get_keyring())
    entry = _remembered(installation, "serik", store)
    UserService(open_ws("serik"), store).change_password("serik", NEW_PASSWORD)
    assert store.get(entry) is not None
    again = unlock_with_keyring(installation, "serik", store)
    assert again is not None and again.actor.username == "serik"
    again.close()


def test_an_entry_kept_by_an_earlier_version_is_forgotten(installation: Paths) -> None:
    """Before, the entry held the database key alone: it cannot tell which password it was
    kept for, so it is asked for once more."""
    store = SecretStore(keyring.get_keyring())
    ws = unlock(installation, "aigul", PASSWORD)
    entry = unlock_entry_name(ws.database_id, "aigul")
    store.set(entry, ws.db.key)
    ws.close()
    assert KeySlotStore(installation.keyslots).public_key("aigul") is not None
    _refused_unchanged(installation, "aigul", store, entry)
