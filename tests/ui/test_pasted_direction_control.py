"""A name pasted with a right-to-left override (U+202E) into the new case form: the field shows
it reversed, and saving is refused beside the field, the form kept as typed and nothing
written (``tests/security/test_invisible_characters.py`` holds the rule's other paths)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.db.models import Case
from app.services.workspace import Workspace
from tests.conftest import count
from tests.ui.new_case import fill_new_case
from tests.ui.press import press_save
from ui.cases.area import CasesArea

PASTED = "\u202eызықилағнамрұҚ"  # shows as «Құрманғалиқызы»


def test_a_pasted_direction_control_is_refused_beside_the_surname(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    fill_new_case(cases_area, surname=PASTED)
    editor = cases_area.editor

    assert not press_save(qtbot, editor)

    error = editor.person.boxes["surname"].error
    assert error.isVisible() and "U+202E" in error.text()
    assert "reverses the text" in error.text()
    assert editor.person.edits["surname"].text() == PASTED
    assert count(ws, Case) == 0
