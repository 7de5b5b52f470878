"""Issue 18 item 7: every Start page count opens exactly its cases; report lists open cases;
Down/Enter leave the search box for the results; Ctrl+S says "Saved".

The faults: the Start page showed 12 of 347 overdue cases with no way to the rest; a report's
case list opened nothing; the search box kept the keyboard; Ctrl+S left no trace on screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.stats import Drilldown
from app.services.workspace import Workspace
from tests.builders import add_cases
from tests.conftest import OpenWs
from ui.cases.area import CasesArea
from ui.i18n_bridge import LanguageBridge
from ui.models.case_table_model import CASE_ID_ROLE
from ui.reports.dashboard import DashboardPage
from ui.start_page import SECTION_LIMIT, StartPage

OVERDUE = SECTION_LIMIT + 3


def loaded(area: CasesArea) -> bool:
    model = area.list_view.model
    return not model.loading and model.total_known


def listed_ids(area: CasesArea) -> set[str]:
    model = area.list_view.model
    while model.canFetchMore():
        model.fetchMore()
    return {model.index(r, 0).data(CASE_ID_ROLE) for r in range(model.rowCount())}


def test_each_start_count_opens_exactly_its_cases(
    qtbot: QtBot, open_ws: OpenWs, make_window: Callable[..., object]
) -> None:
    ws = open_ws("serik")
    overdue = set(add_cases(ws, OVERDUE, overdue=True))
    at_risk = set(add_cases(ws, SECTION_LIMIT + 1, at_risk=True))
    others = set(add_cases(ws, 2))
    window = make_window(ws)
    start = window.show_area("start")  # type: ignore[attr-defined]
    assert isinstance(start, StartPage)
    start.refresh()
    qtbot.waitUntil(lambda: not start.loading, timeout=10_000)  # read off the GUI thread
    # The short list shows twelve; the title and the button give the whole count.
    assert start.overdue.tree.topLevelItemCount() == SECTION_LIMIT
    assert start.overdue.title().endswith(f"({OVERDUE})")
    assert str(OVERDUE) in start.overdue.show_all.text()

    qtbot.mouseClick(start.overdue.show_all, Qt.MouseButton.LeftButton)
    area = window.area_widget("cases")  # type: ignore[attr-defined]
    assert isinstance(area, CasesArea)
    assert window.current_area() == "cases"  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: loaded(area) and area.list_view.model.total == OVERDUE, timeout=5000)
    assert listed_ids(area) == overdue
    assert area.list_view.filters.overdue.isChecked()  # the bar says why the list is short

    # "Life or liberty at risk" is no filter of the bar: it is named, and can be dropped.
    window.show_area("start")  # type: ignore[attr-defined]
    qtbot.mouseClick(start.at_risk.show_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: loaded(area) and listed_ids(area) == at_risk, timeout=5000)
    assert area.list_view.preset_label.isVisibleTo(area.list_view)
    assert "life or liberty" in area.list_view.preset_label.text()
    qtbot.mouseClick(area.list_view.preset_clear, Qt.MouseButton.LeftButton)
    everything = overdue | at_risk | others
    qtbot.waitUntil(lambda: loaded(area) and listed_ids(area) == everything, timeout=5000)
    assert not area.list_view.preset_label.isVisibleTo(area.list_view)


def test_the_consul_sees_the_cases_waiting_for_an_officer(
    qtbot: QtBot, open_ws: OpenWs, make_window: Callable[..., object]
) -> None:
    """Nothing on the consul's first page said that cases waited for her to give them out
    (a revoked officer's, one HQ transferred here, new ones registered for her)."""

    from ui.cases.filter_bar import NOBODY

    ws = open_ws("serik")
    waiting = set(add_cases(ws, 3))
    given = add_cases(ws, 1)[0]
    CaseService(ws).assign(given, "aigul")
    window = make_window(ws)
    start = window.show_area("start")  # type: ignore[attr-defined]
    assert isinstance(start, StartPage)
    start.refresh()
    qtbot.waitUntil(lambda: not start.loading, timeout=10_000)
    assert start.waiting.isVisibleTo(start)
    assert start.waiting.text() == "3 open cases wait for an officer"

    qtbot.mouseClick(start.waiting, Qt.MouseButton.LeftButton)
    area = window.area_widget("cases")  # type: ignore[attr-defined]
    assert isinstance(area, CasesArea)
    qtbot.waitUntil(lambda: loaded(area) and listed_ids(area) == waiting, timeout=5000)
    assert area.list_view.filters.officer.currentData() == NOBODY  # the bar says why

    for case_id in waiting:
        CaseService(ws).assign(case_id, "aigul")
    window.show_area("start")  # type: ignore[attr-defined]
    qtbot.waitUntil(
        lambda: not start.loading and not start.waiting.isVisibleTo(start), timeout=10_000
    )
    attache = make_window(open_ws("aigul")).show_area("start")  # type: ignore[attr-defined]
    assert isinstance(attache, StartPage) and not attache.gives_out


def test_a_report_list_opens_the_case(
    qtbot: QtBot, open_ws: OpenWs, make_window: Callable[..., object]
) -> None:
    ws = open_ws("serik")
    ids = add_cases(ws, 3)
    window = make_window(ws)
    page = window.show_area("reports")  # type: ignore[attr-defined]
    assert isinstance(page, DashboardPage)
    qtbot.waitUntil(lambda: page.figures is not None, timeout=10_000)  # counted off the GUI
    assert page.figures is not None
    page.show_cases(Drilldown(page.figures.scope, "open", "new"))
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 3, timeout=10_000)  # read off the GUI
    wanted = dialog.rows[1].id
    rect = dialog.table.visualRect(dialog.model.index(1, 0))
    # A double click as a mouse makes it: press and release, then the second press.
    QTest.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_area() == "cases"  # type: ignore[attr-defined]
    area = window.area_widget("cases")  # type: ignore[attr-defined]
    assert isinstance(area, CasesArea)
    assert area.currentWidget() is area.editor
    assert area.editor.case is not None and area.editor.case.id == wanted
    assert wanted in ids
    # Enter on a row does the same.
    dialog.table.setCurrentIndex(dialog.model.index(2, 0))
    dialog.table.setFocus()
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    assert area.editor.case is not None and area.editor.case.id == dialog.rows[2].id


