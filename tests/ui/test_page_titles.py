"""The Letters, Contract review and Agreements areas open under a title, as Cases and Reports
do; they began with a filter row, a form or a search box, and only the navigation said where
the officer was."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from tests.conftest import OpenWs
from tests.ui.press import on_screen
from ui.agreements.page import AgreementsPage
from ui.contracts.page import ContractReviewPage
from ui.i18n_bridge import LanguageBridge
from ui.letters.page import LettersPage


def _heads(page: QWidget, title: QLabel, content: QWidget) -> bool:
    """``title`` is shown as a title, above all of ``content``."""
    bottom = title.mapTo(page, QPoint(0, title.height())).y()
    return (
        title.isVisible()
        and title.font().pointSizeF() > page.font().pointSizeF()
        and bottom <= content.mapTo(page, QPoint(0, 0)).y()
    )


# The pages whose title follows the language: (page, English title, Kazakh title).
TITLED = [(LettersPage, "Letters", "Хаттар"), (AgreementsPage, "Agreements", "Келісімдер")]


@pytest.mark.parametrize(("page_type", "english", "kazakh"), TITLED)
def test_the_page_has_a_title_that_follows_the_language(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    page_type: type[LettersPage] | type[AgreementsPage],
    english: str,
    kazakh: str,
) -> None:
    page = on_screen(qtbot, page_type(open_ws("aigul"), bridge))
    assert _heads(page, page.title, page.splitter)
    assert page.title.text() == english
    bridge.set_language("kk")
    assert page.title.text() == kazakh


def test_the_contract_review_page_has_a_title(qtbot: QtBot, open_ws: OpenWs) -> None:
    page = on_screen(qtbot, ContractReviewPage(open_ws("aigul")))
    assert _heads(page, page.title, page.fields_scroll)
    assert page.title.text() == "Contract review"
