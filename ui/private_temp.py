"""The app's private temporary folder: the only place the UI writes a file to open it.

An attachment is handed to the desktop's viewer as a file, and its name may have come from
another installation's bundle. The folder is created on first use, private to the OS user
(0700, files 0600), one per run, and emptied when the main window closes or the app quits.
Every name is cleaned again (``app.domain.filenames``) and the resolved path must lie inside
the folder, so no name, however crafted, writes anywhere else.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from app.domain.filenames import clean_filename
from app.errors import QorgauError
from app.i18n import _
from app.os_errors import os_error_text

PREFIX = "qorgau-"


class PrivateTempFolder:
    def __init__(self, parent: Path | None = None) -> None:
        self._parent = parent
        self._path: Path | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self._path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=self._parent))  # 0700
        return self._path

    @property
    def exists(self) -> bool:
        return self._path is not None and self._path.exists()

    def target(self, name: str, subfolder: str) -> Path:
        """Where ``name`` is written: a cleaned name in a cleaned subfolder, inside the root."""
        root = self.path.resolve()
        target = (root / clean_filename(subfolder, "file") / clean_filename(name)).resolve()
        if not target.is_relative_to(root) or target.parent == root:
            raise QorgauError(_("The file cannot be opened: its name is not usable."))
        return target

    def write(self, name: str, content: bytes, subfolder: str) -> Path:
        """Write ``content`` as ``subfolder/name`` (cleaned), private to the user; the path."""
        target = self.target(name, subfolder)
        target.parent.mkdir(mode=0o700, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        flags |= getattr(os, "O_BINARY", 0)
        try:
            descriptor = os.open(target, flags, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(content)
        except OSError as exc:
            raise QorgauError(
                _("The file cannot be written: {error}").format(error=os_error_text(exc))
            ) from None
        return target

    def empty(self) -> None:
        """Remove the folder and everything opened from it (a viewer may still hold a file)."""
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None
