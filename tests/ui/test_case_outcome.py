"""The case's outcome in the case form: saved, read back, refused, and offered on resolving."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.records import CaseChanges
from app.services.workspace import Workspace
from tests.builders import ASSEL, TODAY, wage_case
from tests.conftest import OpenWs
from tests.ui.press import click, on_screen, press_save, type_into, wait_written
from ui.cases import editor as editor_module
from ui.cases.editor import CaseEditor

CLAIMED = ({"amount": "2000", "currency": "USD", "what": "wages"},)


def _editor(qtbot: QtBot, ws: Workspace, status: str = "") -> tuple[CaseEditor, str]:
    case = wage_case(ws, ASSEL, TODAY - timedelta(days=20), claims=CLAIMED)
    if status:
        CaseService(ws).set_status(case.id, status, "Started")
    editor = on_screen(qtbot, CaseEditor(ws, [("aigul", "Aigul")]))
    editor.open_case(case.id)
    return editor, case.id


def test_the_outcome_typed_in_the_form_is_saved_and_shown_again(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    ws = open_ws("aigul")
    editor, case_id = _editor(qtbot, ws)
    outcome = editor.outcome
    assert editor.outcome_box.isVisibleTo(editor)
    assert not outcome.documents_on.isEnabled()  # no day before the box is ticked
    assert outcome.currency.currentText() == "USD"  # the claims' currency offered
    click(qtbot, outcome.documents)
    assert outcome.documents_on.isEnabled() and editor.dirty
    returned_on = TODAY - timedelta(days=2)
    outcome.documents_on.set_date(returned_on)
    type_into(qtbot, outcome.amount, "1500")
    assert press_save(qtbot, editor)

    saved = CaseService(ws).get_case(case_id)
    assert saved.documents_returned and saved.documents_returned_on == returned_on
    assert (saved.wages_recovered_amount, saved.wages_recovered_currency) == (
        Decimal("1500"),
        "USD",
    )
    assert not saved.repatriated
    shown = editor.timeline.events.toPlainText()
    assert "Outcome recorded\nDocuments returned on " in shown
    assert "wages recovered: 1,500 USD." in shown.replace("\u00a0", " ")

    again = on_screen(qtbot, CaseEditor(ws, [("aigul", "Aigul")]))
    again.open_case(case_id)
    assert again.outcome.documents.isChecked() and not again.outcome.repatriated.isChecked()
    assert again.outcome.documents_on.date() == returned_on
    assert again.outcome.amount.text() == "1500" and not again.dirty
    # Unticked: the day goes with it.
    click(qtbot, again.outcome.documents)
    assert press_save(qtbot, again)
    cleared = CaseService(ws).get_case(case_id)
    assert not cleared.documents_returned and cleared.documents_returned_on is None


def test_a_future_day_is_refused_beside_its_field_and_nothing_is_written(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    ws = open_ws("aigul")
    editor, case_id = _editor(qtbot, ws)
    click(qtbot, editor.outcome.repatriated)
    editor.outcome.repatriated_on.set_date(TODAY + timedelta(days=3))
    assert not press_save(qtbot, editor)
    box = editor.boxes["repatriated_on"]
    assert box.error.text() == "The date cannot be in the future."
    assert not CaseService(ws).get_case(case_id).repatriated


@pytest.mark.parametrize("confirmed", [False, True])
def test_an_amount_ten_times_the_claims_is_saved_only_when_confirmed(
    qtbot: QtBot, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch, confirmed: bool
) -> None:
    asked: list[str] = []
    monkeypatch.setattr(
        editor_module, "ask_large_recovery", lambda _parent, text: asked.append(text) or confirmed
    )
    ws = open_ws("aigul")
    editor, case_id = _editor(qtbot, ws)
    type_into(qtbot, editor.outcome.amount, "200000")
    press_save(qtbot, editor)
    qtbot.waitUntil(lambda: not editor.saving, timeout=5000)
    assert len(asked) == 1 and "more than 10 times" in asked[0]
    expected = Decimal("200000") if confirmed else None
    qtbot.waitUntil(
        lambda: CaseService(ws).get_case(case_id).wages_recovered_amount == expected,
        timeout=5000,
    )
    assert editor.dirty is not confirmed


def test_resolving_a_case_with_no_outcome_offers_to_record_it(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    ws = open_ws("aigul")
    editor, _case_id = _editor(qtbot, ws, status="in_progress")
    timeline = editor.timeline
    timeline.target.setCurrentIndex(timeline.target.findData("resolved"))
    timeline.change_status()
    timeline.dialog.reason.setPlainText("The employer paid.")
    timeline.dialog.accept()
    wait_written(qtbot, timeline)
    qtbot.waitUntil(lambda: getattr(editor, "outcome_offer", None) is not None, timeout=5000)
    box = editor.outcome_offer
    assert box.windowTitle() == "The case is resolved"
    assert box.text().startswith("Record the outcome?")
    assert sorted(b.text() for b in box.buttons()) == ["Not now", "Record the outcome"]
    next(b for b in box.buttons() if b.text() == "Record the outcome").click()
    # The window's focus goes to the first of the outcome's fields (offscreen, no window is
    # active to hold it, so the window's focus child is asked).
    qtbot.waitUntil(lambda: editor.focusWidget() is editor.outcome.documents, timeout=5000)


def test_resolving_a_case_whose_outcome_is_recorded_asks_nothing(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    ws = open_ws("aigul")
    editor, case_id = _editor(qtbot, ws, status="in_progress")
    CaseService(ws).update_case(case_id, CaseChanges(repatriated=True))
    editor.open_case(case_id)
    assert editor._offer_outcome("resolved") is None
    assert editor._offer_outcome("in_progress") is None
