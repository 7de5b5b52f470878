"""The Exchange area: bundles to and from headquarters, the exchange log, conflicts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle

from app.i18n import _

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def register(window: MainWindow) -> None:
    from ui.exchange.page import ExchangePage

    window.register_area(
        "exchange", lambda: _("Exchange"), ExchangePage, QStyle.StandardPixmap.SP_BrowserReload
    )
