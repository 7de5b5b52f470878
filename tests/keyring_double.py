"""Keyring test doubles: they live here, never in ``app/`` (keyring would offer them in
production as candidates).

- ``FileKeyring`` keeps entries in the JSON file named by ``QORGAU_TEST_KEYRING_FILE``, so a
  child process started with ``PYTHON_KEYRING_BACKEND=tests.keyring_double.FileKeyring`` sees
  what the test stored: it stands for a real OS store that outlives the process.
Both count as a real store (positive priority) when set explicitly, but are not ``viable``:
keyring's own discovery (and its chainer) never offers them, even in the test process.

- ``LossyKeyring`` accepts every secret and keeps it in this process's memory only: a fresh
  process reads nothing, as with a misconfigured or session-only store.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import keyring.backend
import keyring.errors

FILE_ENV = "QORGAU_TEST_KEYRING_FILE"
FILE_BACKEND = "tests.keyring_double.FileKeyring"


class FileKeyring(keyring.backend.KeyringBackend):
    """Entries in a JSON file shared by the test and the processes it starts."""

    priority = 1  # type: ignore[assignment]  # counts as a real store (is_system)
    viable = False  # type: ignore[assignment]  # never picked by discovery

    def _path(self) -> Path:
        try:
            return Path(os.environ[FILE_ENV])
        except KeyError:
            raise keyring.errors.KeyringError(f"{FILE_ENV} is not set") from None

    def _load(self) -> dict[str, str]:
        try:
            return dict(json.loads(self._path().read_text(encoding="utf-8")))
        except FileNotFoundError:
            return {}

    def _save(self, data: dict[str, str]) -> None:
        self._path().write_text(json.dumps(data), encoding="utf-8")

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x1f{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        data = self._load()
        data[f"{service}\x1f{username}"] = password
        self._save(data)

    def delete_password(self, service: str, username: str) -> None:
        data = self._load()
        if data.pop(f"{service}\x1f{username}", None) is None:
            raise keyring.errors.PasswordDeleteError(username)
        self._save(data)


class LossyKeyring(keyring.backend.KeyringBackend):
    """Says yes to everything and forgets it when the process ends."""

    priority = 1  # type: ignore[assignment]
    viable = False  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self._data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self._data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self._data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self._data.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError(username)
