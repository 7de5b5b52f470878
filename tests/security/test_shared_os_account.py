"""An officer revoked on a computer account she shares with the administrator.

"Unlock on this computer" keeps the database key in the OS account's keyring, which anyone
signed in to that account reads. A revocation deleted the revoked officer's entry but
refreshed the revoking administrator's with the new key, in the same keyring: the officer,
still using the account, read the new key from it and opened the current database. When the
revoked user kept an entry in this keyring (so she uses this account), no entry is renewed,
and the administrator is told to take the account from her.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import keyring
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.security.keyring_store import SecretStore, unlock_entry_name
from app.security.rekey import key_opens
from app.services.installation import remember_unlock, unlock
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs
from tests.keyring_double import FILE_ENV


def _keys_in_the_keyring() -> list[bytes]:
    """Every database key an entry of this OS account's keyring holds (the key comes first)."""
    entries = json.loads(Path(os.environ[FILE_ENV]).read_text(encoding="utf-8"))
    return [base64.b64decode(value)[:32] for value in entries.values()]


def test_a_revoked_officer_sharing_the_os_account_reads_no_new_key_from_its_keyring(
    installation: Paths, open_ws: OpenWs
) -> None:
    store = SecretStore(keyring.get_keyring())
    aigul = unlock(installation, "aigul", PASSWORD)
    assert remember_unlock(aigul, store)  # she ticked "unlock on this computer" here
    aigul.close()
    admin = open_ws("admin")
    assert remember_unlock(admin, store)  # so did the administrator, in the same account

    result = UserService(admin, store).revoke("aigul")

    assert result.shared_os_account
    assert not any(key_opens(installation.db, key) for key in _keys_in_the_keyring())
    assert store.get(unlock_entry_name(admin.database_id, "admin")) is None
    with admin.read() as session:
        entry = session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "installation.rekey")
            .order_by(AuditEntry.seq.desc())
        ).scalar()
    assert entry is not None and entry.details.get("shares_os_account") is True
    admin.close()
    unlock(installation, "admin", PASSWORD).close()  # the administrator's password still opens


def test_an_administrator_alone_on_the_account_keeps_unlocking_on_this_computer(
    installation: Paths, open_ws: OpenWs
) -> None:
    store = SecretStore(keyring.get_keyring())
    admin = open_ws("admin")
    assert remember_unlock(admin, store)

    result = UserService(admin, store).revoke("aigul")

    assert not result.shared_os_account
    kept = store.get(unlock_entry_name(admin.database_id, "admin"))
    assert kept is not None and key_opens(installation.db, kept[:32])
    admin.close()
