"""The Headquarters area (HQ only): every mission's last bundle, overdue cases, repeats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _
from app.services.consolidation import READERS

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _page(window: MainWindow) -> QWidget:
    from ui.hq.page import HqPage  # loaded when the area is first shown

    return HqPage(window.workspace)


def register(window: MainWindow) -> None:
    workspace = window.workspace
    if not workspace.mission.is_hq or workspace.actor.role not in READERS:
        return  # a mission has no missions to consolidate
    window.register_area("hq", lambda: _("Missions"), _page, QStyle.StandardPixmap.SP_DriveNetIcon)
