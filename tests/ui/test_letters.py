"""The Letters area: from a case, draft → approve → issue; the register lists and filters it."""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QFormLayout, QLabel, QMessageBox, QScrollArea
from pytestqt.qtbot import QtBot
from sqlalchemy import select, update

from app.db.models import AuditEntry, Case
from app.db.raw import open_raw
from app.domain.codes import ConsentScope, LetterKind, label
from app.errors import NotFound
from app.i18n import _
from app.letters import Addressee
from app.services.cases import CaseService
from app.services.contracts import ContractReviewService
from app.services.demo import fill_demo
from app.services.letters import LetterFields, LetterFilter, LetterService
from app.services.records import CaseDetail
from app.services.retention import anonymise_case
from tests.builders import hanil_steel_case, issued_letter, register_row_case
from tests.conftest import OpenWs
from tests.ui.press import (
    WAIT_MS,
    click,
    click_yes,
    on_screen,
    press_dialog_button,
    wait_for,
    wait_written,
)
from ui.i18n_bridge import LanguageBridge
from ui.letters import dialog as letter_dialog
from ui.letters import page as letters_page
from ui.letters.dialog import LetterDialog
from ui.letters.model import ADDRESSEE, CASE, NUMBER, STATUS, SUBJECT
from ui.letters.page import LettersPage
from ui.letters.preview import HAVE_QTPDF
from ui.widgets.columns import cell_shortfall
from ui.widgets.common import FIELD_ROOM


@pytest.fixture
def case(open_ws: OpenWs) -> CaseDetail:
    return hanil_steel_case(open_ws("aigul"), description="Үш ай бойы жалақы төленбеген.")


def row_point(page: LettersPage, row: int) -> QPoint:
    """Where a click selects ``row`` of the register."""
    return page.table.visualRect(page.model.index(row, SUBJECT)).center()


def cell(page: LettersPage, row: int, column: int) -> str:
    return str(page.model.index(row, column).data())


