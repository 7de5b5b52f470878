"""Reports and statistics: the dashboard area of the main window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _
from ui.returnees import AREA_KEY as RETURNEES

if TYPE_CHECKING:
    from app.services.returnees import ReturneeFilter
    from ui.main_window import MainWindow


def _open_case(window: MainWindow, case_id: str) -> None:
    """A case chosen in a drill-down list opens in the Cases area."""
    area = window.show_area("cases")
    opener = getattr(area, "open_case", None)
    if opener is not None:
        opener(case_id)
        window.activateWindow()


def _list_returnees(window: MainWindow, flt: ReturneeFilter) -> None:
    """A returnee figure's cell lists its records in the Returnees area (HQ's only)."""
    if RETURNEES not in window.area_keys():
        return
    show = getattr(window.show_area(RETURNEES), "show_figure", None)
    if show is not None:
        show(flt)


def register(window: MainWindow) -> None:
    """Add the dashboard to the navigation; QtCharts loads when the area is first shown."""

    def build(main: MainWindow) -> QWidget:
        from ui.reports.dashboard import DashboardPage

        page = DashboardPage(main.workspace, main.bridge)
        page.case_opened.connect(lambda case_id: _open_case(main, case_id))
        page.returnees_requested.connect(lambda flt: _list_returnees(main, flt))
        page.refresh()
        return page

    window.register_area(
        "reports",
        lambda: _("Reports"),
        build,
        QStyle.StandardPixmap.SP_FileDialogInfoView,
    )
