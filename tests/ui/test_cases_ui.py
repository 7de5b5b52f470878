"""The Cases area end to end on a real encrypted database: editor, search, timeline, files."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox
from pytestqt.qtbot import QtBot

from app.db.raw import open_raw
from app.i18n import format_date
from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.ui.new_case import IIN, cases_area_of, fill_new_case
from tests.ui.press import (
    ask_status,
    click,
    modal_dialog,
    press_dialog_button,
    press_save,
    wait_written,
)
from ui.cases import attachments as attachments_module
from ui.cases import editor as editor_module
from ui.cases.area import CasesArea
from ui.main_window import MainWindow
from ui.widgets.dialogs import ReasonDialog
from ui.widgets.fields import recent_example

MakeWindow = Callable[..., MainWindow]


def test_a_case_created_in_the_editor_is_saved_and_listed(
    qtbot: QtBot, cases_area: CasesArea
) -> None:
    assert cases_area.list_view.model.total == 0
    fill_new_case(cases_area)
    assert press_save(qtbot, cases_area.editor)
    case = cases_area.editor.case
    assert case is not None
    assert case.number.startswith("SEL-")
    assert case.person.iin == IIN
    assert case.person.birth_date == date(1994, 3, 15)  # taken from the IIN
    assert set(case.categories) == {"unpaid_wages", "documents_withheld"}
    assert case.urgency == "high"
    assert case.assigned_to == "admin"
    assert not cases_area.editor.dirty
    assert cases_area.editor.heading.text() == f"Case {case.number} — Құрманғалиқызы Әсел"
    qtbot.waitUntil(
        lambda: not cases_area.list_view.model.loading, timeout=3000
    )  # loads off the GUI
    assert cases_area.list_view.model.total == 1
    assert cases_area.list_view.count.text() == "1 case"
    assert cases_area.list_view.model.index(0, 0).data() == case.number


def test_bad_input_shows_a_message_beside_the_field_and_saves_nothing(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    fill_new_case(cases_area)
    editor = cases_area.editor
    editor.person.iin.setText(IIN[:11] + str((int(IIN[11]) + 1) % 10))
    assert not press_save(qtbot, editor)
    iin_error = editor.person.boxes["iin"].error
    assert iin_error.isVisibleTo(editor)
    assert iin_error.text() == (
        "The IIN's check digit does not match; check the number for a typing error."
    )
    editor.person.iin.setText(IIN)
    editor.categories.set_checked(())
    assert not press_save(qtbot, editor)
    assert editor.boxes["categories"].error.text() == "Choose at least one complaint category."
    editor.categories.set_checked(("other",))
    editor.received.setText("31.02.2026")
    assert not press_save(qtbot, editor)
    example = recent_example()  # a recent day, not a birth date
    assert editor.boxes["received_at"].error.text() == (
        f"“31.02.2026” is not a date; write it like {format_date(example)} or {example:%d%m%Y}."
    )
    editor.received.setText("02.11.2026")
    editor.due.setText("02.11.2025")  # a mistyped year: overdue and escalated once saved
    assert not press_save(qtbot, editor)
    assert editor.boxes["due_date"].error.text() == (
        "The follow-up date cannot be before the date the case was received (2 Nov 2026)."
    )
    assert editor.case is None
    assert CaseService(ws).count_cases() == 0


def test_a_possible_duplicate_is_shown_and_can_be_used_instead(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    fill_new_case(cases_area)
    assert press_save(qtbot, cases_area.editor)
    first = cases_area.editor.case
    assert first is not None
    fill_new_case(cases_area, surname="Құрманғалиқызы")
    matches = cases_area.editor.person.check_duplicates()
    assert [m.person_id for m in matches] == [first.person.id]
    assert cases_area.editor.person.duplicates.isVisibleTo(cases_area.editor)
    assert "same IIN" in cases_area.editor.person.duplicates.text()
    assert not press_save(qtbot, cases_area.editor)  # the service refuses a silent duplicate
    assert CaseService(ws).count_cases() == 1
    cases_area.editor.person.use_existing(first.person.id)
    assert cases_area.editor.person.locked
    assert press_save(qtbot, cases_area.editor)
    second = cases_area.editor.case
    assert second is not None and second.id != first.id
    assert second.person.id == first.person.id


def test_the_search_box_finds_the_case_as_you_type(qtbot: QtBot, cases_area: CasesArea) -> None:
    fill_new_case(cases_area)
    assert press_save(qtbot, cases_area.editor)
    fill_new_case(cases_area, surname="Тоқтарова")
    cases_area.editor.person.iin.setText("")
    cases_area.editor.person.edits["surname_latin"].setText("TOKTAROVA")
    assert press_save(qtbot, cases_area.editor)
    cases_area.show_list()
    view = cases_area.list_view
    qtbot.waitUntil(lambda: view.model.total == 2, timeout=3000)
    view.filters.search.setText("Тоқтар")
    assert view.filters.search_timer.isActive()  # debounced, not yet searched
    qtbot.waitUntil(lambda: view.model.total == 1, timeout=3000)
    assert view.count.text() == "1 case"
    assert view.model.index(0, 1).data() == "Тоқтарова Әсел"
    view.filters.clear()
    assert view.count.text() == "Searching…"  # the old rows stay until the new ones arrive
    qtbot.waitUntil(lambda: view.model.total == 2, timeout=3000)
    assert view.count.text() == "2 cases"


def test_ctrl_f_and_ctrl_n_reach_the_cases_area(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    window.new_case_action.trigger()
    area = cases_area_of(window)
    assert area.currentWidget() is area.editor
    assert area.editor.case is None
    window.find_action.trigger()
    assert area.currentWidget() is area.list_view
    assert area.list_view.filters.search.hasFocus()


def test_status_changes_through_the_timeline_with_a_reason(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    area = cases_area_of(make_window(open_ws("aigul")))
    fill_new_case(area)
    assert press_save(qtbot, area.editor)
    timeline = area.editor.timeline
    targets = [timeline.target.itemData(i) for i in range(timeline.target.count())]
    assert targets == ["in_progress", "referred", "resolved"]  # an attaché cannot reject
    timeline.target.setCurrentIndex(0)
    click(qtbot, timeline.status_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, ReasonDialog) and dialog is timeline.dialog
    qtbot.keyClicks(dialog.reason, "Statement taken; employer called.")
    click(qtbot, dialog.ok_button())
    wait_written(qtbot, timeline)
    case = area.editor.case
    assert case is not None and case.status == "in_progress"
    assert area.editor.badge.text().startswith("In progress")
    last = case.events[-1]
    assert (last.kind, last.status_from, last.status_to, last.author) == (
        "status_change",
        "new",
        "in_progress",
        "aigul",
    )
    assert "Statement taken" in timeline.events.toPlainText()

    qtbot.keyClicks(timeline.text, "Called the employer; promised to pay by Friday.")
    timeline.kind.setCurrentIndex(timeline.kind.findData("call"))
    click(qtbot, timeline.add_button)
    wait_written(qtbot, timeline)
    assert "promised to pay by Friday" in timeline.events.toPlainText()
    assert timeline.text.toPlainText() == ""
    assert area.editor.case is not None and area.editor.case.events[-1].kind == "call"
    click(qtbot, timeline.add_button)  # empty text
    wait_written(qtbot, timeline)
    assert timeline.error.isVisibleTo(timeline)


def test_an_attache_is_told_who_moves_a_resolved_case_on(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    """ "Move to" of a resolved case is empty for an attaché (the consul closes or reopens it):
    it was blank and disabled, with no word of why."""
    area = cases_area_of(make_window(open_ws("aigul")))
    fill_new_case(area)
    assert press_save(qtbot, area.editor)
    timeline = area.editor.timeline
    assert timeline.status_note.isHidden()  # an attaché moves a new case on herself
    case = area.editor.case
    assert case is not None
    resolved = CaseService(open_ws("aigul")).set_status(
        case.id, "resolved", "Wages paid.", expected_version=case.version
    )
    area.editor.open_case(resolved.id)
    assert timeline.target.count() == 0 and not timeline.status_button.isEnabled()
    assert timeline.status_note.isVisibleTo(timeline)
    assert timeline.status_note.text() == (
        "Only the consul or head of section changes the status of a case that is “Resolved”."
    )

    consul_area = cases_area_of(make_window(open_ws("serik")))
    consul_area.editor.open_case(resolved.id)
    consul_timeline = consul_area.editor.timeline
    assert consul_timeline.target.findData("closed") >= 0
    assert consul_timeline.status_note.isHidden()


def test_attachments_are_added_opened_and_removed(
    qtbot: QtBot, cases_area: CasesArea, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(attachments_module, "open_with_system", opened.append)
    fill_new_case(cases_area)
    assert press_save(qtbot, cases_area.editor)
    panel = cases_area.editor.attachments
    contract = tmp_path / "contract.pdf"
    contract.write_bytes(b"%PDF-1.4 a contract")
    chosen = [contract]
    monkeypatch.setattr(
        attachments_module.QFileDialog,
        "getOpenFileNames",
        lambda *_args: ([str(chosen.pop(0))], ""),
    )
    cases_area.editor.tabs.setCurrentWidget(panel)
    click(qtbot, panel.add_button)
    wait_written(qtbot, panel)
    assert panel.tree.topLevelItemCount() == 1
    item = panel.tree.topLevelItem(0)
    assert item is not None and item.text(0) == "contract.pdf"
    assert cases_area.editor.case is not None
    assert cases_area.editor.case.events[-1].kind == "attachment_added"

    panel.tree.setCurrentItem(item)
    task = panel.open_selected()  # read and written off the GUI thread
    assert task is not None
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    assert Path(opened[0].toLocalFile()).read_bytes() == b"%PDF-1.4 a contract"

    passport = tmp_path / "passport scan.jpg"
    passport.write_bytes(b"\xff\xd8 fake jpeg")
    chosen.append(passport)
    click(qtbot, panel.add_button)
    box = modal_dialog(qtbot)
    assert isinstance(box, ReasonDialog)
    assert "Kazakh law restricts" in box.intro.text()
    press_dialog_button(qtbot, box, QDialogButtonBox.StandardButton.Cancel)
    assert panel.tree.topLevelItemCount() == 1  # nothing stored without the confirmation

    panel.tree.setCurrentItem(panel.tree.topLevelItem(0))
    click(qtbot, panel.remove_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, ReasonDialog)
    assert not dialog.ok_button().isEnabled()  # no reason given: it cannot be confirmed
    qtbot.keyClicks(dialog.reason, "Uploaded to the wrong case.")
    click(qtbot, dialog.ok_button())
    wait_written(qtbot, panel)
    assert panel.tree.topLevelItemCount() == 0
    assert cases_area.editor.case is not None
    assert cases_area.editor.case.events[-1].text == "contract.pdf: Uploaded to the wrong case."


def test_a_new_cases_attachments_tab_waits_for_the_first_save_as_the_others_do(
    qtbot: QtBot, cases_area: CasesArea
) -> None:
    """The fault: a new case's Attachments tab was enabled (its Add button was not) while
    Applicable law, Letters and Referrals were disabled; now all four wait for the first
    save and say so, and a case open on one of them starts a new case on its Timeline."""
    fill_new_case(cases_area)
    editor = cases_area.editor
    tabs = editor.tabs
    later = [tabs.indexOf(editor.attachments), tabs.indexOf(editor.law_tab)]
    later += [editor.letters_tab_index, editor.referrals_tab_index]
    assert [tabs.isTabEnabled(i) for i in later] == [False] * 4
    assert {tabs.tabToolTip(i) for i in later} == {"Available once the case is saved"}

    assert press_save(qtbot, editor)
    assert all(tabs.isTabEnabled(i) for i in later)
    # No reason left; a short "Law" tab (a narrow editor) keeps its whole title as a tooltip.
    law = tabs.indexOf(editor.law_tab)
    assert {tabs.tabToolTip(i) for i in later if i != law} == {""}
    assert tabs.tabToolTip(law) == ("Applicable law" if tabs.tabText(law) == "Law" else "")
    tabs.setCurrentWidget(editor.attachments)
    cases_area.new_case()
    assert tabs.currentWidget() is editor.timeline
    assert not any(tabs.isTabEnabled(i) for i in later)


def test_unsaved_changes_are_protected(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases_area.new_case()
    cases_area.editor.description.setPlainText("Started typing")
    assert cases_area.editor.dirty
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    monkeypatch.setattr(editor_module, "ask_unsaved", lambda _parent: answers.pop(0))
    qtbot.keyClick(cases_area.editor.description, Qt.Key.Key_Escape)
    assert cases_area.currentWidget() is cases_area.editor  # cancelled: still editing
    click(qtbot, cases_area.editor.close_button)
    assert cases_area.currentWidget() is cases_area.list_view
    assert CaseService(ws).count_cases() == 0


def test_start_page_lists_my_open_cases_and_opens_them(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    area = cases_area_of(window)
    fill_new_case(area)
    assert press_save(qtbot, area.editor)
    case = area.editor.case
    assert case is not None
    area.show_list()
    start = window.show_area("start")
    from ui.start_page import StartPage

    assert isinstance(start, StartPage)
    qtbot.waitUntil(lambda: not start.loading, timeout=10_000)  # read off the GUI thread
    assert start.mine.title() == "My open cases (1)"
    assert start.overdue.title() == "Overdue (0)"
    assert start.overdue.empty.text() == "Nothing is overdue."
    item = start.mine.tree.topLevelItem(0)
    assert item is not None and item.text(0) == case.number
    start.mine.tree.setCurrentItem(item)
    qtbot.keyClick(start.mine.tree, Qt.Key.Key_Return)
    assert window.current_area() == "cases"
    assert area.currentWidget() is area.editor
    assert area.editor.case is not None and area.editor.case.id == case.id


def test_a_save_waiting_for_another_writer_leaves_the_window_responsive(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    """Another process holds the write lock: Save waits off the GUI thread, the form disabled
    under "Saving…"; a second click or Ctrl+S does nothing; the save lands once released."""
    fill_new_case(cases_area)
    editor = cases_area.editor
    holder = open_raw(ws.db.path, ws.db.key)
    holder.execute("BEGIN IMMEDIATE")
    try:
        click(qtbot, editor.save_button)
        task = editor.save_task
        assert task is not None and task.running
        assert editor.busy.busy and editor.busy.label.text() == "Saving…"
        assert not editor.splitter.isEnabled() and not editor.save_button.isEnabled()
        assert not editor.person.isEnabled()  # inside the disabled form
        # The GUI thread goes on handling events while the write waits for the lock.
        ticked = []
        QTimer.singleShot(0, lambda: ticked.append(True))
        qtbot.waitUntil(lambda: bool(ticked), timeout=5000)
        assert task.running  # still waiting for the lock
        qtbot.keyClick(editor.description, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        assert editor.save_task is task  # no second save
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with qtbot.waitSignal(editor.case_saved, timeout=20_000) as saved:
        pass
    assert editor.case is not None and saved.args == [editor.case.id]
    assert not editor.busy.busy and editor.splitter.isEnabled()
    assert not editor.save_button.isEnabled()  # nothing unsaved now
    assert CaseService(ws).count_cases() == 1


def test_closing_the_form_during_a_save_waits_for_it(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    fill_new_case(cases_area)
    holder = open_raw(ws.db.path, ws.db.key)
    holder.execute("BEGIN IMMEDIATE")

    def release() -> None:
        holder.execute("ROLLBACK")
        holder.close()

    click(qtbot, cases_area.editor.save_button)
    assert cases_area.editor.saving
    # Released from inside the wait that closing starts: Esc returns once the save is done.
    QTimer.singleShot(0, release)
    qtbot.keyClick(cases_area.editor.description, Qt.Key.Key_Escape)
    assert not cases_area.editor.saving
    assert cases_area.currentWidget() is cases_area.list_view
    assert CaseService(ws).count_cases() == 1


def test_save_on_the_unsaved_question_writes_before_the_form_closes(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_new_case(cases_area)
    monkeypatch.setattr(
        editor_module, "ask_unsaved", lambda _parent: QMessageBox.StandardButton.Save
    )
    with qtbot.waitSignal(cases_area.editor.case_saved, timeout=20_000):
        click(qtbot, cases_area.editor.close_button)  # returns once the save is written
        assert cases_area.currentWidget() is cases_area.list_view
    assert CaseService(ws).count_cases() == 1


def test_a_status_change_waiting_for_the_lock_keeps_the_panel_disabled(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    ws = open_ws("aigul")
    area = cases_area_of(make_window(ws))
    fill_new_case(area)
    assert press_save(qtbot, area.editor)
    timeline = area.editor.timeline
    dialog = ask_status(qtbot, timeline, "in_progress")
    holder = open_raw(ws.db.path, ws.db.key)
    holder.execute("BEGIN IMMEDIATE")
    try:
        click(qtbot, dialog.ok_button())
        assert timeline.writing and timeline.busy.busy
        assert not timeline.controls.isEnabled() and not timeline.undo_button.isEnabled()
        ticked: list[bool] = []
        QTimer.singleShot(0, lambda: ticked.append(True))
        qtbot.waitUntil(lambda: bool(ticked), timeout=5000)
        assert timeline.writing  # still waiting for the lock, the window still working
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    wait_written(qtbot, timeline)
    assert area.editor.case is not None and area.editor.case.status == "in_progress"
    assert timeline.controls.isEnabled() and not timeline.busy.busy


def test_a_case_of_an_officer_no_longer_here_keeps_her_when_saved(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    """The form showed "— nobody yet —" for an officer it no longer offers (revoked, or of
    another mission before a transfer), and a consul's save of any field took the case from
    her unasked."""
    from dataclasses import replace

    from app.db.models import Case
    from tests.builders import new_case

    service = CaseService(ws)
    case = service.create_case(replace(new_case(), assigned_to="aigul"))
    with ws.write() as session:  # as an older version left it: an officer gone since
        row = session.get(Case, case.id)
        assert row is not None
        row.assigned_to = "dana"
    cases_area.open_case(case.id)
    editor = cases_area.editor
    assert editor.officer.currentData() == "dana"
    assert "dana" in editor.officer.currentText()
    editor.description.setPlainText("The employer answered; the wages are being paid.")
    assert press_save(qtbot, editor)
    assert service.get_case(case.id).assigned_to == "dana"
    cases_area.open_case(service.create_case(new_case(person=None, person_id=case.person.id)).id)
    assert editor.officer.findData("dana") < 0  # not offered for another case


def test_a_country_cell_too_narrow_for_the_name_shows_the_code(
    qtbot: QtBot, cases_area: CasesArea, ws: Workspace
) -> None:
    """The fault: the country column gives way to the complaint at 1366 pixels, and the host
    country's name cut to «О…я» said nothing; the cell shows "KR" then, the tooltip the name.
    Decided when the column's width changes, not at each paint: the cell paints its item; a
    screen reader still reads the name."""
    from PySide6.QtGui import QAccessible

    from tests.builders import new_case
    from ui.models.case_table_model import HOST_COUNTRY

    CaseService(ws).create_case(new_case())
    view = cases_area.list_view
    view.model.reload()
    qtbot.waitUntil(lambda: not view.model.loading and view.model.total == 1, timeout=3000)

    view.columns.choose(HOST_COUNTRY, True)  # shown, narrow as the test's screen is
    view.columns.fit()

    def shown(width: int) -> str:
        view.table.setColumnWidth(HOST_COUNTRY, width)
        return str(view.model.index(0, HOST_COUNTRY).data())

    def read_aloud() -> list[str]:
        table = QAccessible.queryAccessibleInterface(view.table)
        cells = (table.child(i) for i in range(table.childCount()))
        return [c.text(QAccessible.Text.Name) for c in cells if c.role() == QAccessible.Role.Cell]

    assert shown(400) == "Türkiye"  # the builder's case is in Türkiye
    assert shown(45) == "TR"
    assert "Türkiye" in read_aloud() and "TR" not in read_aloud()
    view.model.reload()  # a new page at the narrow width: its cells show the code at once
    qtbot.waitUntil(lambda: not view.model.loading, timeout=3000)
    assert view.table.columnWidth(HOST_COUNTRY) == 45  # the user's width, kept
    assert view.model.index(0, HOST_COUNTRY).data() == "TR"
    assert view.model.index(0, HOST_COUNTRY).data(Qt.ItemDataRole.ToolTipRole) == "Türkiye"
    assert shown(400) == "Türkiye"
    assert view.model.index(0, HOST_COUNTRY).data(Qt.ItemDataRole.AccessibleTextRole) is None
    assert view.model.index(0, HOST_COUNTRY).data(Qt.ItemDataRole.ToolTipRole) == "Türkiye"
