"""The Partners area: the mission's partner organisations (NGOs, shelters, lawyers, hotlines)
cases are referred to; and the dialog the case editor opens for "Refer to a partner…"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from app.services.workspace import Workspace
    from ui.main_window import MainWindow
    from ui.partners.dialogs import ReferralDialog

AREA_KEY = "partners"


def _page(window: MainWindow) -> QWidget:
    from ui.partners.page import PartnersPage  # loaded when the area is first shown

    return PartnersPage(window.workspace, window.bridge)


def register(window: MainWindow) -> None:
    """A mission's area: HQ refers no case (it reads the partners in the missions' bundles)."""
    if window.workspace.mission.is_hq:
        return
    window.register_area(
        AREA_KEY,
        lambda: _("Partners"),
        _page,
        QStyle.StandardPixmap.SP_DirLinkIcon,
    )


def refer_case(
    parent: QWidget, workspace: Workspace, case_id: str, case_number: str, case_status: str
) -> ReferralDialog:
    """Open the referral dialog for a case (window-modal, not a nested event loop)."""
    from ui.partners.dialogs import ReferralDialog

    dialog = ReferralDialog(parent, workspace, case_id, case_number, case_status)
    dialog.open()
    return dialog


__all__ = ["AREA_KEY", "refer_case", "register"]
