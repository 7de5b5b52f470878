"""Amounts claimed in the case editor: rows with a kind picked by name, saved to the case,
named as the letters name them, and bad input kept off the case."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.i18n import language_override
from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.ui.new_case import fill_new_case
from tests.ui.press import click, on_screen, press_save
from ui.cases.area import CasesArea
from ui.cases.claims import ClaimsEditor
from ui.main_window import MainWindow

MakeWindow = Callable[..., MainWindow]


@pytest.fixture
def claims(qtbot: QtBot, cases_area: CasesArea) -> ClaimsEditor:
    """A new case's claims, filled in but for them, with the first row added by its button."""
    fill_new_case(cases_area)
    claims = cases_area.editor.claims
    click(qtbot, claims.add_button)
    return claims


def test_claims_are_entered_in_rows_and_saved_with_the_case(
    qtbot: QtBot, cases_area: CasesArea, claims: ClaimsEditor, ws: Workspace
) -> None:
    row = claims.rows[0]
    row.amount.setText("6 600 000")
    row.currency.setCurrentText("KRW")
    row.kind.setCurrentIndex(row.kind.findData("wages"))
    row.start.setText("01.06.2026")
    row.end.setText("31.08.2026")
    click(qtbot, claims.add_button)
    second = claims.rows[1]
    second.amount.setText("1250,50")
    second.currency.setCurrentText("usd")
    second.kind.setCurrentIndex(second.kind.findData("overtime"))
    assert row.kind.currentText() == "unpaid wages"  # the letters' words, not the code
    assert press_save(qtbot, cases_area.editor)
    case = cases_area.editor.case
    assert case is not None
    assert list(case.claims) == [
        {
            "amount": "6600000",
            "currency": "KRW",
            "what": "wages",
            "period_from": "2026-06-01",
            "period_to": "2026-08-31",
        },
        {"amount": "1250.50", "currency": "USD", "what": "overtime"},
    ]
    # Reopened, the rows come back; removing one leaves no gap and marks the case changed.
    cases_area.open_case(case.id)
    claims = cases_area.editor.claims
    assert [r.amount.text() for r in claims.rows] == ["6600000", "1250.50"]
    qtbot.waitUntil(claims.rows[0].remove.isVisible)  # new rows are shown by the event loop
    click(qtbot, claims.rows[0].remove)
    assert cases_area.editor.dirty
    assert [r.amount.text() for r in claims.rows] == ["1250.50"]
    assert press_save(qtbot, cases_area.editor)
    assert [c["what"] for c in CaseService(ws).get_case(case.id).claims] == ["overtime"]


def test_a_bad_row_is_named_and_nothing_is_saved(
    qtbot: QtBot, cases_area: CasesArea, claims: ClaimsEditor, ws: Workspace
) -> None:
    claims.rows[0].amount.setText("100")
    claims.rows[0].start.setText("31.02.2026")
    assert not press_save(qtbot, cases_area.editor)
    assert "Amount 1" in cases_area.editor.boxes["claims"].error.text()
    claims.rows[0].start.setText("")
    claims.rows[0].currency.setCurrentText("WON!")
    assert not press_save(qtbot, cases_area.editor)
    assert "ISO 4217" in cases_area.editor.boxes["claims"].error.text()
    assert CaseService(ws).count_cases() == 0


def test_an_empty_row_is_no_claim_and_kinds_follow_the_language(
    qtbot: QtBot, qapp: QApplication
) -> None:
    editor = on_screen(qtbot, ClaimsEditor())
    click(qtbot, editor.add_button)
    assert editor.claims() == []
    with language_override("kk"):
        editor.retranslate_ui()
        assert editor.rows[0].kind.itemText(0) == "төленбеген жалақы"
    editor.retranslate_ui()
    assert editor.rows[0].kind.itemText(0) == "unpaid wages"
