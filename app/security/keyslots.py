"""Key slots: the database key wrapped once per user under a password-derived key.

The database key is 32 random bytes. Each slot stores it encrypted with AES-256-GCM under a
key derived from that user's password with Argon2id; the slot's KDF parameters travel with it,
so a slot made with another profile still opens. The associated data binds a slot to its user
name and to the database id, so slots cannot be swapped between users or installations.

``keyslots.json`` is written atomically (temp file, fsync, rename): losing it loses the data.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.errors import AuthError, DatabaseError, ValidationError
from app.i18n import _

FORMAT = 1
KEY_BYTES = 32
MIN_PASSWORD_LENGTH = 8
KDF_PROFILE_ENV = "QORGAU_KDF_PROFILE"


@dataclass(frozen=True)
class KdfProfile:
    memory_cost_kib: int
    iterations: int
    lanes: int


# OWASP's Argon2id guidance is at least 19 MiB; 64 MiB x 3 takes ~0.1-0.3 s on a laptop.
PRODUCT_PROFILE = KdfProfile(memory_cost_kib=64 * 1024, iterations=3, lanes=4)
# Only for the test suite (set through QORGAU_KDF_PROFILE=test by tests/conftest.py).
TEST_PROFILE = KdfProfile(memory_cost_kib=64, iterations=1, lanes=1)


def default_profile() -> KdfProfile:
    return TEST_PROFILE if os.environ.get(KDF_PROFILE_ENV) == "test" else PRODUCT_PROFILE


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive(password: str, salt: bytes, profile: KdfProfile) -> bytes:
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=profile.iterations,
        lanes=profile.lanes,
        memory_cost=profile.memory_cost_kib,
    )
    return kdf.derive(password.encode("utf-8"))


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(
            _("The password must be at least {n} characters long.").format(n=MIN_PASSWORD_LENGTH),
            field="password",
        )


def new_database_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


class KeySlotStore:
    """The ``keyslots.json`` file of one installation."""

    def __init__(self, path: Path, profile: KdfProfile | None = None) -> None:
        self.path = path
        self.profile = profile or default_profile()

    # -- file -------------------------------------------------------------------------------

    def _load(self) -> dict[str, Any]:
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise DatabaseError(
                _("The key file {name} is missing; restore it from a backup.").format(
                    name=self.path.name
                )
            ) from None
        except OSError as exc:
            raise DatabaseError(
                _("The key file cannot be read: {error}").format(error=exc.strerror)
            ) from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            raise DatabaseError(_("The key file is damaged; restore it from a backup.")) from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise DatabaseError(_("The key file is not a Qorgau key file of a known version."))
        return data

    def _save(self, data: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".keyslots-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(self.path.parent)

    # -- slots ------------------------------------------------------------------------------

    def create(self, username: str, password: str, key: bytes) -> str:
        """Write a new file with one slot; returns the database id."""
        if self.path.exists():
            raise DatabaseError(_("A key file already exists here; refusing to overwrite it."))
        database_id = str(uuid.uuid4())
        data: dict[str, Any] = {"format": FORMAT, "database_id": database_id, "slots": {}}
        data["slots"][username] = self._wrap(database_id, username, password, key)
        self._save(data)
        return database_id

    def database_id(self) -> str:
        return str(self._load()["database_id"])

    def usernames(self) -> list[str]:
        return sorted(self._load()["slots"])

    def has_slot(self, username: str) -> bool:
        return username in self._load()["slots"]

    def unlock(self, username: str, password: str) -> bytes:
        """The database key, or AuthError; the message never says which of the two was wrong."""
        data = self._load()
        slot = data["slots"].get(username)
        if slot is None:
            # Spend the same effort as a real attempt so timing does not reveal user names.
            _derive(password, b"\0" * 16, self.profile)
            raise AuthError(_("Wrong user name or password."))
        return self._unwrap(data["database_id"], username, password, slot)

    def set_slot(self, username: str, password: str, key: bytes) -> None:
        """Add or replace ``username``'s slot (new user, password change or admin reset)."""
        check_password_strength(password)
        data = self._load()
        data["slots"][username] = self._wrap(data["database_id"], username, password, key)
        self._save(data)

    def remove_slot(self, username: str) -> None:
        data = self._load()
        if username in data["slots"]:
            del data["slots"][username]
            self._save(data)

    # -- crypto -----------------------------------------------------------------------------

    def _wrap(self, database_id: str, username: str, password: str, key: bytes) -> dict[str, Any]:
        salt = secrets.token_bytes(16)
        nonce = secrets.token_bytes(12)
        kek = _derive(password, salt, self.profile)
        wrapped = AESGCM(kek).encrypt(nonce, key, _aad(database_id, username))
        return {
            "kdf": {
                "name": "argon2id",
                "salt": _b64(salt),
                "memory_cost_kib": self.profile.memory_cost_kib,
                "iterations": self.profile.iterations,
                "lanes": self.profile.lanes,
            },
            "cipher": "aes-256-gcm",
            "nonce": _b64(nonce),
            "wrapped_key": _b64(wrapped),
            "updated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }

    def _unwrap(
        self, database_id: str, username: str, password: str, slot: dict[str, Any]
    ) -> bytes:
        try:
            kdf = slot["kdf"]
            profile = KdfProfile(
                memory_cost_kib=int(kdf["memory_cost_kib"]),
                iterations=int(kdf["iterations"]),
                lanes=int(kdf["lanes"]),
            )
            salt, nonce = _unb64(kdf["salt"]), _unb64(slot["nonce"])
            wrapped = _unb64(slot["wrapped_key"])
        except (KeyError, TypeError, ValueError):
            raise DatabaseError(_("The key file is damaged; restore it from a backup.")) from None
        kek = _derive(password, salt, profile)
        try:
            return AESGCM(kek).decrypt(nonce, wrapped, _aad(database_id, username))
        except InvalidTag:
            raise AuthError(_("Wrong user name or password.")) from None


def _aad(database_id: str, username: str) -> bytes:
    return f"qorgau-keyslot:v{FORMAT}:{database_id}:{username}".encode()


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return  # Windows cannot open directories; the rename is still atomic there.
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
