"""HQ's private keys on the import workstation, never on the shared database server.

An HQ on PostgreSQL shares its database with every analyst's desktop (and with the server's
administrators, its backups and its replicas). HQ's age identity (it decrypts every mission's
bundles) and its signing key (missions trust what it signs) must not sit there in the clear.
They are kept where only the import operator's account reaches them: the OS keyring of the
import workstation when it has a real one that a fresh process reads back, otherwise a file in
the workstation's data folder readable by that OS account alone (0600).
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from enum import StrEnum
from pathlib import Path

from app.errors import DatabaseError
from app.i18n import _
from app.security.keyring_store import SecretStore, identity_entry_name
from app.security.private_files import make_private, open_private
from app.untrusted import json_from_outside

WORKSTATION_FILE = "hq-secrets.json"
AGE_IDENTITY = "age_identity"  # the names of app.services.installation's LocalSecret rows
SIGNING_KEY = "signing_key"
SECRET_NAMES = (AGE_IDENTITY, SIGNING_KEY)  # made with the installation
# Made the first time HQ signs an escrow policy: it opens every escrowing mission's database
# key, so it is kept as the other two are (app.services.recovery).
ESCROW_IDENTITY = "escrow_identity"
# An HQ on a server records in its database which escrow recipient missions are sealed to.
ESCROW_RECIPIENT = "escrow_recipient"
PRIVATE_NAMES = (*SECRET_NAMES, ESCROW_IDENTITY)
_MAX_FILE_BYTES = 64 * 1024  # three keys of some 200 bytes: a larger file is cut, so unreadable


class SecretsFileDamaged(DatabaseError):
    """The workstation's file of HQ's keys is there but cannot be read (cut short, garbled)."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            _(
                "The file that keeps HQ's keys on this computer ({path}) cannot be read: it is "
                "damaged. Nothing was changed. Restore it from this computer's backup."
            ).format(path=str(path))
        )


class SecretPlace(StrEnum):
    KEYRING = "keyring"
    FILE = "file"


def entry_name(database_id: str, name: str) -> str:
    """The keyring entry of a secret (the age identity's is the one imports already read)."""
    if name == AGE_IDENTITY:
        return identity_entry_name(database_id)
    return f"{name}:{database_id}"


def secrets_file(folder: Path) -> Path:
    return folder / WORKSTATION_FILE


def _read_file(folder: Path) -> dict[str, bytes] | None:
    """The file's secrets; {} when there is no file, None when it is there but damaged."""
    path = secrets_file(folder)
    if not path.exists():
        return {}
    try:
        with path.open("rb") as handle:
            raw = json_from_outside(handle.read(_MAX_FILE_BYTES))
        return {str(k): base64.b64decode(str(v), validate=True) for k, v in raw.items()}
    except (OSError, ValueError, AttributeError, binascii.Error):
        return None


def damaged_secrets_file(folder: Path) -> Path | None:
    """The workstation's key file if it is there but cannot be read, else None."""
    return secrets_file(folder) if _read_file(folder) is None else None


def _write_file(folder: Path, secrets: dict[str, bytes]) -> None:
    """Atomically, private from the first byte (temp file 0600 + rename). A damaged file is
    never written over: the keys in it may still be mended by hand or restored."""
    path = secrets_file(folder)
    kept = _read_file(folder)
    if kept is None:
        raise SecretsFileDamaged(path)
    merged = {**kept, **secrets}
    temp = path.with_suffix(".tmp")
    with open_private(temp) as handle:
        text = json.dumps({k: base64.b64encode(v).decode("ascii") for k, v in merged.items()})
        handle.write(text.encode("ascii"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temp, path)
    make_private(path)


def keep_on_workstation(
    folder: Path, database_id: str, secrets: dict[str, bytes], store: SecretStore
) -> SecretPlace:
    """Store ``secrets`` in the keyring if a fresh process reads every one back, else in the
    workstation's private file. Returns where they went."""
    if store.is_system:
        stored = []
        for name, value in secrets.items():
            entry = entry_name(database_id, name)
            if not (store.set(entry, value) and store.readable_by_fresh_process(entry, value)):
                break
            stored.append(entry)
        else:
            return SecretPlace.KEYRING
        for entry in [*stored, entry_name(database_id, name)]:
            store.delete(entry)  # a half-kept set helps no one: all go to the file instead
    _write_file(folder, secrets)
    return SecretPlace.FILE


def replace_on_workstation(
    folder: Path, database_id: str, secrets: dict[str, bytes], store: SecretStore
) -> None:
    """Write ``secrets`` over every copy this workstation keeps of them (keyring entry,
    private file), each keyring entry read back by a fresh process; a secret kept nowhere yet
    goes where ``keep_on_workstation`` puts it. Raises, having written what it wrote, when
    the keyring loses one: the caller puts the old values back."""
    if not secrets:
        return
    kept = _read_file(folder)
    if kept is None:
        raise SecretsFileDamaged(secrets_file(folder))
    in_keyring = {n for n in secrets if store.get(entry_name(database_id, n)) is not None}
    for name in in_keyring:
        entry, value = entry_name(database_id, name), secrets[name]
        if not (store.set(entry, value) and store.readable_by_fresh_process(entry, value)):
            raise DatabaseError(
                _("The system keyring did not give HQ's new keys back; the old keys stay.")
            )
    in_file = {n: v for n, v in secrets.items() if n in kept}
    if in_file:
        _write_file(folder, in_file)  # the old values are overwritten, the file replaced
    elsewhere = {n: v for n, v in secrets.items() if n not in in_keyring and n not in in_file}
    if elsewhere:
        keep_on_workstation(folder, database_id, elsewhere, store)


def workstation_secret(
    folder: Path, database_id: str, name: str, store: SecretStore
) -> bytes | None:
    """A secret kept on this workstation (keyring first, then the private file); None if not
    (a damaged file holds none: ``damaged_secrets_file`` tells that case apart)."""
    return store.get(entry_name(database_id, name)) or (_read_file(folder) or {}).get(name)


def forget_on_workstation(folder: Path, database_id: str, name: str, store: SecretStore) -> None:
    """Remove one secret from the keyring and the private file (a key made for nothing)."""
    store.delete(entry_name(database_id, name))
    kept = _read_file(folder)
    if kept is None or kept.pop(name, None) is None:
        return  # a damaged file is left as it is
    secrets_file(folder).unlink()
    if kept:
        _write_file(folder, kept)


def place_message(place: SecretPlace, folder: Path) -> str:
    if place is SecretPlace.KEYRING:
        return _("HQ's age identity and signing key are kept in this computer's system keyring.")
    return _(
        "HQ's age identity and signing key are kept in {path}, readable only by your account "
        "on this computer. Keep it out of shared folders and include it in this computer's "
        "backups."
    ).format(path=str(secrets_file(folder)))
