"""The Agreements area: the library browser, and the case editor's "Applicable law" panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _page(window: MainWindow) -> QWidget:
    from ui.agreements.page import AgreementsPage  # loaded when the area is first shown

    return AgreementsPage(window.workspace, window.bridge)


def register(window: MainWindow) -> None:
    window.register_area(
        "agreements",
        lambda: _("Agreements"),
        _page,
        QStyle.StandardPixmap.SP_FileDialogContentsView,
    )
