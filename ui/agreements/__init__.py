"""The Agreements area: the library browser, and the case editor's "Applicable law" panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle

from app.i18n import _

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def register(window: MainWindow) -> None:
    from ui.agreements.page import AgreementsPage

    window.register_area(
        "agreements",
        lambda: _("Agreements"),
        lambda w: AgreementsPage(w.workspace, w.bridge),
        QStyle.StandardPixmap.SP_FileDialogContentsView,
    )
