"""The Exchange area: bundles to and from headquarters, the exchange log, conflicts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _page(window: MainWindow) -> QWidget:
    from ui.exchange.page import ExchangePage  # loaded when the area is first shown

    page = ExchangePage(window)
    # The window switches only its own texts: each area follows the language itself.
    window.bridge.language_changed.connect(page.retranslate_ui)
    return page


def register(window: MainWindow) -> None:
    window.register_area(
        "exchange", lambda: _("Exchange"), _page, QStyle.StandardPixmap.SP_BrowserReload
    )
