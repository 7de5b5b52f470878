"""The person finder of the new-case form: asks once the typing pauses, off the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt, QThreadPool
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.people import PersonService
from app.services.records import PersonInfo
from app.services.workspace import Workspace
from tests.builders import ASSEL_IDENTIFIED, new_case
from tests.ui.new_case import cases_area_of
from tests.ui.press import on_screen
from ui.cases.person_form import PersonForm

PAUSE_MS = 600  # longer than the form's own in this test, so a slow machine cannot split it
KEY_GAP_MS = 30


def test_typing_runs_one_query_per_pause_off_the_gui_thread(
    qtbot: QtBot, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    CaseService(ws).create_case(new_case())
    people = PersonService(ws)
    asked: list[tuple[str, int]] = []
    find = people.find

    def counting_find(text: str, limit: int = 20) -> list[PersonInfo]:
        asked.append((text, threading.get_ident()))
        return find(text, limit)

    monkeypatch.setattr(people, "find", counting_find)
    form = PersonForm(people)
    qtbot.addWidget(form)
    form.find_timer.setInterval(PAUSE_MS)
    form.show()
    form.finder.setFocus()

    for char in "Kurman":  # ASCII: QTest cannot type every Kazakh letter
        qtbot.keyClicks(form.finder, char)
        qtbot.wait(KEY_GAP_MS)
    assert asked == []  # still typing: nothing asked yet

    qtbot.waitUntil(lambda: bool(form.completer_model.stringList()), timeout=10_000)
    QThreadPool.globalInstance().waitForDone(5_000)

    assert [text for text, _thread in asked] == ["Kurman"]
    assert asked[0][1] != threading.get_ident()
    (shown,) = form.completer_model.stringList()
    assert shown.startswith("Құрманғалиқызы")


def test_clearing_the_finder_drops_an_answer_still_on_its_way(qtbot: QtBot, ws: Workspace) -> None:
    CaseService(ws).create_case(new_case())
    form = on_screen(qtbot, PersonForm(PersonService(ws)))
    qtbot.keyClicks(form.finder, "Kurman")
    form.find_timer.stop()
    form._search()  # the pause ended: the query is on its way

    form.finder.clear()
    qtbot.keyClicks(form.finder, "K")  # one letter: too short to search
    QThreadPool.globalInstance().waitForDone(5_000)
    qtbot.wait(50)  # the stale answer's signal is delivered, and ignored

    assert form.completer_model.stringList() == []


def test_a_repeat_visitor_picked_for_a_new_case_shows_her_cases_here_and_opens_one(
    qtbot: QtBot, ws: Workspace, make_window: Callable[..., object]
) -> None:
    """Picked from the file, a worker who came back showed nothing of her case still open
    here: the officer registered the same complaint a second time."""
    earlier = CaseService(ws).create_case(new_case())
    area = cases_area_of(make_window(ws))
    area.new_case()
    form = area.editor.person
    assert not form.earlier.isVisible()
    form.finder.setFocus()
    qtbot.keyClicks(form.finder, "Kurman")  # ASCII: QTest cannot type every Kazakh letter
    qtbot.waitUntil(lambda: bool(form.completer_model.stringList()), timeout=10_000)
    popup = form.finder.completer().popup()
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert form.person_id == earlier.person.id

    qtbot.waitUntil(form.earlier.isVisible, timeout=5_000)
    shown = form.earlier.text()
    assert f">{earlier.number}</a> (New, received " in shown
    assert "already has cases here" in shown

    # Another person typed instead: her cases go with her.
    form.start_new()
    assert not form.earlier.isVisible()
    form.use_existing(earlier.person.id)  # as the possible-duplicate link does
    qtbot.waitUntil(form.earlier.isVisible, timeout=5_000)

    # Enter on the case's link opens it (the unsaved new case is discarded, as asked).
    form.earlier.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.keyClick(form.earlier, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: area.editor.case is not None, timeout=5_000)
    assert area.editor.case is not None and area.editor.case.id == earlier.id
    assert not form.earlier.isVisible()  # an open case names no "earlier cases"


def test_a_picked_person_is_shown_her_own_cases_only(
    qtbot: QtBot, ws: Workspace, make_window: Callable[..., object]
) -> None:
    first = CaseService(ws).create_case(new_case())
    namesake = replace(ASSEL_IDENTIFIED, surname="Серікова", iin=None, passport_no=None)
    other = CaseService(ws).create_case(new_case(person=namesake), allow_duplicate_person=True)
    area = cases_area_of(make_window(ws))
    area.new_case()
    form = area.editor.person
    form.use_existing(other.person.id)
    QThreadPool.globalInstance().waitForDone(5_000)
    qtbot.wait(50)  # the answer, were there one, reaches the GUI thread
    assert f">{other.number}<" in form.earlier.text()
    assert first.number not in form.earlier.text()


def test_a_case_headquarters_transferred_away_names_the_mission_now_handling_it(
    qtbot: QtBot, ws: Workspace
) -> None:
    case = CaseService(ws).create_case(new_case())
    (row,) = CaseService(ws).list_cases()
    form = on_screen(qtbot, PersonForm(PersonService(ws)))
    form.show_earlier_cases([replace(row, held_by="DXB")], 3)
    shown = form.earlier.text()
    assert f">{case.number}</a> (New, received " in shown
    assert shown.count("now handled by DXB") == 1
    assert "2 more" in shown


def test_a_picked_persons_locked_fields_say_why_and_how_to_change_them(
    qtbot: QtBot, ws: Workspace
) -> None:
    """The fault: IIN, names and birth date went grey with nothing saying why."""
    case = CaseService(ws).create_case(new_case())
    form = on_screen(qtbot, PersonForm(PersonService(ws)))
    form.use_existing(case.person.id)
    locked = [form.iin, form.birth_date, form.edits["surname"], form.edits["given_names"]]
    for field in locked:
        assert not field.isEnabled()
        assert "Another person" in field.toolTip()
        assert field.accessibleDescription() == field.toolTip()
    assert form.phone.isEnabled() and form.phone.toolTip() == ""  # a new phone may be typed
    # Another person: the fields open, with their own hints again.
    form.start_new()
    assert form.iin.isEnabled() and form.iin.toolTip() == ""
    assert form.iin.accessibleDescription() == ""
    assert form.sex.toolTip() == "Left empty, it is taken from the IIN."
    assert "passport" in form.edits["surname_latin"].toolTip()
