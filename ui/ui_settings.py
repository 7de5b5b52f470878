"""This computer's interface preferences, kept in QSettings (organisation "Qorgau").

Only what belongs to the desktop and not to the mission's data lives here: window geometry,
table header state, the interface language, the last user name. The idle-lock delay is the
mission's policy and lives in the database (``app.services.settings``).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from app.i18n import LANGUAGES

ORGANISATION = "Qorgau"
APPLICATION = "Qorgau"


def settings() -> QSettings:
    return QSettings()


def stored_language() -> str | None:
    value = settings().value("ui/language", "")
    return value if isinstance(value, str) and value in LANGUAGES else None


def store_language(language: str) -> None:
    settings().setValue("ui/language", language)


def last_username() -> str:
    value = settings().value("login/last_username", "")
    return value if isinstance(value, str) else ""


def store_sign_in(data_dir: Path, username: str, unlock_remembered: bool) -> None:
    """Who signed in last, and whether they chose "Unlock on this computer" for this data
    folder (``unlock_remembered``): one write of the settings file at each sign-in."""
    stored = settings()
    stored.setValue("login/last_username", username)
    stored.setValue(
        f"values/{_unlock_key(data_dir, username)}", "yes" if unlock_remembered else "no"
    )


def load_state(key: str) -> QByteArray | None:
    value = settings().value(f"state/{key}")
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None


def save_state(key: str, state: QByteArray) -> None:
    settings().setValue(f"state/{key}", state)


def load_value(key: str, default: str = "") -> str:
    value = settings().value(f"values/{key}", default)
    return value if isinstance(value, str) else default


def save_value(key: str, value: str) -> None:
    settings().setValue(f"values/{key}", value)


def _unlock_key(data_dir: Path, username: str) -> str:
    digest = hashlib.sha256(f"{data_dir.resolve()}\0{username}".encode()).hexdigest()[:16]
    return f"remembered_unlock/{digest}"


def unlock_remembered(data_dir: Path, username: str) -> bool | None:
    """Whether ``username`` last chose "Unlock on this computer" for this data folder; None
    when not known (before this was kept). A hint only, so that the sign-in window need not
    load the keyring library before it paints when there is nothing to look for."""
    value = load_value(_unlock_key(data_dir, username))
    return {"yes": True, "no": False}.get(value)
