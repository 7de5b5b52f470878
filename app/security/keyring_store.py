"""The OS credential store behind a small interface.

``keyring`` picks the platform's store (Windows Credential Manager, macOS Keychain, Secret
Service). On a headless Linux there may be none: then ``is_system`` is False, the app says so
once, and everything works with passwords only. Secrets never fall back to a plain file.

Only real system backends count. Test doubles live in ``tests/`` (never here: keyring
registers every imported backend class as a candidate, so a double shipped in ``app/`` could be
picked in production). A secret is trusted to the store only after a *fresh process* read it
back (:meth:`SecretStore.readable_by_fresh_process`): a backend that accepts a secret but keeps
it only in this process's memory would otherwise lose it when the program ends.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from app.entry import PROBE_FLAG
from app.i18n import _
from app.resources import is_frozen

if TYPE_CHECKING:  # keyring (and its backends' entry points) loads when a store is used
    import keyring.backend

SERVICE = "Qorgau"
PROBE_MODULE = "app.security.keyring_probe"
PROBE_TIMEOUT_S = 60
log = logging.getLogger(__name__)

# Backends that store nothing, or only choose among others.
_NOT_A_STORE = ("keyring.backends.fail", "keyring.backends.null")
_CHAINER = "keyring.backends.chainer"


def is_system_backend(backend: keyring.backend.KeyringBackend) -> bool:
    """True for a backend that keeps secrets in a real store (not 'fail', 'null' or empty)."""
    module = type(backend).__module__
    if module.startswith(_NOT_A_STORE):
        return False
    if module.startswith(_CHAINER):
        return any(is_system_backend(b) for b in getattr(backend, "backends", []))
    try:
        return float(backend.priority) > 0
    except Exception:  # noqa: BLE001 - a broken backend simply counts as absent
        return False


class SecretStore:
    """A place for small secrets outside the database file."""

    def __init__(self, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self._backend = backend
        # A read refused (a locked collection, D-Bus not answering), told apart from "not
        # kept": the sign-in window then says why it did not unlock by itself.
        self.read_failed = False

    @property
    def backend_given(self) -> bool:
        """Whether the backend was handed in (asking about it loads no library)."""
        return self._backend is not None

    @property
    def backend(self) -> keyring.backend.KeyringBackend | None:
        if self._backend is not None:
            return self._backend
        try:
            import keyring

            return keyring.get_keyring()
        except Exception:  # noqa: BLE001 - a missing or broken backend means "no keyring"
            log.warning("no keyring backend could be loaded", exc_info=True)
            return None

    @property
    def is_system(self) -> bool:
        """True when a real store is behind us (not the 'fail' or 'null' backends)."""
        backend = self.backend
        return backend is not None and is_system_backend(backend)

    def unavailable_message(self) -> str:
        return _(
            "No system keyring is available on this computer; "
            "Qorgau will ask for your password each time."
        )

    # Every call below is a boundary to an OS service: D-Bus, a locked keychain or a
    # misconfigured backend raise all kinds of errors; none of them may crash the app.

    def get(self, name: str) -> bytes | None:
        backend = self.backend
        if backend is None or not is_system_backend(backend):
            return None
        try:
            value = backend.get_password(SERVICE, name)
            return base64.b64decode(value, validate=True) if value else None
        except Exception as exc:  # noqa: BLE001 - see above
            log.warning("keyring read failed: %s", exc)
            self.read_failed = True
            return None

    def set(self, name: str, secret: bytes) -> bool:
        """Store ``secret``; False (and nothing stored) when there is no usable keyring."""
        backend = self.backend
        if backend is None or not is_system_backend(backend):
            return False
        try:
            backend.set_password(SERVICE, name, base64.b64encode(secret).decode("ascii"))
        except Exception as exc:  # noqa: BLE001 - see above
            log.warning("keyring write failed: %s", exc)
            return False
        return True

    def delete(self, name: str) -> None:
        import keyring.errors

        backend = self.backend
        if backend is None or not is_system_backend(backend):
            return
        try:
            backend.delete_password(SERVICE, name)
        except keyring.errors.PasswordDeleteError:
            pass
        except Exception as exc:  # noqa: BLE001 - see above
            log.warning("keyring delete failed: %s", exc)

    def readable_by_fresh_process(self, name: str, secret: bytes) -> bool:
        """Whether a new process, choosing its keyring as any later start of Qorgau would,
        reads ``secret`` back under ``name``.

        The child prints only the SHA-256 of what it read, never the secret. Any failure
        (no backend there, a timeout, a different value) answers False.
        """
        try:
            result = subprocess.run(
                [*probe_command(), name],
                capture_output=True,
                text=True,
                timeout=PROBE_TIMEOUT_S,
                env=os.environ.copy(),
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("keyring read-back process failed: %s", exc)
            return False
        if result.returncode != 0:
            log.warning("keyring read-back process exited %s", result.returncode)
            return False
        expected = hashlib.sha256(secret).hexdigest()
        return hmac.compare_digest(result.stdout.strip(), expected)


def probe_command() -> list[str]:
    """How to start the read-back probe: ``python -m`` from a checkout, the flag when frozen."""
    if is_frozen():
        return [sys.executable, PROBE_FLAG]
    return [sys.executable, "-m", PROBE_MODULE]


def unlock_entry_name(database_id: str, username: str) -> str:
    """The keyring entry that holds the database key for 'unlock on this computer'."""
    return f"unlock:{database_id}:{username}"


def identity_entry_name(database_id: str) -> str:
    """The keyring entry that holds an HQ installation's age identity."""
    return f"age_identity:{database_id}"