def test_draft_approve_issue_from_a_case(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    tmp_path: Path,
) -> None:
    # The attaché drafts from the case.
    attache_page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    dialog = attache_page.new_letter_for_case(case.id, case.number)
    dialog.kind.setCurrentIndex(dialog.kind.findData("employer_letter"))
    dialog.lang.setCurrentIndex(dialog.lang.findData("kk"))
    assert dialog.organisation.text() == "Hanil Steel"  # the default addressee from the case
    assert dialog.subject.text().startswith(f"№ {case.number} іс бойынша")
    dialog.subject.setText("Жалақыны төлеу туралы")
    dialog.free_text.setPlainText("Қосымша мәлімет: Әә Ғғ Ққ.")
    with qtbot.waitSignal(dialog.preview_shown, timeout=WAIT_MS):
        dialog.show_preview()
    if HAVE_QTPDF:
        assert dialog.preview.page_count() >= 1
    with qtbot.waitSignal(dialog.letter_saved, timeout=WAIT_MS):
        press_dialog_button(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
        assert not dialog.buttons.isEnabled() and dialog.busy.busy  # written off the GUI thread
    assert dialog.result() == LetterDialog.DialogCode.Accepted
    assert attache_page.model.rowCount() == 1
    assert cell(attache_page, 0, STATUS) == "Draft" and cell(attache_page, 0, NUMBER) == "—"
    qtbot.mouseClick(
        attache_page.table.viewport(), Qt.MouseButton.LeftButton, pos=row_point(attache_page, 0)
    )
    assert attache_page.edit_button.isEnabled()
    assert not attache_page.approve_button.isEnabled()  # an attaché cannot approve
    assert not attache_page.issue_button.isEnabled()

    # The consul approves and issues.
    consul_page = on_screen(qtbot, LettersPage(open_ws("serik"), bridge))
    qtbot.mouseClick(
        consul_page.table.viewport(), Qt.MouseButton.LeftButton, pos=row_point(consul_page, 0)
    )
    click(qtbot, consul_page.approve_button)
    qtbot.waitUntil(lambda: not consul_page.checking_approval, timeout=WAIT_MS)
    # The person's consent does not cover the employer: the consul is told before signing.
    assert consul_page.confirm_box is not None
    assert "consent" in consul_page.confirm_box.text()
    assert cell(consul_page, 0, STATUS) == "Draft"
    click_yes(qtbot, consul_page.confirm_box)
    assert consul_page.writing and not consul_page.register.isEnabled()
    wait_written(qtbot, consul_page)
    assert cell(consul_page, 0, STATUS) == "Approved"
    with qtbot.waitSignal(consul_page.letter_issued, timeout=WAIT_MS) as issued:
        click(qtbot, consul_page.issue_button)
        click_yes(qtbot, consul_page.confirm_box)
    info = issued.args[0]
    assert info.outgoing_number == f"SEL-{date.today().year}/0001"
    assert cell(consul_page, 0, NUMBER) == info.outgoing_number
    assert cell(consul_page, 0, STATUS) == "Issued"
    assert cell(consul_page, 0, CASE) == case.number
    assert not consul_page.issue_button.isEnabled() and not consul_page.edit_button.isEnabled()
    qtbot.waitUntil(lambda: not consul_page.loading, timeout=WAIT_MS)
    if HAVE_QTPDF:
        assert consul_page.preview.page_count() >= 1

    # Saving writes the registered file itself, which verify accepts.
    target = tmp_path / "letter.pdf"
    with qtbot.waitSignal(consul_page.copy_recorded, timeout=WAIT_MS):  # off the GUI thread
        consul_page.save_to(target)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == info.pdf_sha256
    assert LetterService(open_ws("admin")).verify(target.read_bytes()).matched
    with open_ws("admin").read() as session:  # a copy outside the database: audited
        saved = session.execute(
            select(AuditEntry).where(AuditEntry.action == "letter.copy")
        ).scalar_one()
    assert saved.actor == "serik" and saved.details["number"] == info.outgoing_number

    # The timeline of the case records the letter.
    events = CaseService(open_ws("admin")).get_case(case.id).events
    assert events[-1].kind == "letter_sent" and info.outgoing_number in events[-1].text


def test_a_new_letter_starts_in_its_addressees_language_until_one_is_picked(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """The fault: every new letter started in Kazakh, a note to a Korean ministry too."""
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    dialog = page.new_letter_for_case(case.id, case.number)
    assert dialog.chosen_kind() == "note_verbale_labour_authority"
    assert dialog.chosen_lang() == "en"
    assert dialog.subject.text().startswith(f"Case No. {case.number}")  # its parts in English
    dialog.kind.setCurrentIndex(dialog.kind.findData("hq_case_report"))
    assert dialog.chosen_lang() == "kk"  # to Kazakhstan: the interface is English here
    # A language the officer picks stays when the kind changes.
    dialog.lang.setCurrentIndex(dialog.lang.findData("ru"))
    dialog.lang.activated.emit(dialog.lang.currentIndex())
    dialog.kind.setCurrentIndex(dialog.kind.findData("employer_letter"))
    assert dialog.chosen_lang() == "ru"
    assert dialog.organisation.text() == "Hanil Steel"
    dialog.refresh_timer.stop()
    dialog.reject()


def test_register_filters_and_language_switch(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    letters = LetterService(open_ws("serik"))
    first = letters.draft(case.id, "employer_letter", "en")
    letters.approve(first.id)
    letters.issue(first.id)
    letters.draft(case.id, "assistance_certificate", "ru")
    page = LettersPage(open_ws("serik"), bridge)
    qtbot.addWidget(page)
    assert page.model.rowCount() == 2
    page.status_filter.setCurrentIndex(page.status_filter.findData("issued"))
    assert page.model.rowCount() == 1 and cell(page, 0, STATUS) == "Issued"
    page.status_filter.setCurrentIndex(0)
    page.kind_filter.setCurrentIndex(page.kind_filter.findData("assistance_certificate"))
    assert page.model.rowCount() == 1 and cell(page, 0, STATUS) == "Draft"
    page.kind_filter.setCurrentIndex(0)
    qtbot.keyClicks(page.case_filter, "SEL-1999-0001")
    qtbot.keyClick(page.case_filter, Qt.Key.Key_Return)
    assert page.model.rowCount() == 0
    page.case_filter.clear()
    qtbot.keyClicks(page.case_filter, case.number)
    qtbot.keyClick(page.case_filter, Qt.Key.Key_Return)
    assert page.model.rowCount() == 2
    page.year_filter.setCurrentIndex(page.year_filter.findData(2020))
    assert page.model.rowCount() == 0
    bridge.set_language("ru")  # every text is set again in the new language
    employer_index = page.kind_filter.findData("employer_letter")
    assert page.kind_filter.itemText(employer_index) == label(LetterKind.EMPLOYER_LETTER, "ru")
    assert page.model.headerData(NUMBER, Qt.Orientation.Horizontal) == _("Number")


def test_the_register_names_a_certificates_addressee(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """A certificate is issued to the worker "to whom it may concern" (its PDF says so): its
    Addressee cell was empty, as if the letter went nowhere."""
    letters = LetterService(open_ws("aigul"))
    anyone = letters.draft(case.id, "assistance_certificate", "ru")
    bank = letters.draft(
        case.id,
        "assistance_certificate",
        "en",
        LetterFields(addressee=Addressee("", "Woori Bank", "")),
    )
    employer = letters.draft(case.id, "employer_letter", "en")
    page = LettersPage(open_ws("aigul"), bridge)
    qtbot.addWidget(page)
    row = {page.model.letter(r).id: r for r in range(page.model.rowCount())}
    assert cell(page, row[anyone.id], ADDRESSEE) == "To whom it may concern"
    tip = page.model.index(row[anyone.id], ADDRESSEE).data(Qt.ItemDataRole.ToolTipRole)
    assert "To whom it may concern" in tip
    assert cell(page, row[bank.id], ADDRESSEE) == "Woori Bank"
    assert cell(page, row[employer.id], ADDRESSEE) == employer.addressee.organisation != ""


def test_the_register_shows_the_subject_less_its_case_in_two_lines_at_most(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    letters = LetterService(open_ws("aigul"))
    default = letters.draft(case.id, "employer_letter", "kk")
    long_subject = " ".join(["Жалақыны төлеу және паспортты қайтару туралы"] * 8)
    long = letters.draft(case.id, "employer_letter", "ru", LetterFields(subject=long_subject))
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    page.resize(1140, 700)
    qtbot.waitExposed(page)
    row = {page.model.letter(r).id: r for r in range(page.model.rowCount())}

    # "№ SEL-…-0001 іс бойынша: NAME": the case is in its own column, the person is shown.
    shown = page.model.index(row[default.id], SUBJECT)
    assert default.subject.startswith(f"№ {case.number} іс бойынша: ")
    assert shown.data() == default.subject.split(": ", 1)[1]
    assert cell(page, row[default.id], CASE) == case.number
    assert shown.data(Qt.ItemDataRole.ToolTipRole) == default.subject  # whole, on hover

    # An officer's own long subject: whole in the model, two lines of it in the row.
    cut = page.model.index(row[long.id], SUBJECT)
    assert cut.data() == long_subject
    line = page.table.fontMetrics().lineSpacing()
    qtbot.waitUntil(lambda: page.table.rowHeight(row[long.id]) >= 2 * line)
    assert page.table.rowHeight(row[long.id]) < 3 * line
    assert cell_shortfall(page.table, cut) > 0  # the rest elided; the tooltip has it all


def test_the_preview_is_rendered_off_the_gui_thread_and_the_last_choice_wins(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rendered on the GUI thread, every letter the arrow keys passed held the window
    130-170 ms; now the register moves at once and only the letter chosen last is shown."""
    letters = LetterService(open_ws("aigul"))
    first = letters.draft(case.id, "employer_letter", "kk")
    second = letters.draft(case.id, "assistance_certificate", "ru")
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    release = threading.Event()
    rendered: list[str] = []
    render = page.service.render_preview

    def held(letter_id: str) -> bytes:
        release.wait(10)
        rendered.append(letter_id)
        return render(letter_id)

    monkeypatch.setattr(page.service, "render_preview", held)
    rows = {page.model.letter(r).id: r for r in range(page.model.rowCount())}
    page.table.selectRow(rows[first.id])
    assert page.loading  # returned at once: the rendering goes on meanwhile
    assert not page.print_button.isEnabled()  # Print would print the letter still shown
    page.table.selectRow(rows[second.id])  # the arrow key moved on before it came
    release.set()
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    assert rendered[-1] == second.id and page.selected() == page.model.letter(rows[second.id])
    assert page.print_button.isEnabled()
    if HAVE_QTPDF:
        assert page.preview.page_count() >= 1
    shown = page.preview.content
    page.refresh()  # the register read again (a letter changed): no blank preview meanwhile
    assert page.loading and page.preview.content == shown
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    assert page.preview.content and rendered[-1] == second.id


def test_editor_shows_errors_inline(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    dialog = page.new_letter_for_case(case.id, case.number)
    dialog.subject.setText("x" * 600)
    press_dialog_button(qtbot, dialog, QDialogButtonBox.StandardButton.Save)
    wait_for(qtbot, dialog.task)
    assert dialog.isVisible()
    assert "too long" in dialog.error.text()
    assert page.model.rowCount() == 0


def test_a_demo_register_has_letters_and_opens_on_the_latest(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    admin = open_ws("admin")
    fill_demo(admin, 150, seed=5, today=date(2026, 11, 24))
    letters = LetterService(admin).list_letters()
    assert len(letters) == 150 // 25
    issued = [letter for letter in letters if letter.status == "issued"]
    assert issued and all(letter.outgoing_number for letter in issued)
    for year in {letter.year for letter in issued}:
        seqs = sorted(letter.seq or 0 for letter in issued if letter.year == year)
        assert seqs == list(range(1, len(seqs) + 1))  # gapless, as the register must be
    reviews = ContractReviewService(admin).list_reviews()
    assert len(reviews) == 150 // 50
    assert all(r.case_id for r in reviews)

    page = LettersPage(open_ws("serik"), bridge)
    qtbot.addWidget(page)
    assert page.model.rowCount() == len(letters)
    assert page.selected() is not None  # the first row is chosen, so the preview is not empty
    assert page.table.selectionModel().selectedRows()[0].row() == 0


def test_a_register_longer_than_its_list_says_how_many_letters_there_are(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It listed the newest 1,000 and said nothing of the others (the CLI's list too)."""
    admin = open_ws("admin")
    fill_demo(admin, 150, seed=5, today=date(2026, 11, 24))
    total = len(LetterService(admin).list_letters())
    assert total >= 3
    monkeypatch.setattr(letters_page, "REGISTER_ROWS", 2)
    page = LettersPage(open_ws("serik"), bridge)
    qtbot.addWidget(page)
    page.show()
    assert page.model.rowCount() == 2
    assert page.capped_note.isVisible()
    assert page.capped_note.text() == (
        f"The newest 2 of {total} letters are listed: choose a year, a kind or a case to find "
        "the others."
    )
    only = page.model.letter(0).case_number
    page.case_filter.setText(only)
    page.case_filter.editingFinished.emit()  # a case's letters: all of them fit
    assert not page.capped_note.isVisible()


def test_the_preview_follows_the_editor_and_shows_when_it_is_stale(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    page = LettersPage(open_ws("aigul"), bridge)
    qtbot.addWidget(page)
    dialog = page.new_letter_for_case(case.id, case.number)
    dialog.kind.setCurrentIndex(dialog.kind.findData("employer_letter"))
    dialog.lang.setCurrentIndex(dialog.lang.findData("ru"))
    # Who will sign is on the draft: the mission's consul, in the letter's language.
    assert "Консул" in dialog.signer.text() and "(" in dialog.signer.text()
    # The facts are pre-filled in Russian from the case, never the Kazakh description.
    assert "Ваша компания не выплачивает" in dialog.facts.toPlainText()
    assert "Үш ай" not in dialog.facts.toPlainText()
    qtbot.waitUntil(lambda: not dialog.stale.isVisibleTo(dialog), timeout=10_000)
    dialog.subject.setText("О выплате заработной платы")
    assert dialog.stale.isVisibleTo(dialog)  # at once: the shown preview is out of date
    assert dialog.refresh_timer.isActive()
    qtbot.waitUntil(lambda: not dialog.stale.isVisibleTo(dialog), timeout=10_000)
    if HAVE_QTPDF:
        assert dialog.preview.page_count() >= 1


def test_the_editor_renders_its_preview_off_the_gui_thread_and_shows_the_last_edit(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = LettersPage(open_ws("aigul"), bridge)
    qtbot.addWidget(page)
    dialog = page.new_letter_for_case(case.id, case.number)
    qtbot.waitUntil(lambda: not dialog.stale.isVisibleTo(dialog), timeout=WAIT_MS)
    release = threading.Event()
    subjects: list[str] = []
    render = dialog.service.preview_for_case

    def held(case_id: str, kind: str, lang: str, fields: LetterFields) -> bytes:
        release.wait(10)
        subjects.append(fields.subject)
        return render(case_id, kind, lang, fields)

    monkeypatch.setattr(dialog.service, "preview_for_case", held)
    dialog.subject.setText("Бірінші тақырып")
    dialog.show_preview()
    assert dialog.stale.isVisibleTo(dialog)  # returned at once: the rendering goes on
    dialog.subject.setText("Екінші тақырып")  # typed on meanwhile: the window did not wait
    with qtbot.waitSignal(dialog.preview_shown, timeout=WAIT_MS):
        dialog.show_preview()
        release.set()
    assert subjects[-1] == "Екінші тақырып" and not dialog.stale.isVisibleTo(dialog)


def test_the_editor_in_kazakh_gives_its_fields_room_and_no_sideways_scroll_bar(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """Beside Kazakh's long labels (323 pixels) in a 460-pixel pane the fields were 85 pixels
    wide, or, with the 590-pixel check box text on one line, cut behind a sideways bar."""
    bridge.set_language("kk")
    page = LettersPage(open_ws("aigul"), bridge)
    qtbot.addWidget(page)
    dialog = page.new_letter_for_case(case.id, case.number)
    qtbot.waitExposed(dialog)
    scroll = dialog.findChild(QScrollArea)
    assert scroll is not None
    assert dialog.form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.WrapAllRows
    fields = (dialog.facts, dialog.subject, dialog.kind)
    qtbot.waitUntil(lambda: min(field.width() for field in fields) >= FIELD_ROOM)
    assert not scroll.horizontalScrollBar().isVisible()
    before = dialog.share_identity.isChecked()
    qtbot.mouseClick(dialog.share_identity_text, Qt.MouseButton.LeftButton)
    assert dialog.share_identity.isChecked() is not before  # its text toggles it, as Qt's own
    assert dialog.share_identity.accessibleName() == dialog.share_identity_text.text()
    dialog.resize(1360, dialog.height())
    dialog.editing.setSizes([800, 560])  # wide enough: the labels go back beside their fields
    qtbot.waitUntil(lambda: dialog.form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.DontWrapRows)
    assert not scroll.horizontalScrollBar().isVisible()


def test_issuing_while_another_process_writes_waits_off_the_gui_thread(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    ws = open_ws("serik")
    letters = LetterService(ws)
    draft = letters.draft(case.id, "employer_letter", "en")
    letters.approve(draft.id)
    page = on_screen(qtbot, LettersPage(ws, bridge))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=row_point(page, 0))
    click(qtbot, page.issue_button)
    holder = open_raw(ws.db.path, ws.db.key)
    holder.execute("BEGIN IMMEDIATE")
    try:
        click_yes(qtbot, page.confirm_box)
        assert page.writing and page.busy.busy and not page.register.isEnabled()
        ticked: list[bool] = []
        QTimer.singleShot(0, lambda: ticked.append(True))
        qtbot.waitUntil(lambda: bool(ticked), timeout=5000)
        assert page.writing  # the number is not taken while another process writes
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    with qtbot.waitSignal(page.letter_issued, timeout=WAIT_MS) as issued:
        pass
    assert issued.args[0].outgoing_number == f"SEL-{date.today().year}/0001"
    assert page.register.isEnabled() and cell(page, 0, STATUS) == "Issued"


def test_an_unissued_letter_shows_what_its_approval_will_ask_to_check(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The checks before approval (no facts, the Latin spelling, consent, sex) reached the
    consul alone, when approving: the drafter learnt of them when the letter came back. The
    register shows them under an unissued letter, and hides them once it shows no letter."""
    ws = open_ws("aigul")
    bare = register_row_case(ws)
    LetterService(ws).draft(bare.id, "hq_case_report", "ru")
    page = on_screen(qtbot, LettersPage(ws, bridge))
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.checks.isVisible(), timeout=WAIT_MS)
    assert page.checks.text().startswith("Before approval, check:\n• ")
    assert "states no facts" in page.checks.text()
    # The consent it lacks in words, where the code (share_hq) was printed.
    assert (
        "share_hq" not in page.checks.text() and label(ConsentScope.SHARE_HQ) in page.checks.text()
    )
    LetterService(ws).discard(page.selected().id)  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: not page.checks.isVisible(), timeout=WAIT_MS)


def test_the_checks_read_as_lines_across_the_register_and_leave_the_preview_its_height(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The fault: the checks before approval stood below the preview, in its column: at
    1280×720 a column 150 pixels wide, four words a line, 180 pixels tall, that took the height
    of the page it is about. They now stand across the register above its buttons, as tall as
    their text (up to eight lines, the rest scrolled) so the register keeps its rows too."""
    ws = open_ws("aigul")
    LetterService(ws).draft(register_row_case(ws).id, "hq_case_report", "ru")
    page = on_screen(qtbot, LettersPage(ws, bridge))
    page.resize(1067, 680)  # what the page has beside the navigation at 1280×720
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.checks.isVisible(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    checks = page.checks
    assert "states no facts" in checks.text()
    assert checks.width() >= page.register.width() - 20  # as wide as the register
    label_ = checks.label
    assert label_.height() >= label_.heightForWidth(label_.width())  # no line cut off
    assert not checks.needs_scrolling()
    assert page.preview.height() >= page.height() * 0.9  # the page's whole column
    assert page.table.height() >= 300

    # A letter with every check there is: the pane stops at its eight lines and scrolls.
    many = [f"{index}. " + "Проверьте написание имени латиницей. " * 6 for index in range(12)]
    letters_page.show_checks(checks, many)
    QTest.qWait(50)
    assert checks.height() <= 8 * label_.fontMetrics().lineSpacing() + 2
    assert checks.needs_scrolling() and page.table.height() >= 250


def test_filters_that_find_no_letter_say_so_under_the_register(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """The fault: the consul typed the end of a case number («0125», as the case list is read)
    and the register went blank without a word, its preview still asking to choose a letter in
    it; a kind with no letters did the same. The register now says that nothing matches, and
    for a case number, that the whole number is needed."""
    LetterService(open_ws("aigul")).draft(case.id, "employer_letter", "kk")
    page = on_screen(qtbot, LettersPage(open_ws("serik"), bridge))

    def notes() -> list[str]:
        return [w.text() for w in page.findChildren(QLabel) if w.isVisible() and w.text()]

    tail = case.number[-4:]
    page.case_filter.setText(tail)
    page.case_filter.editingFinished.emit()
    assert page.model.rowCount() == 0
    assert f"No letter in the register is for case {tail}. Type the case's whole number" in (
        " ".join(notes())
    )
    page.case_filter.setText(case.number)
    page.case_filter.editingFinished.emit()
    assert page.model.rowCount() == 1 and not any("No letter" in t for t in notes())
    page.kind_filter.setCurrentIndex(page.kind_filter.findData("referral"))
    assert "No letter in the register matches the filters above." in notes()
    page.kind_filter.setCurrentIndex(0)
    assert page.model.rowCount() == 1 and not any("No letter" in t for t in notes())


def test_the_letter_window_shows_the_checks_while_the_letter_is_written(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The checks before approval appeared once the letter was saved, in the register: the
    drafter wrote it, saved it, and only then learnt it stated no facts. The letter window shows
    them below its preview and follows the text as it is written."""
    ws = open_ws("aigul")
    bare = register_row_case(ws)
    page = on_screen(qtbot, LettersPage(ws, bridge))
    dialog = page.new_letter_for_case(bare.id, bare.number)
    dialog.kind.setCurrentIndex(dialog.kind.findData("hq_case_report"))
    dialog.lang.setCurrentIndex(dialog.lang.findData("ru"))
    dialog.show_preview()
    qtbot.waitUntil(lambda: "states no facts" in dialog.checks.text(), timeout=WAIT_MS)
    assert dialog.checks.isVisible()
    dialog.facts.setPlainText("Работодатель не выплатил заработную плату за три месяца.")
    dialog.show_preview()
    qtbot.waitUntil(lambda: "states no facts" not in dialog.checks.text(), timeout=WAIT_MS)
    assert dialog.checks.isVisible()  # the consent for HQ is still missing
    assert label(ConsentScope.SHARE_HQ) in dialog.checks.text()
    dialog.reject()


def test_the_letter_window_names_the_consent_to_a_transfer_abroad_a_letter_needs(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """A letter to the employer in Korea takes the worker's data abroad, which no consent on
    file covers: the window says so, names the state and where the consent is recorded. A
    report to headquarters stays in Kazakhstan and says nothing of it."""
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    dialog = page.new_letter_for_case(case.id, case.number)
    dialog.kind.setCurrentIndex(dialog.kind.findData("employer_letter"))
    dialog.show_preview()
    # The case records no consent at all: said so once, with what this letter needs.
    abroad = label(ConsentScope.CROSS_BORDER)
    qtbot.waitUntil(lambda: abroad in dialog.checks.text(), timeout=WAIT_MS)
    assert dialog.checks.isVisible()
    said = dialog.checks.text()
    assert "No consent of the person is recorded" in said
    assert "recorded consent does not cover" not in said
    assert "“Consent to processing of personal data”" in said
    dialog.kind.setCurrentIndex(dialog.kind.findData("hq_case_report"))
    dialog.show_preview()
    qtbot.waitUntil(lambda: abroad not in dialog.checks.text(), timeout=WAIT_MS)
    assert label(ConsentScope.SHARE_HQ) in dialog.checks.text()
    dialog.reject()


def test_a_letter_typed_and_not_saved_is_not_closed_unasked(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Esc or Cancel closed the letter window and threw away the facts typed into it."""
    ws = open_ws("aigul")
    page = on_screen(qtbot, LettersPage(ws, bridge))
    answers: list[QMessageBox.StandardButton] = []
    monkeypatch.setattr(letter_dialog, "ask_unsaved_letter", lambda _parent: answers.pop(0))

    untouched = page.new_letter_for_case(case.id, case.number)
    untouched.reject()  # nothing typed: closed, nothing asked
    assert not untouched.isVisible()

    dialog = page.new_letter_for_case(case.id, case.number)
    dialog.facts.setPlainText("Работодатель удерживает паспорт работника.")
    answers[:] = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save]
    QTest.keyClick(dialog, Qt.Key.Key_Escape)  # Cancel: the window and the text stay
    assert dialog.isVisible() and "паспорт" in dialog.facts.toPlainText()
    dialog.reject()  # Save: written as a draft, then closed
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    assert not answers
    drafts = LetterService(ws).list_letters(LetterFilter(case_id=case.id))
    assert len(drafts) == 1 and drafts[0].status == "draft"

    thrown = page.new_letter_for_case(case.id, case.number)
    thrown.subject.setText("Не нужно")
    answers[:] = [QMessageBox.StandardButton.Discard]
    thrown.reject()
    assert not thrown.isVisible()
    assert len(LetterService(ws).list_letters(LetterFilter(case_id=case.id))) == 1


def test_another_organisation_typed_is_not_greeted_as_the_ministry(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """The fault: the dative filled in for the foreign ministry stayed when the officer typed
    another addressee, and the note greeted the ministry while its foot was addressed to the
    inspectorate."""
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    dialog = page.new_letter_for_case(case.id, case.number)
    dialog.kind.setCurrentIndex(dialog.kind.findData("note_verbale_labour_authority"))
    dialog.lang.setCurrentIndex(dialog.lang.findData("ru"))
    assert dialog.organisation_dative.text().startswith("Министерству иностранных дел")
    dialog.organisation.selectAll()
    QTest.keyClicks(dialog.organisation, "Labour Inspectorate")  # typed: textEdited
    assert dialog.organisation_dative.text() == ""
    # A dative the officer typed for the new addressee stays as typed.
    dialog.organisation_dative.setText("Государственной инспекции труда")
    QTest.keyClicks(dialog.organisation, " Office")
    assert dialog.organisation_dative.text() == "Государственной инспекции труда"
    dialog.refresh_timer.stop()
    dialog.edited = False
    dialog.reject()


def test_a_letter_whose_pdf_retention_removed_says_so_in_the_preview_and_on_saving(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Retention blanks the PDF of an anonymised case's letters; the register rendered the
    letter again in its place, a draft dated today without the worker's name, to be shown,
    saved as a draft and printed as the letter sent."""
    letter = issued_letter(open_ws("aigul"), open_ws("serik"), case.id)
    admin = open_ws("admin")
    with admin.write() as session:
        anonymise_case(session, case.id, datetime.now(UTC))
    said = (
        f"The PDF of letter {letter.outgoing_number} is no longer kept: the personal data of "
        "its case was anonymised at the end of the retention period."
    )
    for read in (LetterService(admin).render_preview, LetterService(admin).pdf):
        with pytest.raises(NotFound) as refused:
            read(letter.id)
        assert str(refused.value) == said
    shown: list[BaseException] = []
    monkeypatch.setattr(letters_page, "show_error", lambda _parent, exc: shown.append(exc))

    page = on_screen(qtbot, LettersPage(open_ws("serik"), bridge))
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)

    assert page.selected() is not None and page.selected().id == letter.id
    assert page.preview.notice.isVisible() and page.preview.notice.text() == said
    assert not shown  # in the preview's place: no message box at each such letter passed
    page.save_to(tmp_path / "saved.pdf")
    assert [str(exc) for exc in shown] == [said] and not (tmp_path / "saved.pdf").exists()
    bridge.set_language("ru")  # still why, in the language chosen: not "choose a letter"
    assert page.preview.notice.text() == str(refused.value)


def test_a_draft_put_into_kazakh_takes_the_kazakh_addressee_and_subject(
    qtbot: QtBot, open_ws: OpenWs, case: CaseDetail
) -> None:
    """The fault: a Russian draft of a note opened and put into Kazakh kept «Министерство
    иностранных дел …» and its dative, so the Kazakh note greeted «Министерству иностранных
    дел …», and kept its Russian subject «По делу № …». What the officer typed stays."""
    ws = open_ws("aigul")
    service = LetterService(ws)
    draft = service.draft(case.id, "note_verbale_labour_authority", "ru")
    dialog = on_screen(qtbot, LetterDialog(ws, case.id, case.number, letter=draft))
    assert dialog.organisation_dative.text().startswith("Министерству иностранных дел")
    dialog.lang.setCurrentIndex(dialog.lang.findData("kk"))
    kazakh = service.defaults(case.id, "note_verbale_labour_authority", "kk")
    assert kazakh.addressee is not None
    fields = dialog.fields()
    assert fields.addressee is not None
    assert fields.addressee.organisation == kazakh.addressee.organisation
    assert fields.addressee.organisation_dative == kazakh.addressee.organisation_dative
    assert fields.addressee.organisation_dative.endswith("министрлігіне")
    assert fields.subject == kazakh.subject and "іс бойынша" in fields.subject

    # An addressee and a subject the officer typed are not the old language's defaults: kept.
    typed = service.draft(
        case.id,
        "note_verbale_labour_authority",
        "ru",
        LetterFields(
            addressee=Addressee("", "Labour Office", "Busan"),
            subject="О невыплате заработной платы",
        ),
    )
    other = on_screen(qtbot, LetterDialog(ws, case.id, case.number, letter=typed))
    other.lang.setCurrentIndex(other.lang.findData("kk"))
    assert other.organisation.text() == "Labour Office" and other.address.text() == "Busan"
    assert other.subject.text() == "О невыплате заработной платы"
    for window in (dialog, other):
        window.refresh_timer.stop()
        window.edited = False
        window.reject()


def test_a_new_letter_put_into_another_language_keeps_the_addressee_typed(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """The fault: the officer typed the partner a referral goes to, then chose Kazakh, and the
    organisation and address typed were wiped with the rest of the form."""
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    dialog = page.new_letter_for_case(case.id, case.number)
    dialog.kind.setCurrentIndex(dialog.kind.findData("referral"))
    dialog.lang.setCurrentIndex(dialog.lang.findData("ru"))
    QTest.keyClicks(dialog.organisation, "Migrant Workers Centre")
    QTest.keyClicks(dialog.address, "Ansan")
    assert dialog.subject.text().startswith("По делу №")
    dialog.lang.setCurrentIndex(dialog.lang.findData("kk"))
    assert dialog.organisation.text() == "Migrant Workers Centre"
    assert dialog.address.text() == "Ansan"
    assert "іс бойынша" in dialog.subject.text()  # the default subject follows the language
    kazakh = LetterService(open_ws("aigul")).defaults(case.id, "referral", "kk")
    assert dialog.facts.toPlainText() == (kazakh.facts or "")
    dialog.refresh_timer.stop()
    dialog.edited = False
    dialog.reject()


def test_a_long_addressee_and_subject_show_their_beginning(
    qtbot: QtBot, open_ws: OpenWs, case: CaseDetail
) -> None:
    """The fault: a long organisation, address or subject filled in showed only its tail
    ("…Cluster Number Seven", ".203 іс бойынша: …"): the cursor stayed at the end."""
    ws = open_ws("aigul")
    long_name = "Very Long Employer Name & Sons International Holding Company Limited " * 2
    draft = LetterService(ws).draft(
        case.id,
        "employer_letter",
        "kk",
        LetterFields(addressee=Addressee("", long_name.strip(), "Building 123-45, " * 6)),
    )
    dialog = on_screen(qtbot, LetterDialog(ws, case.id, case.number, letter=draft))
    for line in (dialog.organisation, dialog.address, dialog.subject):
        assert line.cursorPosition() == 0, line.text()
    dialog.lang.setCurrentIndex(dialog.lang.findData("ru"))
    assert dialog.subject.cursorPosition() == 0 and dialog.subject.text().startswith("По делу")
    dialog.refresh_timer.stop()
    dialog.edited = False
    dialog.reject()


def test_the_editor_in_russian_wraps_its_longest_label_instead_of_scrolling_sideways(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """Above its field, Russian's 450-pixel label of the dative organisation kept to one line:
    wider than the 460-pixel pane, it pushed every field's right edge behind a sideways bar."""
    bridge.set_language("ru")
    page = LettersPage(open_ws("aigul"), bridge)
    qtbot.addWidget(page)
    dialog = page.new_letter_for_case(case.id, case.number)
    qtbot.waitExposed(dialog)
    scroll = dialog.findChild(QScrollArea)
    assert scroll is not None
    qtbot.waitUntil(lambda: dialog.form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.WrapAllRows)
    label = dialog.form.labelForField(dialog.organisation_dative)
    assert isinstance(label, QLabel)
    assert label.text().replace("&", "").startswith("Организация в дательном падеже")
    qtbot.wait(50)  # the layout settles after the rows wrapped
    assert not scroll.horizontalScrollBar().isVisible()
    assert dialog.organisation_dative.geometry().right() <= scroll.viewport().width()
    assert label.width() <= scroll.viewport().width()


def test_a_letter_saved_on_a_full_disk_says_so_and_keeps_the_earlier_copy(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Saved in place, a letter whose disk filled half-way left half a PDF over the copy
    saved before."""
    issued_letter(open_ws("aigul"), open_ws("serik"), case.id)
    page = on_screen(qtbot, LettersPage(open_ws("serik"), bridge))
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    folder = tmp_path / "letters"
    folder.mkdir()
    target = folder / "letter.pdf"
    with qtbot.waitSignal(page.copy_recorded, timeout=WAIT_MS):
        page.save_to(target)
    earlier = target.read_bytes()
    said: list[str] = []
    monkeypatch.setattr(
        letters_page, "plain_message", lambda _parent, _title, text: said.append(text)
    )

    def half_then_full(path: Path, data: bytes) -> int:
        with path.open("wb") as handle:
            handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(Path, "write_bytes", half_then_full)
    page.save_to(target)
    assert said == [f"{target} cannot be written: no space left on the disk"]
    assert target.read_bytes() == earlier
    assert [p.name for p in folder.iterdir()] == ["letter.pdf"]


def test_approves_checks_run_off_the_gui_thread(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The checks before approval read the case, its citations and the legal tables: on the
    GUI thread they held the window 0.1-0.4 s at the first Approve. The register is disabled
    while they run, so a second click cannot start a second approval."""
    ws = open_ws("serik")
    LetterService(ws).draft(case.id, "employer_letter", "en")
    page = on_screen(qtbot, LettersPage(ws, bridge))
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=row_point(page, 0))
    threads: list[threading.Thread] = []
    checks = LetterService.warnings

    def recorded(service: LetterService, letter_id: str) -> list[str]:
        threads.append(threading.current_thread())
        return checks(service, letter_id)

    monkeypatch.setattr(LetterService, "warnings", recorded)
    threads.clear()  # the preview's own checks, if they ran, are not Approve's
    click(qtbot, page.approve_button)
    assert page.checking_approval and not page.register.isEnabled()
    qtbot.waitUntil(lambda: not page.checking_approval, timeout=WAIT_MS)
    assert threads and threading.main_thread() not in threads
    # The person's consent does not cover the employer: asked once the checks came back.
    assert page.confirm_box is not None and "consent" in page.confirm_box.text()
    assert page.register.isEnabled()


def test_new_letter_in_the_register_on_a_case_handed_away_says_who_writes_it(
    qtbot: QtBot,
    open_ws: OpenWs,
    bridge: LanguageBridge,
    case: CaseDetail,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The fault: New letter… in the register took the number of a case HQ had transferred
    to another mission and opened an editor whose letter this mission must not write. It now
    says which mission handles the case, and opens nothing."""
    with open_ws("admin").write() as session:
        session.execute(update(Case).where(Case.id == case.id).values(holder_mission="DXB"))
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    monkeypatch.setattr(
        letters_page.QInputDialog, "getText", lambda *_args: (case.number.lower(), True)
    )
    said: list[tuple[str, str]] = []
    monkeypatch.setattr(
        letters_page, "plain_message", lambda _parent, title, text: said.append((title, text))
    )
    page.ask_case_for_new_letter()
    assert said == [
        (
            "New letter",
            f"Case {case.number} is handled by another mission now (DXB): headquarters "
            "transferred it there, and letters about it are written there, not here.",
        )
    ]
    assert page.dialog is None


def test_a_draft_of_a_case_handed_away_is_shown_as_a_record_only(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """The fault: a draft made before HQ transferred its case to another mission still
    showed as a letter here, with Edit, Approve, Save and Discard offered. The preview says
    why it is not shown, and nothing acts on it."""
    LetterService(open_ws("aigul")).draft(case.id, "hq_case_report", "ru")
    with open_ws("admin").write() as session:
        session.execute(update(Case).where(Case.id == case.id).values(holder_mission="DXB"))
    page = on_screen(qtbot, LettersPage(open_ws("serik"), bridge))
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: not page.loading and page.preview.notice.isVisible(), timeout=WAIT_MS)
    assert "is handled by another mission now (DXB)" in page.preview.notice.text()
    for button in (
        page.edit_button,
        page.approve_button,
        page.issue_button,
        page.save_button,
        page.print_button,
        page.discard_button,
    ):
        assert not button.isEnabled(), button.text()


def test_a_letter_of_an_anonymised_case_offers_no_reply_and_says_why(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge, case: CaseDetail
) -> None:
    """The fault: Record a reply… stayed offered on a letter whose case retention had
    anonymised, and took a sender's name there: personal data after retention."""
    letter = issued_letter(open_ws("aigul"), open_ws("serik"), case.id)
    page = on_screen(qtbot, LettersPage(open_ws("aigul"), bridge))
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    assert page.selected() is not None and page.selected().id == letter.id
    assert page.reply_button.isEnabled()
    with open_ws("admin").write() as session:
        anonymise_case(session, case.id, datetime.now(UTC))
    page.refresh(letter.id)
    qtbot.waitUntil(lambda: not page.loading, timeout=WAIT_MS)
    assert page.selected() is not None and page.selected().case_anonymised
    assert not page.reply_button.isEnabled()
    assert page.reply_button.toolTip() == (
        "Its case was anonymised at the end of the retention period: no reply is recorded."
    )
