"""Issue 18 item 6: a case shows everything about it and stays current while open.

The fault: after a letter was issued the open case still said "New" and had no "Letter sent"
entry until it was closed and opened again; letters could not be reached from the case.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.changes import ChangeHub, DataChanged
from app.services.contracts import ContractReviewService
from app.services.letters import LetterService
from app.services.records import CaseDetail
from app.services.workspace import Workspace
from tests.builders import hanil_steel_case
from tests.conftest import OpenWs
from tests.ui.press import WAIT_MS, click, click_yes
from ui.cases.area import CasesArea
from ui.cases.timeline import link_text
from ui.contracts.page import ContractReviewPage
from ui.letters.model import NUMBER, STATUS
from ui.letters.page import LettersPage


def open_in_cases(window: object, case_id: str) -> CasesArea:
    area = window.show_area("cases")  # type: ignore[attr-defined]
    assert isinstance(area, CasesArea)
    area.open_case(case_id)
    return area


@pytest.fixture
def serik(open_ws: OpenWs) -> Workspace:
    """The consul's workspace: a consul drafts, approves and issues letters."""
    return open_ws("serik")


@pytest.fixture
def case(serik: Workspace) -> CaseDetail:
    """The case the UI tests open (``new_case``), registered by the consul."""
    return hanil_steel_case(serik)


def test_the_hub_publishes_only_committed_writes(open_ws: OpenWs) -> None:
    ws = open_ws("serik")
    seen: list[DataChanged] = []
    ws.changes.subscribe(seen.append)
    case = hanil_steel_case(ws)
    assert len(seen) == 1 and seen[0].touches_case(case.id) and seen[0].touches("case")
    with pytest.raises(Exception, match="status"):  # refused: nothing committed, no news
        CaseService(ws).set_status(case.id, "no-such-status", "")
    assert len(seen) == 1
    ws.changes.unsubscribe(seen.append)
    CaseService(ws).add_event(case.id, "note", "Called the worker.")
    assert len(seen) == 1


def test_a_hub_keeps_no_listener_after_unsubscribe() -> None:
    hub = ChangeHub()
    got: list[DataChanged] = []
    hub.subscribe(got.append)
    hub.unsubscribe(got.append)
    hub.publish(DataChanged(frozenset({"case"}), frozenset({"x"})))
    assert got == []


def test_issuing_a_letter_refreshes_the_open_case(
    qtbot: QtBot, serik: Workspace, case: CaseDetail, make_window: Callable[..., object]
) -> None:
    letters = LetterService(serik)
    draft = letters.draft(case.id, "employer_letter", "en")
    letters.approve(draft.id)
    window = make_window(serik)
    area = open_in_cases(window, case.id)
    editor = area.editor
    assert editor.badge.text().startswith("New")

    # The Letters tab lists the approved letter and opens it in the register.
    editor.tabs.setCurrentIndex(editor.letters_tab_index)
    assert editor.tabs.tabText(editor.letters_tab_index) == "Letters (1)"
    assert editor.letters.letter_ids() == [draft.id]
    qtbot.mouseClick(editor.letters.open_button, Qt.MouseButton.LeftButton)
    page = window.area_widget("letters")  # type: ignore[attr-defined]
    assert isinstance(page, LettersPage)
    assert window.current_area() == "letters"  # type: ignore[attr-defined]
    assert page.selected() is not None and page.selected().id == draft.id

    # Issued there, with the open case left as it was ...
    with qtbot.waitSignal(page.letter_issued, timeout=WAIT_MS):
        click(qtbot, page.issue_button)
        click_yes(qtbot, page.confirm_box)
    issued = letters.get(draft.id)
    assert issued.status == "issued"

    # ... the open case shows the new status and the entry without being reopened.
    qtbot.waitUntil(lambda: editor.badge.text().startswith("In progress"), timeout=3000)
    assert editor.case is not None and editor.case.status == "in_progress"
    kinds = [e.kind for e in editor.case.events]
    assert kinds[-2:] == ["status_change", "letter_sent"]
    assert issued.outgoing_number in editor.timeline.events.toPlainText()
    row = editor.letters.model.row_of(draft.id)
    assert editor.letters.model.index(row, STATUS).data() == "Issued"
    assert editor.letters.model.index(row, NUMBER).data() == issued.outgoing_number


