"""The Headquarters area (HQ only): every mission's last bundle, overdue cases, repeats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _
from app.services.consolidation import READERS

if TYPE_CHECKING:
    from ui.cases.area import CasesArea
    from ui.main_window import MainWindow


def _page(window: MainWindow) -> QWidget:
    from app.services.records import CaseFilter
    from ui.hq.page import HqPage  # loaded when the area is first shown

    page = HqPage(window.workspace, window.bridge)
    page.case_opened.connect(lambda case_id: _cases(window).open_case(case_id))
    page.cases_searched.connect(lambda text: _cases(window).show_filtered(CaseFilter(text=text)))
    page.mission_listed.connect(lambda code: _cases(window).show_filtered(CaseFilter(mission=code)))
    return page


def _cases(window: MainWindow) -> CasesArea:
    from ui.cases.area import CasesArea

    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    return area


def register(window: MainWindow) -> None:
    workspace = window.workspace
    if not workspace.mission.is_hq or workspace.actor.role not in READERS:
        return  # a mission has no missions to consolidate
    window.register_area("hq", lambda: _("Missions"), _page, QStyle.StandardPixmap.SP_DriveNetIcon)
