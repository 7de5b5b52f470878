"""Where file dialogs start: the user's Documents folder, not wherever the app was started."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget


def documents_folder() -> Path:
    """The user's Documents folder (their home folder where the system names none)."""
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(location) if location else Path.home()


def in_documents(file_name: str = "") -> str:
    """A file dialog's starting path: ``file_name`` inside Documents, or Documents itself."""
    folder = documents_folder()
    return str(folder / file_name) if file_name else str(folder)


def save_path(parent: QWidget, title: str, file_name: str, filters: str) -> Path | None:
    """Where the user chose to save, asked in a save dialog that starts at ``file_name`` in
    Documents; None when they cancelled."""
    name, _chosen = QFileDialog.getSaveFileName(parent, title, in_documents(file_name), filters)
    return Path(name) if name else None
