"""The app's private temporary folder: the only place the UI writes a file to open it.

An attachment is handed to the desktop's viewer as a file, and its name may have come from
another installation's bundle. The folder is created on first use, private to the OS user
(0700, files 0600), one per run, and emptied when the main window closes or the app quits.
A run that never got there (a crash, a killed process, the laptop switched off) left its
plain copies of passports and contracts in the system's temp folder, where Windows keeps them
for good: the next run removes them (``remove_left_behind``). Each run holds an OS lock on a
file in its folder, which ends with the process, so a folder whose lock is free is one no run
is using any more.
Every name is cleaned again (``app.domain.filenames``) and the resolved path must lie inside
the folder, so no name, however crafted, writes anywhere else.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import time
from pathlib import Path

from app.domain.filenames import clean_filename
from app.errors import QorgauError
from app.i18n import _
from app.os_errors import os_error_text
from app.security.private_files import hold_lock, lock_is_free

PREFIX = "qorgau-"
# The names mkdtemp gives with the prefix (other tools' "qorgau-shots-…" folders do not match).
_FOLDER_NAME = re.compile(re.escape(PREFIX) + r"[a-z0-9_]{8}")
IN_USE = ".in-use"  # locked by the run that owns the folder
# A folder without the lock file is an older version's, or one another run is making this
# very moment: only one this old is taken for left behind.
_MAKING_S = 60.0


class PrivateTempFolder:
    def __init__(self, parent: Path | None = None) -> None:
        self._parent = parent
        self._path: Path | None = None
        self._lock: int | None = None

    @property
    def path(self) -> Path:
        if self._path is None:
            self.remove_left_behind()
            path = Path(tempfile.mkdtemp(prefix=PREFIX, dir=self._parent))  # 0700
            self._lock = hold_lock(path / IN_USE)
            self._path = path
        return self._path

    def remove_left_behind(self) -> list[Path]:
        """Remove the folders of earlier runs that ended without emptying theirs (this OS
        user's only, never one a live run holds); the folders removed."""
        parent = Path(self._parent or tempfile.gettempdir())
        try:
            entries = [e for e in parent.iterdir() if _FOLDER_NAME.fullmatch(e.name)]
        except OSError:
            return []
        removed = []
        for entry in entries:
            if entry != self._path and _left_behind(entry):
                shutil.rmtree(entry, ignore_errors=True)
                removed.append(entry)
        return removed

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
        if self._lock is not None:
            os.close(self._lock)  # Windows removes no open file
            self._lock = None
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None


def _left_behind(folder: Path) -> bool:
    """Whether ``folder`` is an ended run's: a real folder of this OS user whose run's lock
    is free (or, made by an older version without one, not touched for a while)."""
    try:
        info = folder.lstat()
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):  # a link or a file planted under the name
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    lock = folder / IN_USE
    if lock.exists():
        return lock_is_free(lock)
    return time.time() - info.st_mtime > _MAKING_S
