"""What Qorgau put on the clipboard does not outlive the officer's session.

A surname, an IIN or a sentence of a complaint copied from a field (Ctrl+C, or only selected:
X11's selection) stays on the system clipboard after the window locks or closes: Windows and
desktop clipboard managers keep it after the app quits, where anyone at the desk, or a thief
with the OS account, pastes it. At a lock and at the end the guard clears the clipboard, but
only when it still holds what was copied inside Qorgau: something copied in another program
since then is the user's, and stays.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QClipboard, QGuiApplication


def qorgau_in_front() -> bool:
    """Whether a window of this app has the keyboard: a copy made now was made in Qorgau."""
    return QGuiApplication.focusWindow() is not None


class ClipboardGuard(QObject):
    def __init__(
        self, parent: QObject | None = None, copied_here: Callable[[], bool] = qorgau_in_front
    ) -> None:
        super().__init__(parent)
        self._copied_here = copied_here
        self._modes = [QClipboard.Mode.Clipboard]
        clipboard = QGuiApplication.clipboard()
        if clipboard.supportsSelection():
            self._modes.append(QClipboard.Mode.Selection)
        # Per mode, the text Qorgau last put there (None: nothing of ours).
        self._ours: dict[QClipboard.Mode, str | None] = dict.fromkeys(self._modes)
        clipboard.changed.connect(self._changed)

    def _changed(self, mode: QClipboard.Mode) -> None:
        if mode not in self._ours:
            return
        # Read only a copy made here, which Qorgau owns: another program's text (every
        # selection in it, on X11) is asked of that program, a round trip that can hang.
        text = QGuiApplication.clipboard().text(mode) if self._copied_here() else ""
        self._ours[mode] = text or None

    def clear_ours(self) -> None:
        """Empty each clipboard that still holds the text Qorgau put there."""
        clipboard = QGuiApplication.clipboard()
        for mode, ours in self._ours.items():
            if ours is not None and clipboard.text(mode) == ours:
                clipboard.clear(mode)
            self._ours[mode] = None
