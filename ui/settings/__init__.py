"""The Settings area: language, idle lock, keyring, own password, users, mission contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _page(window: MainWindow) -> QWidget:
    # Loaded when the area is first shown: the recovery sheet brings reportlab, PIL and
    # qrcode, which opening the main window on the case list does not need (issue 17).
    from ui.settings.page import SettingsPage

    return SettingsPage(window)


def register(window: MainWindow) -> None:
    window.register_area(
        "settings",
        lambda: _("Settings"),
        _page,
        QStyle.StandardPixmap.SP_FileDialogInfoView,
    )
