"""Where an installation keeps its files, and the few settings read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.resources import resource_path

DATA_DIR_ENV = "QORGAU_DATA_DIR"
LOG_DIR_ENV = "QORGAU_LOG_DIR"
DB_FILENAME = "qorgau.db"
KEYSLOTS_FILENAME = "keyslots.json"
# An HQ whose data lives on a PostgreSQL server keeps only where it is (app/db/postgres.py).
SERVER_FILENAME = "server.json"
BACKUP_DIRNAME = "backups"


@dataclass(frozen=True)
class Paths:
    """The files of one installation, all inside one data directory."""

    data_dir: Path

    @property
    def db(self) -> Path:
        return self.data_dir / DB_FILENAME

    @property
    def keyslots(self) -> Path:
        return self.data_dir / KEYSLOTS_FILENAME

    @property
    def backups(self) -> Path:
        return self.data_dir / BACKUP_DIRNAME

    @property
    def server(self) -> Path:
        return self.data_dir / SERVER_FILENAME

    def is_initialised(self) -> bool:
        return (self.db.exists() and self.keyslots.exists()) or self.server.exists()


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--data-dir`` first, then ``QORGAU_DATA_DIR``, then the platform's user data dir."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    from_env = os.environ.get(DATA_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    from platformdirs import user_data_dir  # here: a command given its folder never needs it

    return Path(user_data_dir("Qorgau", appauthor=False))


def resolve_log_dir() -> Path:
    """``QORGAU_LOG_DIR``, else the platform's log folder (``~/.local/state/Qorgau/log``,
    ``%LOCALAPPDATA%\\Qorgau\\Logs``, ``~/Library/Logs/Qorgau``): not the data folder, so a
    log can be sent or deleted without touching the database."""
    from_env = os.environ.get(LOG_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser().resolve()
    from platformdirs import user_log_dir

    return Path(user_log_dir("Qorgau", appauthor=False))


def resolve_paths(explicit: str | os.PathLike[str] | None = None) -> Paths:
    return Paths(resolve_data_dir(explicit))


RESOURCES_DIR = resource_path()
