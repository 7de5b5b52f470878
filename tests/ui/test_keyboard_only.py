"""An officer at the counter with the keyboard alone: a new case registered, a person on file
picked, the case saved, a letter drafted for it, the list searched, dialogs closed.

Each test presses the keys the officer presses (``QApplication.focusWidget()`` receives them)
and checks where the focus went and what was written.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.letters import LetterFilter, LetterService
from app.services.workspace import Workspace
from tests.conftest import PASSWORD
from tests.ui.new_case import cases_area_of, fill_new_case
from tests.ui.press import WAIT_MS, activate, modal_dialog, press_save
from ui.cases import editor as editor_module
from ui.cases.area import CasesArea
from ui.letters.dialog import LetterDialog
from ui.letters.page import LettersPage
from ui.main_window import MainWindow

MakeWindow = Callable[..., MainWindow]
CTRL = Qt.KeyboardModifier.ControlModifier
ALT = Qt.KeyboardModifier.AltModifier


def _focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "no widget has the keyboard focus"
    return widget


def _press(
    qtbot: QtBot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
) -> None:
    """``key`` pressed where the focus is, as the officer's keyboard sends it."""
    qtbot.keyClick(_focused(), key, modifier)


def _saved_by_keyboard(qtbot: QtBot, area: CasesArea) -> None:
    """Ctrl+S in the editor, and the write waited for."""
    _press(qtbot, Qt.Key.Key_S, CTRL)
    task = area.editor.save_task
    assert task is not None, "Ctrl+S started no save"
    qtbot.waitUntil(lambda: not task.running, timeout=WAIT_MS)


