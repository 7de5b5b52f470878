"""The Letters area: the outgoing register, the letter editor with its PDF preview."""

from __future__ import annotations

from PySide6.QtWidgets import QStyle

from app.i18n import _
from ui.main_window import MainWindow


def register(window: MainWindow) -> None:
    """Add the Letters area to the main window (the lead adds this module to AREA_MODULES)."""
    from ui.letters.page import LettersPage

    window.register_area(
        "letters",
        lambda: _("Letters"),
        lambda w: LettersPage(w.workspace, w.bridge),
        QStyle.StandardPixmap.SP_FileDialogContentsView,
    )
