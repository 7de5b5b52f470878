"""The cases area of a main window, and a new case typed into its editor, for the UI tests."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.domain.iin import make_iin

if TYPE_CHECKING:
    from ui.cases.area import CasesArea

IIN = make_iin(date(1994, 3, 15), "female", 4012)
"""The IIN typed for Әсел Құрманғалиқызы: born 15 March 1994."""


def cases_area_of(window: object) -> CasesArea:
    """``window``'s cases area, shown."""
    from ui.cases.area import CasesArea  # the UI loads once a test needs it, as in the app

    area = window.show_area("cases")  # type: ignore[attr-defined]
    assert isinstance(area, CasesArea)
    return area


def fill_new_case(area: CasesArea, surname: str = "Құрманғалиқызы") -> None:
    """A new case in ``area``'s editor with the worker, her complaint and its urgency typed in,
    not yet saved."""
    area.new_case()
    editor = area.editor
    person = editor.person
    person.edits["surname"].setText(surname)
    person.edits["given_names"].setText("Әсел")
    person.edits["surname_latin"].setText("KURMANGALIKYZY")
    person.edits["given_names_latin"].setText("ASSEL")
    person.iin.setText(IIN)
    person.phone.setText("+82 10 0000 0000")
    editor.description.setPlainText("Wages unpaid for three months; passport kept by employer.")
    editor.categories.set_checked(("unpaid_wages", "documents_withheld"))
    editor.urgency.setCurrentIndex(editor.urgency.findData("high"))
    editor.dirty = True
