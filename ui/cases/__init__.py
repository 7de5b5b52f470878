"""The Cases area: the list, and the editor in its place while a case is open."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _area(window: MainWindow) -> QWidget:
    # Loaded when the area is first shown: the editor pulls in the agreements and the letter
    # renderer, which the start page does not need.
    from ui.cases.area import CasesArea

    return CasesArea(window)


def register(window: MainWindow) -> None:
    window.register_area(
        "cases",
        lambda: _("Cases"),
        _area,
        QStyle.StandardPixmap.SP_FileDialogDetailedView,
    )
