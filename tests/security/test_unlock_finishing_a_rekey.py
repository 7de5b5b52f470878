""" "Unlock on this computer" that finishes a recovery's re-key cut short keeps working.

A recovery killed after its commit leaves the re-key for the next sign-in
(``recovery.finish_cut_short``). Made by a keyring sign-in, it gave the file a new key and left
that sign-in's keyring entry holding the old one: the next start found the entry opened
nothing, forgot it and asked for the password again.
"""

from __future__ import annotations

from app.config import Paths
from app.db.models import Setting
from app.security.keyring_store import SecretStore
from app.security.keyslots import KeySlotStore
from app.security.rekey import REKEY_DUE_SETTING, key_opens
from app.services.after_crash import Found, FoundAfterCrash, take_found
from app.services.installation import unlock, unlock_with_keyring
from tests.conftest import PASSWORD
from tests.security.test_unlock_after_new_password import _remembered


def recovery_rekey_left_due(paths: Paths) -> None:
    """What a takeover killed after its commit leaves: the re-key marked for the next sign-in."""
    ws = unlock(paths, "admin", PASSWORD)
    try:
        with ws.write() as session:
            session.merge(Setting(key=REKEY_DUE_SETTING, value="recovery"))
    finally:
        ws.close()


def test_the_entry_that_finished_the_rekey_opens_the_file_at_the_next_start(
    installation: Paths,
) -> None:
    store = SecretStore()
    mine = _remembered(installation, "serik", store)
    theirs = _remembered(installation, "admin", store)
    old_key = KeySlotStore(installation.keyslots).unlock("serik", PASSWORD)
    recovery_rekey_left_due(installation)

    ws = unlock_with_keyring(installation, "serik", store)
    assert ws is not None
    try:
        assert take_found(ws) == [FoundAfterCrash(Found.RECOVERY_REKEY_FINISHED)]
    finally:
        ws.close()

    assert not key_opens(installation.db, old_key)  # the re-key was made
    kept = store.get(mine)
    assert kept is not None and key_opens(installation.db, kept[: len(old_key)])
    assert (
        store.get(theirs) is None
    )  # another user's entry held the old key: gone, as on a revocation
    again = unlock_with_keyring(installation, "serik", store)
    assert again is not None  # the next start opens without the password
    again.close()
