"""A case whose personal data retention took says so where its worker's name was."""

from __future__ import annotations

from datetime import datetime

from pytestqt.qtbot import QtBot

from app.i18n import format_date
from app.services.cases import CaseService
from app.services.records import PersonInput
from app.services.retention import run_manually
from app.services.workspace import Workspace
from tests.unit.test_retention import LATER, close, make_case
from ui.cases.area import CasesArea


def test_an_anonymised_case_is_named_so_in_its_heading(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    """The fault: its heading read "Case SEL-2026-0001 —" over empty fields, and neither an
    officer nor HQ's analyst could tell data never recorded from data taken away."""
    case = make_case(ws, PersonInput(surname="Сейітова", given_names="Ләззат"))
    close(ws, case.id)
    run_manually(ws, today=LATER)
    anonymised = CaseService(ws).get_case(case.id).anonymised_at
    assert isinstance(anonymised, datetime)

    cases_area.open_case(case.id)
    qtbot.waitUntil(lambda: cases_area.editor.case is not None, timeout=10_000)

    heading = cases_area.editor.heading
    day = format_date(anonymised.astimezone().date())
    assert heading.text() == f"Case {case.number} — anonymised on {day}"
    assert "Retention anonymised this case" in heading.toolTip()
    assert "Сейітова" not in heading.text()
