"""Words typed into the new case form's phone field: saving is refused beside the field, the
form kept as typed and nothing written (``tests/unit/test_name_and_phone_fields.py`` holds the
rule's other paths)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.db.models import Case
from app.services.workspace import Workspace
from tests.conftest import count
from tests.ui.new_case import fill_new_case
from tests.ui.press import press_save
from ui.cases.area import CasesArea


def test_words_for_a_phone_are_refused_beside_the_field(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    fill_new_case(cases_area)
    editor = cases_area.editor
    editor.person.phone.setText("WhatsApp only")

    assert not press_save(qtbot, editor)

    error = editor.person.boxes["phone_abroad"].error
    assert error.isVisible() and "“WhatsApp only” is not a phone number" in error.text()
    assert editor.person.phone.text() == "WhatsApp only"
    assert count(ws, Case) == 0
