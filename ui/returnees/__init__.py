"""The Returnees area (HQ): the returnees' skills register, and the dialog a mission opens from
a closed case ("Record skills on return…"); see app/services/returnees.py for the rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from ui.main_window import MainWindow

AREA_KEY = "returnees"


def _page(window: MainWindow) -> QWidget:
    from ui.returnees.page import ReturneesPage  # loaded when the area is first shown

    return ReturneesPage(window.workspace, window.bridge)


def register(window: MainWindow) -> None:
    """The register lives at HQ; a mission records from its closed cases (the case's action)."""
    if not window.workspace.mission.is_hq:
        return
    window.register_area(
        AREA_KEY,
        lambda: _("Returnees' register"),
        _page,
        QStyle.StandardPixmap.SP_FileDialogDetailedView,
    )


def record_skills_for_case(parent: QWidget, window: MainWindow, case_id: str) -> bool:
    """Open the register's dialog for a closed case (prefilled, or its record to edit);
    True when a record was saved."""
    from ui.returnees.dialog import ReturneeDialog

    dialog = ReturneeDialog(parent, window.workspace, case_id=case_id)
    return bool(dialog.exec())


__all__ = ["AREA_KEY", "record_skills_for_case", "register"]
