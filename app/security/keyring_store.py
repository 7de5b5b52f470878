"""The OS credential store behind a small interface.

``keyring`` picks the platform's store (Windows Credential Manager, macOS Keychain, Secret
Service). On a headless Linux there may be none: then ``is_system`` is False, the app says so
once, and everything works with passwords only. Secrets never fall back to a plain file.
"""

from __future__ import annotations

import base64
import logging

import keyring
import keyring.backend
import keyring.errors

from app.i18n import _

SERVICE = "Qorgau"
log = logging.getLogger(__name__)


class SecretStore:
    """A place for small secrets outside the database file."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend

    @property
    def backend(self) -> keyring.backend.KeyringBackend:
        return self._backend or keyring.get_keyring()

    @property
    def is_system(self) -> bool:
        """True when a real store is behind us (not the 'fail' or 'null' backends)."""
        backend = self.backend
        module = type(backend).__module__
        if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
            return False
        if module.startswith("keyring.backends.chainer"):
            return bool(getattr(backend, "backends", []))
        try:
            return float(backend.priority) > 0
        except Exception:  # noqa: BLE001 - a broken backend simply counts as absent
            return False

    def unavailable_message(self) -> str:
        return _(
            "No system keyring is available on this computer; "
            "Qorgau will ask for your password each time."
        )

    def get(self, name: str) -> bytes | None:
        if not self.is_system:
            return None
        try:
            value = self.backend.get_password(SERVICE, name)
        except keyring.errors.KeyringError as exc:
            log.warning("keyring read failed: %s", exc)
            return None
        return base64.b64decode(value) if value else None

    def set(self, name: str, secret: bytes) -> bool:
        """Store ``secret``; False (and nothing stored) when there is no usable keyring."""
        if not self.is_system:
            return False
        try:
            self.backend.set_password(SERVICE, name, base64.b64encode(secret).decode("ascii"))
        except keyring.errors.KeyringError as exc:
            log.warning("keyring write failed: %s", exc)
            return False
        return True

    def delete(self, name: str) -> None:
        if not self.is_system:
            return
        try:
            self.backend.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass
        except keyring.errors.KeyringError as exc:
            log.warning("keyring delete failed: %s", exc)


def unlock_entry_name(database_id: str, username: str) -> str:
    """The keyring entry that holds the database key for 'unlock on this computer'."""
    return f"unlock:{database_id}:{username}"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory backend: for tests, and nothing else."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self._data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self._data:
            raise keyring.errors.PasswordDeleteError(username)
        del self._data[(service, username)]
