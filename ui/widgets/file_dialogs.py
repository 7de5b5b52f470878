"""Where file dialogs start: the user's Documents folder, not wherever the app was started."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths


def documents_folder() -> Path:
    """The user's Documents folder (their home folder where the system names none)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


def in_documents(file_name: str = "") -> str:
    """A file dialog's starting path: ``file_name`` inside Documents, or Documents itself."""
    folder = documents_folder()
    return str(folder / file_name) if file_name else str(folder)