def test_unsaved_edits_survive_a_change_made_elsewhere(
    qtbot: QtBot, serik: Workspace, case: CaseDetail, make_window: Callable[..., object]
) -> None:
    window = make_window(serik)
    editor = open_in_cases(window, case.id).editor
    editor.description.setPlainText("Typed, not yet saved.")
    assert editor.dirty
    CaseService(serik).add_event(case.id, "call", "The employer called back.")
    qtbot.waitUntil(lambda: "called back" in editor.timeline.events.toPlainText(), timeout=3000)
    assert editor.dirty and editor.description.toPlainText() == "Typed, not yet saved."


def test_timeline_entries_open_the_letter_review_and_attachment(
    qtbot: QtBot,
    serik: Workspace,
    case: CaseDetail,
    make_window: Callable[..., object],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    letters = LetterService(serik)
    draft = letters.draft(case.id, "employer_letter", "en")
    letters.approve(draft.id)
    letters.issue(draft.id)
    review = ContractReviewService(serik).save(
        {"hours_per_week": 72, "passport_held_by": "employer"}, case_id=case.id
    )
    opened: list[str] = []
    monkeypatch.setattr("ui.cases.attachments.open_with_system", lambda url: opened.append(url))
    CaseService(serik).add_attachment(case.id, "contract.txt", b"the contract", description="")
    window = make_window(serik)
    editor = open_in_cases(window, case.id).editor
    html = editor.timeline.events.toHtml()
    for kind in ("letter", "review", "attachment"):
        assert f"{kind}:" in html

    def click_link(kind: str) -> None:
        """A real mouse click on the entry's link, found by its words in the timeline."""
        browser = editor.timeline.events
        cursor = browser.document().find(link_text(kind))
        assert not cursor.isNull()
        cursor.setPosition(cursor.selectionStart() + 2)
        browser.setTextCursor(cursor)
        browser.ensureCursorVisible()
        qtbot.mouseClick(
            browser.viewport(), Qt.MouseButton.LeftButton, pos=browser.cursorRect().center()
        )

    click_link("attachment")
    assert editor.tabs.currentWidget() is editor.attachments
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)  # read off the GUI thread
    click_link("review")
    contracts = window.area_widget("contracts")  # type: ignore[attr-defined]
    assert isinstance(contracts, ContractReviewPage)
    assert window.current_area() == "contracts"  # type: ignore[attr-defined]
    assert contracts.saved is not None and contracts.saved.id == review.id
    assert contracts.hours_per_week.text() == "72"
    window.show_area("cases")  # type: ignore[attr-defined]
    click_link("letter")
    page = window.area_widget("letters")  # type: ignore[attr-defined]
    assert window.current_area() == "letters"  # type: ignore[attr-defined]
    assert page.selected() is not None and page.selected().id == draft.id


def test_the_law_tab_is_read_when_shown_and_only_ever_shows_the_open_case(
    serik: Workspace, case: CaseDetail, make_window: Callable[..., object]
) -> None:
    """Opening a case read its applicable law for a tab most openings never look at (70 of
    the 100 ms a case took to open at 100k cases); it is read when the tab is shown."""
    other = hanil_steel_case(serik, description="A second worker of the same employer.")
    window = make_window(serik)
    area = open_in_cases(window, case.id)
    editor = area.editor
    assert editor.law_panel is None  # not read while the timeline is shown
    editor.tabs.setCurrentWidget(editor.law_tab)
    assert editor.law_panel is not None and editor.law_panel.case_id == case.id
    area.open_case(other.id)  # the law tab still shown: the other case's law at once
    assert editor.law_panel is not None and editor.law_panel.case_id == other.id
    editor.tabs.setCurrentWidget(editor.timeline)
    area.open_case(case.id)  # hidden: the other case's panel is gone, none read yet
    assert editor.law_panel is None
    editor.tabs.setCurrentWidget(editor.law_tab)
    assert editor.law_panel is not None and editor.law_panel.case_id == case.id
