"""A revocation's re-key left waiting by an older version, which wrote no proof of it.

Sign-ins finish a waiting re-key only with a proof made with the file's key (a key planted by
someone who can merely write the key file must never reach the database). An older version
wrote no proof: its waiting re-key was ignored by every sign-in, and the file kept for good the
key the revoked officer held. The next sign-in now re-keys the file to a key of its own,
sealed to the users the database lists; the signing key the older version sealed under its
waiting key is kept.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import keyring
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.security.keyring_store import SecretStore
from app.security.keyslots import KeySlotStore
from app.security.rekey import key_opens
from app.services.installation import SIGNING_KEY, unlock
from app.services.keys import private_key
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs


def _as_an_older_version_left_it(keyslots: Path) -> None:
    """The key file of a re-key begun before proofs existed: the same, without the proof."""
    data = json.loads(keyslots.read_text(encoding="utf-8"))
    del data["rekey_proof"]
    keyslots.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")


def test_a_waiting_rekey_an_older_version_began_is_replaced_by_the_next_sign_in(
    installation: Paths, open_ws: OpenWs
) -> None:
    her_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik = open_ws("serik")  # his window keeps the re-key waiting
    admin = open_ws("admin")
    revoked = UserService(admin).revoke("aigul")
    assert revoked.rekey_waiting and revoked.key_rotation is not None
    admin.pending_key = None  # the older version's window did not finish it either
    admin.close()
    serik.close()
    _as_an_older_version_left_it(installation.keyslots)
    assert key_opens(installation.db, her_key)

    ws = unlock(installation, "serik", PASSWORD)  # the next sign-in, after the upgrade
    try:
        assert ws.pending_key is None  # done now, not left for later
        with ws.read() as session:
            signing = private_key(ws, session, SIGNING_KEY, SecretStore(keyring.get_keyring()))
            entry = session.execute(
                select(AuditEntry)
                .where(AuditEntry.action == "installation.rekey")
                .order_by(AuditEntry.seq.desc())
            ).scalar()
    finally:
        ws.close()

    assert not key_opens(installation.db, her_key)
    assert KeySlotStore(installation.keyslots).state().rekey_to is None
    # The signing key the revocation made (sealed under the waiting key) is still the one used.
    assert signing is not None
    public = load_pem_private_key(signing, password=None).public_key()
    assert public.public_bytes_raw() == base64.b64decode(revoked.key_rotation.new_key)
    assert entry is not None and entry.details.get("reason") == "unconfirmed_wait"
    # Every remaining user still signs in; the revoked officer does not.
    unlock(installation, "admin", PASSWORD).close()
