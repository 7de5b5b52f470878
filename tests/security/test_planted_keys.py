"""Someone who can write the data folder but holds no current key plants one in
``keyslots.json`` (the users' public keys are in it; a sealed box needs nothing else).

- a waiting re-key to a key of her own, sealed to every user: the next sign-in re-keyed the
  database to it and handed her the file;
- a slot of her own, under a name no user has: the next re-key (a revocation, hers even)
  sealed the new key to it.

Both are refused: a waiting key needs a proof made with the key the file has, and a re-key
seals to the active users the database knows.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select

from app.config import Paths
from app.db.models import AuditEntry
from app.errors import AuthError
from app.security.keyslots import (
    KeySlotStore,
    _seal_context,
    new_database_key,
    open_sealed_key,
    seal_key,
)
from app.security.rekey import key_opens
from app.services.backup import create_backup, restore_backup
from app.services.installation import unlock
from app.services.recovery import RecoveryService, recover
from app.services.users import UserService
from tests.conftest import PASSWORD, OpenWs


def _raw(paths: Paths) -> dict[str, Any]:
    return dict(json.loads(paths.keyslots.read_text(encoding="utf-8")))


def _write(paths: Paths, data: dict[str, Any]) -> None:
    paths.keyslots.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")


def test_a_waiting_key_planted_in_the_key_file_is_never_given_to_the_database(
    installation: Paths,
) -> None:
    data = _raw(installation)
    planted = new_database_key()
    epoch = int(data["key_epoch"]) + 1
    for name, slot in data["slots"].items():
        public = base64.b64decode(slot["public_key"])
        context = _seal_context(data["database_id"], name, epoch)
        slot.setdefault("sealed", {})[str(epoch)] = seal_key(planted, public, context)
    data["rekey_to"] = epoch
    _write(installation, data)

    ws = unlock(installation, "serik", PASSWORD)  # the next sign-in
    try:
        assert ws.pending_key is None  # not handed on to finish at close either
    finally:
        ws.close()
    assert not key_opens(installation.db, planted)
    unlock(installation, "admin", PASSWORD).close()
    assert not key_opens(installation.db, planted)


def test_a_genuine_waiting_rekey_is_still_finished_by_the_next_sign_in(
    installation: Paths, open_ws: OpenWs
) -> None:
    her_key = KeySlotStore(installation.keyslots).unlock("aigul", PASSWORD)
    serik = open_ws("serik")
    admin = open_ws("admin")
    assert UserService(admin).revoke("aigul").rekey_waiting
    admin.pending_key = None  # left to the next sign-in
    admin.close()
    serik.close()
    assert KeySlotStore(installation.keyslots).state().rekey_proof
    unlock(installation, "serik", PASSWORD).close()
    assert KeySlotStore(installation.keyslots).state().rekey_to is None
    assert not key_opens(installation.db, her_key)


def test_a_slot_planted_under_a_name_no_user_has_gets_no_new_key(
    installation: Paths, open_ws: OpenWs
) -> None:
    """Aigul, still an officer with the folder writable, adds a slot "zzz" with a public key
    of her own; at her revocation its box held the new key."""
    mine = X25519PrivateKey.generate()
    public = mine.public_key().public_bytes_raw()
    data = _raw(installation)
    data["slots"]["zzz"] = {
        **data["slots"]["aigul"],
        "public_key": base64.b64encode(public).decode(),
    }
    _write(installation, data)

    admin = open_ws("admin")
    UserService(admin).revoke("aigul")
    admin.close()

    after = _raw(installation)
    assert "zzz" not in after["slots"]
    boxes = [
        open_sealed_key(box, mine, _seal_context(after["database_id"], "zzz", int(epoch)))
        for epoch, box in data["slots"]["zzz"].get("sealed", {}).items()
    ]
    assert not any(key_opens(installation.db, key) for key in boxes)
    ws = unlock(installation, "admin", PASSWORD)
    try:
        with ws.read() as session:
            details = session.execute(
                select(AuditEntry.details).where(AuditEntry.action == "installation.rekey")
            ).scalar_one()
        assert details["slots_of_no_user"] == ["zzz"]
    finally:
        ws.close()
    for name in ("admin", "serik", "astana"):
        unlock(installation, name, PASSWORD).close()


def test_a_recovery_slot_replaced_in_the_key_file_gets_no_new_key(
    mission: tuple[Paths, str],
) -> None:
    """The recovery slot's public key swapped for one of her own: the next re-key sealed the
    new key to it. Recorded in the database at the last re-key or rotation, it is refused."""
    paths, _recovery_key = mission
    admin = unlock(paths, "admin", PASSWORD)
    try:
        recovery_key = RecoveryService(admin).rotate()  # its public key recorded
    finally:
        admin.close()
    mine = X25519PrivateKey.generate()
    data = _raw(paths)
    public = mine.public_key().public_bytes_raw()
    data["slots"]["@recovery"]["public_key"] = base64.b64encode(public).decode()
    _write(paths, data)

    admin = unlock(paths, "admin", PASSWORD)
    try:
        UserService(admin).revoke("aigul")
    finally:
        admin.close()
    after = _raw(paths)
    assert "@recovery" not in after["slots"]  # it got nothing and went
    with pytest.raises(AuthError):
        recover(paths, recovery_key, "dana", "a brand new password")


def test_the_genuine_recovery_and_escrow_slots_still_open_after_re_keys(
    mission: tuple[Paths, str],
) -> None:
    """A slot made by an older version (nothing recorded) is taken as it is, and recorded."""
    paths, recovery_key = mission
    admin = unlock(paths, "admin", PASSWORD)
    try:
        UserService(admin).add("serik", "attache", PASSWORD)
        UserService(admin).revoke("aigul")  # takes the slot as it is, and records it
        UserService(admin).revoke("serik")  # finds it as recorded
    finally:
        admin.close()
    assert recover(paths, recovery_key, "dana", "a brand new password").method == "recovery_key"


def test_a_restore_keeps_the_record_of_the_current_recovery_slot(
    mission: tuple[Paths, str], tmp_path: Path
) -> None:
    """The key file is kept at a restore, the database is the backup's: its older record of
    the recovery slot would have had the next re-key drop the current, genuine slot."""
    paths, _first = mission
    admin = unlock(paths, "admin", PASSWORD)
    try:
        RecoveryService(admin).rotate()  # recorded: the backup holds this record
        create_backup(admin, tmp_path / "before.qbackup")
        recovery_key = RecoveryService(admin).rotate()
    finally:
        admin.close()
    restore_backup(paths, tmp_path / "before.qbackup", "admin", PASSWORD, confirmed=True)
    admin = unlock(paths, "admin", PASSWORD)
    try:
        UserService(admin).revoke("aigul")
    finally:
        admin.close()
    assert recover(paths, recovery_key, "dana", "a brand new password").method == "recovery_key"
