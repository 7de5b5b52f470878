"""The register says what each step did, in the window's status bar, as saving a case does.

The fault, met issuing the employer letter of a walk-in's case: approving, issuing (the
outgoing number to write on the envelope), recording the employer's reply and discarding a
draft left the status bar empty; the Reply column that would show the reply is the first to
go in a narrow window."""

from __future__ import annotations

from collections.abc import Callable

from pytestqt.qtbot import QtBot

from app.services.letters import LetterFields, LetterService
from tests.builders import hanil_steel_case
from tests.conftest import OpenWs
from tests.ui.press import WAIT_MS, click, click_yes, on_screen, press_dialog_button
from ui.i18n_bridge import LanguageBridge
from ui.letters.page import LettersPage


def test_approving_issuing_replies_and_discarding_are_said(
    qtbot: QtBot, open_ws: OpenWs, make_window: Callable[..., object]
) -> None:
    serik = open_ws("serik")
    case = hanil_steel_case(serik)
    letters = LetterService(serik)
    draft = letters.draft(case.id, "employer_letter", "en", LetterFields())
    spare = letters.draft(case.id, "note_verbale_labour_authority", "en", LetterFields())
    window = make_window(serik)
    page = window.show_area("letters")  # type: ignore[attr-defined]
    assert isinstance(page, LettersPage)
    bar = window.statusBar()  # type: ignore[attr-defined]

    page.select_letter(draft.id)
    click(qtbot, page.approve_button)
    qtbot.waitUntil(lambda: not page.checking_approval, timeout=WAIT_MS)  # checked off the GUI
    if page.confirm_box is not None and page.confirm_box.isVisible():  # what to check first
        click_yes(qtbot, page.confirm_box)
    qtbot.waitUntil(lambda: bar.currentMessage() != "", timeout=WAIT_MS)
    assert bar.currentMessage() == f"Approved: Letter to the employer on case {case.number}."

    with qtbot.waitSignal(page.letter_issued, timeout=WAIT_MS):
        click(qtbot, page.issue_button)
        click_yes(qtbot, page.confirm_box)
    issued = letters.get(draft.id)
    assert issued.outgoing_number
    said = f"Issued: letter {issued.outgoing_number} on case {case.number}."
    qtbot.waitUntil(lambda: bar.currentMessage() == said, timeout=WAIT_MS)

    page.select_letter(draft.id)
    dialog = page.record_reply()
    assert dialog is not None
    dialog.summary.setPlainText("The passport is returned; wages paid by 20 December.")
    with qtbot.waitSignal(dialog.accepted, timeout=WAIT_MS):
        press_dialog_button(qtbot, dialog)
    said = (
        f"Reply recorded: letter {issued.outgoing_number}, on the timeline of case {case.number}."
    )
    qtbot.waitUntil(lambda: bar.currentMessage() == said, timeout=WAIT_MS)

    page.select_letter(spare.id)
    click(qtbot, page.discard_button)
    click_yes(qtbot, page.confirm_box)
    qtbot.waitUntil(lambda: bar.currentMessage() == "The draft is discarded.", timeout=WAIT_MS)
    assert [x.id for x in letters.list_letters() if x.case_id == case.id] == [draft.id]


def test_an_attaches_draft_says_who_approves_it(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """Approve was greyed for the attaché who drafted the letter, with no word why."""
    aigul = open_ws("aigul")
    case = hanil_steel_case(aigul)
    draft = LetterService(aigul).draft(case.id, "employer_letter", "en", LetterFields())
    page = on_screen(qtbot, LettersPage(aigul, bridge))
    page.select_letter(draft.id)
    assert not page.approve_button.isEnabled()
    said = "A consul or head of section approves and signs this draft."
    assert page.approve_button.toolTip() == said

    consuls = on_screen(qtbot, LettersPage(open_ws("serik"), bridge))
    consuls.select_letter(draft.id)
    assert consuls.approve_button.isEnabled() and consuls.approve_button.toolTip() == ""
    LetterService(open_ws("serik")).approve(draft.id)
    page.refresh(draft.id)  # approved: nothing left for a consul to do here
    assert page.approve_button.toolTip() == ""
