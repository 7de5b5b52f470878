"""Replies to letters in the interface: the dialog, the register's Reply column and filter,
the Start page's notice of letters still awaiting one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from pytestqt.qtbot import QtBot

from app.i18n import format_date
from app.services.cases import CaseService
from app.services.letters import LetterFields, LetterInfo, LetterService
from app.services.records import CaseDetail
from tests.builders import hanil_steel_case
from tests.conftest import OpenWs
from tests.ui.press import click, on_screen, press_dialog_button
from ui.i18n_bridge import LanguageBridge
from ui.letters.model import REPLY
from ui.letters.page import UNANSWERED, LettersPage
from ui.palette import DEADLINE_COLOURS
from ui.start_page import StartPage

SENT = date.today() - timedelta(days=20)


@pytest.fixture
def case(open_ws: OpenWs) -> CaseDetail:
    return hanil_steel_case(open_ws("aigul"))


def sent_letter(open_ws: OpenWs, case_id: str, kind: str = "employer_letter") -> LetterInfo:
    """Issued 20 days ago, past the mission's 14-day wait."""
    draft = LetterService(open_ws("aigul"), SENT).draft(case_id, kind, "en", LetterFields())
    LetterService(open_ws("serik"), SENT).approve(draft.id)
    return LetterService(open_ws("aigul"), SENT).issue(draft.id)


