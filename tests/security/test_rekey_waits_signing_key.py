"""The signing key a revocation makes, while its re-key waits for other windows.

The file keeps the old key until the windows close, and the revoked officer held that key.
The new private key used to be written plain at once: with a copy of the file she read it
and could sign bundles HQ would accept once it trusted the new key. It is now sealed under
the waiting key until the re-key gives the file that key.
"""

from __future__ import annotations

import base64
from pathlib import Path

import keyring
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlalchemy import select

from app.config import Paths
from app.db.models import LocalSecret
from app.db.raw import open_raw
from app.errors import DatabaseError
from app.security.keyring_store import SecretStore
from app.security.keyslots import KeySlotStore, new_database_key
from app.security.rekey import key_opens
from app.security.waiting_secret import seal
from app.services.backup import create_backup, restore_backup
from app.services.installation import AGE_IDENTITY, SIGNING_KEY, unlock
from app.services.keys import KeyService, private_key
from app.services.users import UserService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD, OpenWs

NEW_PASSWORD = "a brand new password"


def _row_under(db: Path, key: bytes) -> bytes:
    """The signing key's row as anyone holding ``key`` reads it, straight with sqlcipher."""
    conn = open_raw(db, key)
    try:
        row = conn.execute("SELECT value FROM local_secret WHERE name = ?", (SIGNING_KEY,))
        return bytes(row.fetchone()[0])
    finally:
        conn.close()


def _public_of(pem: bytes) -> str:
    private = load_pem_private_key(pem, password=None)
    assert isinstance(private, Ed25519PrivateKey)
    return base64.b64encode(private.public_key().public_bytes_raw()).decode("ascii")


def _signing_key(ws: Workspace) -> bytes | None:
    with ws.read() as session:
        return private_key(ws, session, SIGNING_KEY, SecretStore(keyring.get_keyring()))


def test_the_revoked_officers_old_key_does_not_read_the_new_signing_key_while_the_rekey_waits(
    installation: Paths, open_ws: OpenWs
) -> None:
    her_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik = open_ws("serik")  # signed in before: the re-key waits for his window
    admin = open_ws("admin")
    result = UserService(admin).revoke("aigul")
    assert result.rekey_waiting and result.key_rotation is not None
    new_public = result.key_rotation.new_key

    # Her attack: the file copied meanwhile, opened with the key she held.
    assert key_opens(installation.db, her_key)  # the file still has it: the wait
    stolen = _row_under(installation.db, her_key)
    assert b"PRIVATE KEY" not in stolen
    with pytest.raises(ValueError):
        load_pem_private_key(stolen, password=None)

    # The revoking window, which knows the waiting key, signs with the new key.
    mine = _signing_key(admin)
    assert mine is not None and _public_of(mine) == new_public
    # A window from before the revocation does not know it: refused in words.
    with pytest.raises(DatabaseError, match="new keys can be used only once"):
        _signing_key(serik)

    serik.close()
    admin.close()  # the last window: the re-key is finished, the seal opened for good
    assert not key_opens(installation.db, her_key)
    after = unlock(installation, "serik", PASSWORD)
    try:
        assert after.pending_key is None
        assert _public_of(_row_under(installation.db, after.db.key)) == new_public
        assert KeyService(after).own_keys().signing_key == new_public
    finally:
        after.close()


def test_a_sign_in_during_the_wait_signs_with_the_new_key(
    installation: Paths, open_ws: OpenWs
) -> None:
    serik = open_ws("serik")
    admin = open_ws("admin")
    new_public = UserService(admin).revoke("aigul").key_rotation
    assert new_public is not None
    later = open_ws("astana")  # signs in meanwhile: given the waiting key
    assert later.pending_key is not None
    mine = _signing_key(later)
    assert mine is not None and _public_of(mine) == new_public.new_key
    serik.close()


def test_a_second_rekey_while_the_first_waits_keeps_the_new_signing_key(
    installation: Paths, open_ws: OpenWs
) -> None:
    """A reset (another re-key) supersedes the waiting key: the sealed signing key follows
    it, else no one could open it once the file had the second key."""
    serik = open_ws("serik")
    admin = open_ws("admin")
    rotation = UserService(admin).revoke("aigul").key_rotation
    assert rotation is not None
    rekeyed = UserService(admin).change_password("serik", NEW_PASSWORD)
    assert rekeyed is not None and rekeyed.waiting is not None
    mine = _signing_key(admin)
    assert mine is not None and _public_of(mine) == rotation.new_key
    serik.close()
    admin.close()
    after = unlock(installation, "serik", NEW_PASSWORD)
    try:
        assert _public_of(_row_under(installation.db, after.db.key)) == rotation.new_key
    finally:
        after.close()


def test_a_backup_made_during_the_wait_restores_elsewhere_with_the_new_signing_key(
    installation: Paths, open_ws: OpenWs, tmp_path: Path
) -> None:
    her_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    open_ws("serik")
    admin = open_ws("admin")
    rotation = UserService(admin).revoke("aigul").key_rotation
    assert rotation is not None
    out = tmp_path / "during.qbackup"
    create_backup(admin, out)
    laptop = Paths(tmp_path / "laptop")
    restore_backup(laptop, out, "admin", PASSWORD)
    assert not key_opens(laptop.db, her_key)
    restored = unlock(laptop, "admin", PASSWORD)
    try:
        assert restored.pending_key is None
        assert _public_of(_row_under(laptop.db, restored.db.key)) == rotation.new_key
    finally:
        restored.close()


def test_keys_sealed_under_a_key_no_one_holds_are_replaced_by_a_rotation(
    installation: Paths, open_ws: OpenWs
) -> None:
    """A backup's copy made during the wait by a window that did not know the waiting key
    keeps the keys sealed under it: the way out the refusal names must work."""
    admin = open_ws("admin")
    with admin.write() as session:
        for row in session.execute(select(LocalSecret)).scalars():
            if row.name in (SIGNING_KEY, AGE_IDENTITY):
                row.value = seal(bytes(row.value), new_database_key(), row.name)
    with pytest.raises(DatabaseError, match="qorgau keys rotate"):
        _signing_key(admin)
    rotation = KeyService(admin).rotate()
    mine = _signing_key(admin)
    assert mine is not None and _public_of(mine) == rotation.new_key