def test_a_possible_duplicate_is_picked_with_the_keyboard_after_save_refuses(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """The matches were links a mouse alone could follow: Ctrl+S refused the duplicate and
    the officer had no key to use the person on file."""
    area = cases_area_of(make_window(ws))
    fill_new_case(area)
    assert press_save(qtbot, area.editor)
    first = area.editor.case
    assert first is not None
    _press(qtbot, Qt.Key.Key_N, CTRL)
    fill_new_case(area)  # the same worker typed again
    _saved_by_keyboard(qtbot, area)
    person = area.editor.person
    assert area.editor.case is None  # refused: she may be on file
    assert _focused() is person.duplicates  # the matches, ready for Enter
    assert "press Enter" in person.duplicates.text()
    _press(qtbot, Qt.Key.Key_Return)
    assert person.person_id == first.person.id
    assert person.locked
    _saved_by_keyboard(qtbot, area)
    second = area.editor.case
    assert second is not None and second.id != first.id
    assert second.person.id == first.person.id
    assert CaseService(ws).count_cases() == 2


def test_tab_reaches_the_matches_shown_while_typing_and_enter_uses_one(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    area = cases_area_of(make_window(ws))
    fill_new_case(area)
    assert press_save(qtbot, area.editor)
    first = area.editor.case
    assert first is not None
    fill_new_case(area)
    person = area.editor.person
    person.check_duplicates()  # as after the pause in typing
    person.phone.setFocus()  # the last name field typed before the matches
    for _step in range(4):
        if _focused() is person.duplicates:
            break
        _press(qtbot, Qt.Key.Key_Tab)
    assert _focused() is person.duplicates, "Tab never reaches the possible matches"
    _press(qtbot, Qt.Key.Key_Enter)
    assert person.person_id == first.person.id


def _letter_dialog(qtbot: QtBot) -> LetterDialog:
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, LetterDialog)
    activate(qtbot, dialog)
    # Typing starts in its first field (a draft's kind is fixed: its language).
    assert _focused() is (dialog.kind if dialog.letter is None else dialog.lang)
    return dialog


def _saved_case(qtbot: QtBot, window: MainWindow) -> CasesArea:
    area = cases_area_of(window)
    fill_new_case(area)
    assert press_save(qtbot, area.editor)
    return area


def test_esc_in_a_letter_drafted_from_a_case_goes_back_to_the_case(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """Cancelled, the letter left the officer in the Letters area, on one of its filters."""
    window = make_window(ws)
    area = _saved_case(qtbot, window)
    editor = area.editor
    qtbot.keyClicks(editor.timeline.text, "Asked the employer in writing")  # not added yet
    editor.description.setFocus()
    _press(qtbot, Qt.Key.Key_L, ALT)  # New &letter
    dialog = _letter_dialog(qtbot)
    assert window.current_area() == "letters"
    _press(qtbot, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    activate(qtbot, window)  # as the window manager does once the dialog is gone
    assert window.current_area() == "cases"
    assert area.currentWidget() is editor
    assert _focused() is editor.description  # where the officer was
    # The case stayed open under the letter: its timeline note is still there, unasked.
    assert editor.timeline.text.toPlainText() == "Asked the employer in writing"


def test_a_letter_drafted_from_a_case_is_shown_chosen_in_the_register(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """Saved, the draft was chosen in the register only if the register's filters (another
    case's number, left from before) let it show."""
    window = make_window(ws)
    letters = window.area_widget("letters")
    assert isinstance(letters, LettersPage)
    letters.case_filter.setText("SEL-2026-0999")
    letters.refresh()
    area = _saved_case(qtbot, window)
    case = area.editor.case
    assert case is not None
    _press(qtbot, Qt.Key.Key_L, ALT)
    dialog = _letter_dialog(qtbot)
    dialog.subject.setFocus()
    _press(qtbot, Qt.Key.Key_Return)  # Save is the dialog's default button
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    activate(qtbot, window)  # as the window manager does once the dialog is gone
    assert window.current_area() == "letters"
    chosen = letters.selected()
    assert chosen is not None and chosen.case_number == case.number
    assert _focused() is letters.table  # arrows and the register's keys work from here


def test_ctrl_s_saves_the_letter_typed_in_its_facts(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """In the facts Enter starts a new line; Ctrl+S, which saves the case, did nothing here."""
    window = make_window(ws)
    area = _saved_case(qtbot, window)
    case = area.editor.case
    assert case is not None
    _press(qtbot, Qt.Key.Key_L, ALT)
    dialog = _letter_dialog(qtbot)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert save is not None and "Ctrl+S" in save.toolTip()
    dialog.facts.setFocus()
    qtbot.keyClick(dialog.facts, Qt.Key.Key_End, CTRL)
    qtbot.keyClicks(dialog.facts, " Seen at the mission.")
    _press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert dialog.result() == QDialog.DialogCode.Accepted
    [letter] = LetterService(ws).list_letters(LetterFilter(case_id=case.id))
    assert letter.facts.endswith(" Seen at the mission.")


def test_a_case_opened_from_the_list_starts_at_the_top_of_its_form(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """Opened with Enter, a case kept the focus where the previous one had it: on the
    categories at the foot of the form, scrolled down past the worker's name."""
    window = make_window(ws)
    area = _saved_case(qtbot, window)
    editor = area.editor
    editor.categories.setFocus()  # the last field the officer used on that case
    _press(qtbot, Qt.Key.Key_Escape)
    assert area.currentWidget() is area.list_view
    _press(qtbot, Qt.Key.Key_F, CTRL)
    qtbot.keyClicks(_focused(), "KURMAN")
    _press(qtbot, Qt.Key.Key_Return)  # into the results
    view = area.list_view
    qtbot.waitUntil(lambda: _focused() is view.table, timeout=WAIT_MS)
    _press(qtbot, Qt.Key.Key_Return)  # opens the case
    assert area.currentWidget() is editor
    assert _focused() is editor.person.edits["surname"]
    assert editor.form_scroll.verticalScrollBar().value() == 0


def test_tab_goes_from_the_timeline_entry_to_its_add_button(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """Add sits beside the kind of entry: Tab reached it before the text, then went from the
    text to "Move to", and the entry typed was added only with the mouse or Shift+Tab twice."""
    area = _saved_case(qtbot, make_window(ws))
    case = area.editor.case
    assert case is not None
    timeline = area.editor.timeline
    timeline.kind.setFocus()
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focused() is timeline.text
    qtbot.keyClicks(timeline.text, "Called the employer; he promises to pay by Friday.")
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focused() is timeline.add_button
    _press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: timeline.text.toPlainText() == "", timeout=WAIT_MS)
    entries = CaseService(ws).get_case(case.id).events
    assert any("pay by Friday" in (e.text or "") for e in entries)
    _press(qtbot, Qt.Key.Key_Tab)
    assert _focused() is timeline.target  # then on to the status


def test_enter_presses_the_focused_button_in_the_main_window(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """Enter did nothing on a button outside a dialog: tabbed to "Add to the timeline" or
    "New case", the officer pressed Enter and waited."""
    window = make_window(ws)
    area = _saved_case(qtbot, window)
    case = area.editor.case
    assert case is not None
    timeline = area.editor.timeline
    qtbot.keyClicks(timeline.text, "Passport handed back by the employer.")
    timeline.add_button.setFocus()
    _press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: timeline.text.toPlainText() == "", timeout=WAIT_MS)
    entries = CaseService(ws).get_case(case.id).events
    assert any("Passport handed back" in e.text for e in entries)

    _press(qtbot, Qt.Key.Key_Escape)  # back to the list
    view = area.list_view
    view.new_button.setFocus()
    _press(qtbot, Qt.Key.Key_Enter)  # the keypad's Enter too
    qtbot.waitUntil(lambda: area.currentWidget() is area.editor, timeout=WAIT_MS)
    assert area.editor.case is None  # a new case's form


def test_enter_on_a_draft_in_the_register_opens_it(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """A double click opened a draft; Enter on it, as in the case list, did nothing."""
    window = make_window(ws)
    area = _saved_case(qtbot, window)
    _press(qtbot, Qt.Key.Key_L, ALT)
    dialog = _letter_dialog(qtbot)
    _press(qtbot, Qt.Key.Key_S, CTRL)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    activate(qtbot, window)
    letters = window.area_widget("letters")
    assert isinstance(letters, LettersPage)
    assert _focused() is letters.table
    draft = letters.selected()
    assert draft is not None and area.editor.case is not None
    _press(qtbot, Qt.Key.Key_Return)
    again = _letter_dialog(qtbot)
    assert again is not dialog
    assert again.letter is not None and again.letter.id == draft.id
    _press(qtbot, Qt.Key.Key_Escape)  # nothing typed: closes without asking
    assert not again.isVisible()


def test_esc_asks_before_a_typed_timeline_entry_is_thrown_away(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A note typed for the timeline and not added went with Esc, unasked; opened again
    later, the next case showed it in its box, and Add wrote it into that case."""
    window = make_window(ws)
    area = _saved_case(qtbot, window)
    editor = area.editor
    first = editor.case
    assert first is not None
    asked: list[bool] = []

    def answer(keep: bool) -> None:
        """The officer's answer to the question, Cancel (keep) or Discard, noted when asked."""

        def ask(_parent: QWidget) -> bool:
            asked.append(keep)
            return not keep

        monkeypatch.setattr(editor_module, "ask_unadded_entry", ask)

    qtbot.keyClicks(editor.timeline.text, "Phoned the employer")
    answer(keep=True)
    _press(qtbot, Qt.Key.Key_Escape)
    assert asked == [True]
    assert area.currentWidget() is editor  # still open, the text kept
    assert editor.timeline.text.toPlainText() == "Phoned the employer"
    answer(keep=False)
    _press(qtbot, Qt.Key.Key_Escape)
    assert asked == [True, False]
    assert area.currentWidget() is area.list_view
    assert CaseService(ws).get_case(first.id).events == first.events  # nothing written

    editor.open_case(first.id)  # the same case again: the box is empty
    assert editor.timeline.text.toPlainText() == ""


def test_an_entry_typed_for_one_case_never_waits_in_the_next_ones_timeline(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    area = _saved_case(qtbot, window)
    first = area.editor.case
    fill_new_case(area, surname="Тоқтарова")
    area.editor.person.iin.setText("")
    assert press_save(qtbot, area.editor)
    second = area.editor.case
    assert first is not None and second is not None
    editor = area.editor
    qtbot.keyClicks(editor.timeline.text, "Shelter found for her")
    editor.open_case(first.id)  # shown without the area's question (a link, a report)
    assert editor.timeline.text.toPlainText() == ""


def _unlocked_by_keyboard(qtbot: QtBot, window: MainWindow) -> None:
    """The password typed on the lock screen and Enter pressed, as the officer does."""
    password = window.lock_screen.password
    # Ready for the password (once a dialog the lock closed has handed the window back).
    qtbot.waitUntil(lambda: QApplication.focusWidget() is password, timeout=WAIT_MS)
    qtbot.keyClicks(password, PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=WAIT_MS):
        _press(qtbot, Qt.Key.Key_Return)


def test_typing_goes_on_in_the_same_field_after_the_lock(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """Unlocked, no widget had the focus: the officer's next keys went nowhere."""
    window = make_window(ws)
    area = cases_area_of(window)
    _press(qtbot, Qt.Key.Key_N, CTRL)
    surname = area.editor.person.edits["surname"]
    surname.setFocus()
    qtbot.keyClicks(surname, "Abe")
    _press(qtbot, Qt.Key.Key_L, CTRL)
    assert window.is_locked
    _unlocked_by_keyboard(qtbot, window)
    assert _focused() is surname
    qtbot.keyClicks(_focused(), "nov")
    assert surname.text() == "Abenov"


def test_a_dialog_closed_by_the_lock_gives_the_focus_back_to_the_window(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    window.show_area("cases")
    search = cases_area_of(window).list_view.filters.search
    _press(qtbot, Qt.Key.Key_F, CTRL)
    assert _focused() is search
    window.show_shortcuts()
    modal_dialog(qtbot)
    window.lock()
    _unlocked_by_keyboard(qtbot, window)
    assert _focused() is search