def reply_cell(page: LettersPage, row: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return page.model.index(row, REPLY).data(role)


def test_a_reply_recorded_in_its_dialog_shows_in_the_register(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail, tmp_path: Path
) -> None:
    letter = sent_letter(open_ws, case.id)
    certificate = sent_letter(open_ws, case.id, "assistance_certificate")
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    rows = {page.model.letter(r).id: r for r in range(page.model.rowCount())}
    assert page.model.headerData(REPLY, Qt.Orientation.Horizontal) == "Reply"
    waited = (date.today() - SENT).days  # 21 in a run that crosses midnight after collection
    assert reply_cell(page, rows[letter.id]) == f"No reply for {waited} days"
    late = reply_cell(page, rows[letter.id], Qt.ItemDataRole.ForegroundRole)
    assert isinstance(late, QBrush) and late.color().name() == DEADLINE_COLOURS["red"]
    assert reply_cell(page, rows[certificate.id]) == ""  # a certificate awaits no reply

    page.status_filter.setCurrentIndex(page.status_filter.findData(UNANSWERED))
    assert page.status_filter.currentText() == "No reply for 14 days or more"
    assert [page.model.letter(r).id for r in range(page.model.rowCount())] == [letter.id]

    page.table.selectRow(0)
    assert page.reply_button.isEnabled()
    click(qtbot, page.reply_button)
    dialog = page.reply_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == f"Reply to letter {letter.outgoing_number}"
    assert dialog.from_field.text() == "Hanil Steel"  # the addressee, to correct if need be
    assert dialog.received_on.date() == date.today()

    press_dialog_button(qtbot, dialog)  # no summary: said in the dialog, which stays open
    assert dialog.isVisible() and dialog.error.text() == "Summary must not be empty."

    scan = tmp_path / "hanil-reply.pdf"
    scan.write_bytes(b"%PDF-1.4 Hanil Steel answers")
    dialog.set_scan(scan)
    dialog.summary.setPlainText("Wages to be paid by 30 December.")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        press_dialog_button(qtbot, dialog)

    assert page.model.rowCount() == 0  # no longer awaiting a reply
    page.status_filter.setCurrentIndex(0)
    row = page.model.row_of(letter.id)
    assert reply_cell(page, row) == f"Answered on {format_date(date.today())}"
    assert reply_cell(page, row, Qt.ItemDataRole.ForegroundRole) is None
    assert "Wages to be paid by 30 December." in str(
        reply_cell(page, row, Qt.ItemDataRole.ToolTipRole)
    )
    detail = CaseService(open_ws("aigul")).get_case(case.id)
    assert [a.filename for a in detail.attachments] == ["hanil-reply.pdf"]
    assert any(e.kind == "reply_received" for e in detail.events)


def test_a_reply_mistyped_today_is_corrected_from_the_register(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """The fault: a reply's mistyped date or summary stayed for good."""
    letter = sent_letter(open_ws, case.id)
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    page.table.selectRow(page.model.row_of(letter.id))
    assert not page.correct_reply_button.isEnabled()  # no reply to correct yet
    LetterService(open_ws("aigul")).record_reply(letter.id, SENT, "Hanil Stel", "Paid by 30 Dec.")
    page.refresh(letter.id)
    qtbot.waitUntil(page.correct_reply_button.isEnabled, timeout=10_000)
    assert page.correct_reply_button.text() == "Co&rrect the reply…"

    click(qtbot, page.correct_reply_button)
    dialog = page.reply_dialog
    assert dialog is not None and dialog.isVisible() and dialog.in_place
    assert dialog.windowTitle() == f"Correct the reply to letter {letter.outgoing_number}"
    assert "the correction changes the entry" in dialog.intro.text()
    assert (dialog.received_on.date(), dialog.from_field.text()) == (SENT, "Hanil Stel")
    assert not dialog.scan_row.isVisible()
    scan_label = dialog.form.labelForField(dialog.scan_row)
    assert scan_label is not None and not scan_label.isVisible()
    dialog.received_on.set_date(date.today())
    dialog.from_field.setText("Hanil Steel")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        press_dialog_button(qtbot, dialog)

    row = page.model.row_of(letter.id)
    assert reply_cell(page, row) == f"Answered on {format_date(date.today())}"
    events = CaseService(open_ws("aigul")).get_case(case.id).events
    [reply] = [e for e in events if e.kind == "reply_received"]
    assert "from Hanil Steel" in reply.text


def test_another_officers_correction_is_said_to_be_a_new_entry(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    letter = sent_letter(open_ws, case.id)
    LetterService(open_ws("aigul")).record_reply(letter.id, SENT, "Hanil Stel", "Paid by 30 Dec.")
    page = on_screen(qtbot, LettersPage(open_ws("serik"), bridge))
    page.table.selectRow(page.model.row_of(letter.id))
    dialog = page.correct_reply()
    assert dialog is not None and not dialog.in_place
    assert "by aigul: the correction is a new entry on the case's timeline" in dialog.intro.text()
    dialog.from_field.setText("Hanil Steel")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        press_dialog_button(qtbot, dialog)
    events = CaseService(open_ws("serik")).get_case(case.id).events
    assert sum(e.kind == "reply_received" for e in events) == 2


def test_the_start_page_counts_letters_awaiting_a_reply_and_lists_them(
    qtbot: QtBot,
    open_ws: OpenWs,
    make_window: Callable[..., object],
    case: CaseDetail,
) -> None:
    letter = sent_letter(open_ws, case.id)
    window = make_window(open_ws("aigul"))
    start = window.show_area("start")  # type: ignore[attr-defined]
    assert isinstance(start, StartPage)
    start.refresh()
    qtbot.waitUntil(lambda: not start.loading, timeout=10_000)
    assert start.unanswered.isVisibleTo(start)
    assert start.unanswered.text() == "1 letter awaits a reply"
    assert "20" not in start.unanswered.toolTip() and "14 days ago" in start.unanswered.toolTip()

    click(qtbot, start.unanswered)
    letters = window.area_widget("letters")  # type: ignore[attr-defined]
    assert isinstance(letters, LettersPage)
    assert [letters.model.letter(r).id for r in range(letters.model.rowCount())] == [letter.id]

    LetterService(open_ws("aigul")).record_reply(letter.id, date.today(), "Hanil", "Paid.")
    window.show_area("start")  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: not start.loading and not start.unanswered.isVisibleTo(start))
