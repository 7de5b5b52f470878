"""The Contracts area: review a worker's employment contract, alone or for a case.

The lead wires ``register`` into ``AREA_MODULES``; the case view calls
``open_review_for_case(window, case_id)`` for its "Review contract" action.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStyle, QWidget

from app.i18n import _

if TYPE_CHECKING:
    from ui.contracts.page import ContractReviewPage
    from ui.main_window import MainWindow

AREA_KEY = "contracts"


def _page(window: MainWindow) -> QWidget:
    from ui.contracts.page import ContractReviewPage  # loaded when the area is first shown

    page = ContractReviewPage(window.workspace)
    # The window switches only its own texts: each area follows the language itself.
    window.bridge.language_changed.connect(page.retranslate_ui)
    return page


def register(window: MainWindow) -> None:
    window.register_area(
        AREA_KEY,
        lambda: _("Contract review"),
        _page,
        QStyle.StandardPixmap.SP_FileDialogContentsView,
    )


def open_review_for_case(window: MainWindow, case_id: str) -> ContractReviewPage:
    """Show the area with a new review pre-filled from the case (country, worker, employer)."""
    from ui.contracts.page import ContractReviewPage

    page = window.show_area(AREA_KEY)
    assert isinstance(page, ContractReviewPage)
    if page.confirm_close():  # a review typed and not saved is not wiped unasked
        page.start_for_case(case_id)
    return page


def open_saved_review(window: MainWindow, review_id: str) -> ContractReviewPage:
    """Show the area with a saved review in it (a case's timeline links to its reviews)."""
    from ui.contracts.page import ContractReviewPage

    page = window.show_area(AREA_KEY)
    assert isinstance(page, ContractReviewPage)
    if page.confirm_close():
        page.show_review(review_id)
    return page


__all__ = ["AREA_KEY", "open_review_for_case", "open_saved_review", "register"]