def test_down_and_enter_move_from_search_to_results(
    qtbot: QtBot, open_ws: OpenWs, make_window: Callable[..., object]
) -> None:
    ws = open_ws("serik")
    add_cases(ws, 3)
    window = make_window(ws)
    area = window.show_area("cases")  # type: ignore[attr-defined]
    assert isinstance(area, CasesArea)
    view = area.list_view
    qtbot.waitUntil(lambda: loaded(area) and view.model.rowCount() == 3, timeout=5000)
    view.focus_search()
    assert QApplication.focusWidget() is view.filters.search
    QTest.keyClick(view.filters.search, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is view.table
    assert view.table.currentIndex().row() == 0

    view.focus_search()
    QTest.keyClicks(view.filters.search, "Abenov1")
    QTest.keyClick(view.filters.search, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.table, timeout=5000)
    assert view.model.rowCount() == 1
    assert view.table.currentIndex().isValid()
    # Enter again opens the case, as in the list.
    QTest.keyClick(view.table, Qt.Key.Key_Return)
    assert area.currentWidget() is area.editor


def test_ctrl_s_says_saved_in_the_status_bar(
    qtbot: QtBot, open_ws: OpenWs, make_window: Callable[..., object]
) -> None:
    ws = open_ws("serik")
    case_id = add_cases(ws, 1)[0]
    window = make_window(ws)
    area = window.show_area("cases")  # type: ignore[attr-defined]
    assert isinstance(area, CasesArea)
    area.open_case(case_id)
    editor = area.editor
    editor.description.setFocus()
    QTest.keyClicks(editor.description, "Called the employer.")
    assert editor.dirty
    with qtbot.waitSignal(editor.case_saved, timeout=20_000):
        QTest.keySequence(editor.description, "Ctrl+S")
        assert editor.saving and editor.busy.busy  # written on a pool thread
    assert not editor.dirty
    assert editor.window().focusWidget() is editor.description  # back where it was typed
    message = window.statusBar().currentMessage()  # type: ignore[attr-defined]
    assert message.startswith("Saved") and editor.case is not None
    assert editor.case.number in message


def test_the_start_page_fills_in_from_a_read_off_the_gui_thread(
    qtbot: QtBot, bridge: LanguageBridge, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window shows at once after sign-in: the lists say they are loading, then fill in."""
    from ui.main_window import MainWindow

    add_cases(ws, 2, overdue=True)
    threads: set[str] = set()
    list_cases = CaseService.list_cases

    def spy(self: CaseService, *args: object, **kwargs: object) -> object:
        threads.add(threading.current_thread().name)
        return list_cases(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(CaseService, "list_cases", spy)
    window = MainWindow(ws, bridge)
    qtbot.addWidget(window)
    start = window.show_area("start")
    assert isinstance(start, StartPage)
    # Built without waiting for the database: nothing read yet reached the GUI thread.
    assert start.loading
    assert start.overdue.title() == "Overdue (…)"
    assert start.overdue.tree.isHidden() and start.overdue.show_all.isHidden()
    with qtbot.waitSignal(start.loaded, timeout=10_000):
        pass
    assert start.overdue.title() == "Overdue (2)"
    assert start.overdue.tree.topLevelItemCount() == 2
    assert not start.overdue.show_all.isHidden() and start.overdue.show_all.isEnabled()
    assert threading.current_thread().name not in threads
    window.close()


def test_leaving_the_start_page_before_its_lists_came_stops_their_read(
    qtbot: QtBot, bridge: LanguageBridge, ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the case list at once: the Start page's reads would only compete with its
    first page. They stop; coming back reads the lists again."""
    from PySide6.QtCore import QThreadPool

    from ui.main_window import MainWindow

    add_cases(ws, 1, overdue=True)
    gate = threading.Event()
    list_cases = CaseService.list_cases

    def held(self: CaseService, *args: object, **kwargs: object) -> object:
        if threading.current_thread() is not threading.main_thread():
            gate.wait(10)
        return list_cases(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(CaseService, "list_cases", held)
    window = MainWindow(ws, bridge)
    qtbot.addWidget(window)
    start = window.area_widget("start")
    assert isinstance(start, StartPage) and start.loading
    window.show_area("cases")
    assert not start.loading
    gate.set()
    QThreadPool.globalInstance().waitForDone(10_000)
    QApplication.processEvents()
    assert start.overdue.title() == "Overdue (…)"  # the stopped read delivered nothing
    with qtbot.waitSignal(start.loaded, timeout=10_000):
        window.show_area("start")
    assert start.overdue.title() == "Overdue (1)"
    window.close()
