"""Reports and statistics: the dashboard area of the main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def register(window: MainWindow) -> None:
    """Add the dashboard to the navigation (the lead lists ``ui.reports`` in AREA_MODULES)."""
    from ui.reports.dashboard import DashboardPage

    def build(main: MainWindow) -> QWidget:
        page = DashboardPage(main.workspace, main.bridge)
        page.refresh()
        return page

    window.register_area(
        "reports",
        lambda: _("Reports"),
        build,
        QStyle.StandardPixmap.SP_FileDialogInfoView,
    )
