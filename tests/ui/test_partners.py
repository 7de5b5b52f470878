"""The Partners area and "Refer to a partner…" on a case: real services on a temporary
database, driven by clicks and typing as an officer does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from app.services.cases import CaseService
from app.services.partners import PartnerInput, PartnerService
from app.services.workspace import Workspace
from tests.builders import ASSEL, wage_case
from tests.conftest import OpenWs
from tests.ui.press import (
    choose,
    click,
    modal_dialog,
    on_screen,
    open_area,
    press_button,
    press_dialog_button,
    show_tab,
    type_into,
)
from ui.cases.editor import CaseEditor
from ui.i18n_bridge import LanguageBridge
from ui.partners.dialogs import OutcomeDialog, PartnerDialog, ReferralDialog
from ui.partners.page import PartnersPage
from ui.widgets.dialogs import ShortScreenScroll

SHELTER = PartnerInput(name="Ansan Migrant Shelter", kind="shelter", country="KR", city="Ansan")


def names(page: PartnersPage) -> list[str]:
    return [row.name for row in page.model.rows]


def test_a_consul_adds_a_partner_finds_and_corrects_it(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    page = on_screen(qtbot, PartnersPage(open_ws("serik"), bridge))
    assert names(page) == [] and page.summary.text() == "0 partner organisations"
    click(qtbot, page.add_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, PartnerDialog)
    assert dialog.country.code() == "KR"  # the mission's country to start with
    type_into(qtbot, dialog.name, "Ansan Migrant Shelter")
    choose(qtbot, dialog.kind, "shelter")
    type_into(qtbot, dialog.city, "Ansan")
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: names(page) == ["Ansan Migrant Shelter"], timeout=5000)
    assert page.model.cell(page.model.rows[0], 1) == "Shelter"

    type_into(qtbot, page.search, "nobody")
    qtbot.waitUntil(lambda: names(page) == [], timeout=5000)
    type_into(qtbot, page.search, "ANSAN")
    qtbot.waitUntil(lambda: names(page) == ["Ansan Migrant Shelter"], timeout=5000)

    page.view.selectRow(0)
    click(qtbot, page.edit_button)
    edit = modal_dialog(qtbot)
    assert isinstance(edit, PartnerDialog) and edit.name.text() == "Ansan Migrant Shelter"
    type_into(qtbot, edit.phone, "+82 31 000 0000")
    press_dialog_button(qtbot, edit)
    qtbot.waitUntil(lambda: page.model.rows[0].phone == "+82 31 000 0000", timeout=5000)


def test_an_empty_name_is_said_in_the_dialog_and_nothing_is_added(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    ws = open_ws("serik")
    page = on_screen(qtbot, PartnersPage(ws, bridge))
    click(qtbot, page.add_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, PartnerDialog)
    press_dialog_button(qtbot, dialog)
    assert dialog.isVisible() and dialog.error.text() == "Name must not be empty."
    assert PartnerService(ws).count() == 0


def test_an_attache_reads_the_list_and_cannot_change_it(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    PartnerService(open_ws("serik")).create(SHELTER)
    page = on_screen(qtbot, PartnersPage(open_ws("aigul"), bridge))
    page.view.selectRow(0)
    assert names(page) == ["Ansan Migrant Shelter"]
    assert not page.add_button.isEnabled() and not page.edit_button.isEnabled()
    assert "consul or administrator" in page.add_button.toolTip()


def test_the_main_window_has_the_partners_area(
    qtbot: QtBot, ws: Workspace, make_window: Callable[..., object]
) -> None:
    window = make_window(ws)
    assert isinstance(open_area(qtbot, window, "partners"), PartnersPage)  # type: ignore[arg-type]


def _refer_dialog(
    qtbot: QtBot, open_ws: OpenWs, status: str = ""
) -> tuple[CaseEditor, str, Workspace, ReferralDialog]:
    """Aigul's new case (moved to ``status`` first, if given) open in the editor, the shelter
    on the partners' list, and "Refer to a partner…" pressed: the editor, the case's id,
    Aigul's workspace and the dialog."""
    PartnerService(open_ws("serik")).create(SHELTER)
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    if status:
        CaseService(ws).set_status(case.id, status, "Paid in full")
    editor = on_screen(qtbot, CaseEditor(ws, [("aigul", "Aigul")]))
    editor.open_case(case.id)
    click(qtbot, editor.refer_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, ReferralDialog)
    return editor, case.id, ws, dialog


def test_an_officer_refers_the_open_case_and_the_timeline_says_so(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    editor, case_id, ws, dialog = _refer_dialog(qtbot, open_ws)
    assert "Ansan Migrant Shelter" in dialog.partner.currentText()
    # No consent for partners recorded: said before the officer confirms.
    assert dialog.warning.isVisible() and "does not cover" in dialog.warning.text()
    assert not dialog.ok_button().isEnabled()  # no reason yet
    type_into(qtbot, dialog.reason, "She has nowhere to sleep.")
    press_dialog_button(qtbot, dialog)
    assert not dialog.isVisible()
    expected = "Referral\nAnsan Migrant Shelter: She has nowhere to sleep."
    qtbot.waitUntil(lambda: expected in editor.timeline.events.toPlainText(), timeout=5000)
    [referral] = PartnerService(ws).referrals(case_id)
    assert referral.reason == "She has nowhere to sleep."

    PartnerService(open_ws("serik")).create(
        PartnerInput(name="Seoul Legal Aid", kind="lawyer", country="KR", city="Seoul")
    )
    click(qtbot, editor.refer_button)  # the second time, the first referral is shown
    again = modal_dialog(qtbot)
    assert isinstance(again, ReferralDialog)
    assert "Ansan Migrant Shelter. Outcome not yet recorded." in again.earlier.toPlainText()
    # The shelter still holds the case: said, not offered (it was chosen first, then refused).
    shelter = again.partner.findText("Ansan Migrant Shelter", Qt.MatchFlag.MatchStartsWith)
    model = again.partner.model()
    assert "(referred; outcome not yet recorded)" in again.partner.itemText(shelter)
    assert not model.flags(model.index(shelter, 0)) & Qt.ItemFlag.ItemIsEnabled
    assert again.partner.currentText().startswith("Seoul Legal Aid")
    again.reject()


def test_the_consent_warning_follows_the_partner_chosen(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: the dialog said nothing when the worker had consented to partners but not
    to a cross-border transfer, though the shelter chosen is abroad. The warning now follows
    the partner chosen: one abroad asks for that consent, one in Kazakhstan does not."""
    serik = PartnerService(open_ws("serik"))
    serik.create(SHELTER)
    serik.create(PartnerInput(name="Almaty Employment Centre", kind="other", country="KZ"))
    ws = open_ws("aigul")
    consenting = replace(
        ASSEL, consent_date=date.today(), consent_scope=("case_handling", "share_partners")
    )
    case = wage_case(ws, consenting)
    editor = on_screen(qtbot, CaseEditor(ws, [("aigul", "Aigul")]))
    editor.open_case(case.id)
    click(qtbot, editor.refer_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, ReferralDialog)
    assert dialog.partner.currentText().startswith("Almaty Employment Centre")
    assert not dialog.warning.isVisible()
    choose(qtbot, dialog.partner, text=dialog.partner.itemText(1))
    assert dialog.partner.currentText().startswith("Ansan Migrant Shelter")
    assert dialog.warning.isVisible()
    assert dialog.warning.text() == (
        "The person's recorded consent does not cover sharing their data with this addressee "
        "(cross-border transfer)."
    )
    dialog.reject()


def test_an_analyst_at_hq_is_not_offered_a_referral(qtbot: QtBot, open_ws: OpenWs) -> None:
    admin = open_ws("admin")
    case = wage_case(admin, ASSEL)
    editor = on_screen(qtbot, CaseEditor(open_ws("astana"), []))
    editor.open_case(case.id)
    assert not editor.refer_button.isVisible()


def _referred_case_open(qtbot: QtBot, open_ws: OpenWs) -> tuple[CaseEditor, str]:
    """Aigul's case, referred to the shelter, open in the editor on its Referrals tab."""
    shelter = PartnerService(open_ws("serik")).create(SHELTER)
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    PartnerService(ws).refer(case.id, shelter.id, "She has nowhere to sleep.")
    editor = on_screen(qtbot, CaseEditor(ws, [("aigul", "Aigul")]))
    editor.open_case(case.id)
    editor.tabs.setCurrentIndex(editor.referrals_tab_index)
    return editor, case.id


def test_an_officer_records_a_referrals_outcome_on_the_case(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: the case showed no referrals, and their outcome could be recorded only with
    ``qorgau case referral-outcome``: an officer who heard back from the shelter had no way to
    write it down in the app."""
    editor, case_id = _referred_case_open(qtbot, open_ws)
    panel = editor.referrals_panel
    assert editor.tabs.tabText(editor.referrals_tab_index) == "Referrals"
    model = panel.model
    assert [model.index(0, c).data() for c in range(4)][1:] == [
        "Ansan Migrant Shelter",
        "She has nowhere to sleep.",
        "Not yet recorded",
    ]
    assert panel.record_button.isEnabled()
    click(qtbot, panel.record_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, OutcomeDialog)
    assert "Referred to Ansan Migrant Shelter on" in dialog.intro.text()
    assert not dialog.ok_button().isEnabled()  # nothing typed yet
    type_into(qtbot, dialog.outcome, "The shelter took her in.")
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    qtbot.waitUntil(lambda: model.index(0, 3).data() == "The shelter took her in.", timeout=5000)
    expected = "Outcome of a referral recorded\nAnsan Migrant Shelter: The shelter took her in."
    qtbot.waitUntil(lambda: expected in editor.timeline.events.toPlainText(), timeout=5000)
    [referral] = PartnerService(editor.workspace).referrals(case_id)
    assert referral.outcome == "The shelter took her in."


def test_an_outcome_recorded_meanwhile_is_said_and_not_overwritten(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault to avoid: a second officer's dialog, open on the same referral, silently
    replaced the outcome her colleague recorded a moment before."""
    editor, case_id = _referred_case_open(qtbot, open_ws)
    click(qtbot, editor.referrals_panel.record_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, OutcomeDialog)
    other = PartnerService(open_ws("serik"))
    other.record_outcome(dialog.referral.id, "The lawyer filed a claim.")
    type_into(qtbot, dialog.outcome, "The shelter took her in.")
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: bool(dialog.error.text()), timeout=5000)
    assert dialog.isVisible() and "Someone else changed this record" in dialog.error.text()
    [referral] = other.referrals(case_id)
    assert referral.outcome == "The lawyer filed a claim."
    dialog.reject()


def test_an_outcome_on_record_is_replaced_only_after_asking(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: an outcome once recorded could not be corrected in the window (only by the
    command line, which now asks for --replace). The officer is shown what is on record and
    asked; Cancel (the default) keeps it, "Record another" opens the dialog that replaces it,
    and the timeline keeps both."""
    editor, case_id = _referred_case_open(qtbot, open_ws)
    panel = editor.referrals_panel
    [referral] = PartnerService(editor.workspace).referrals(case_id)
    PartnerService(editor.workspace).record_outcome(referral.id, "Taken in for a week.")
    panel.refresh()
    assert panel.record_button.isEnabled()

    click(qtbot, panel.record_button)
    box = asked(qtbot)
    assert "already has an outcome: “Taken in for a week.”" in box.text()
    assert box.defaultButton().text() == "Cancel"
    box.defaultButton().click()
    assert not isinstance(QApplication.activeModalWidget(), OutcomeDialog)

    click(qtbot, panel.record_button)
    box = asked(qtbot)
    [another] = [b for b in box.buttons() if b.text() == "Record another"]
    another.click()
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, OutcomeDialog)
    assert "Outcome on record: Taken in for a week." in dialog.intro.text()
    type_into(qtbot, dialog.outcome, "The lawyer filed a claim.")
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: panel.model.index(0, 3).data() == "The lawyer filed a claim.")
    said = "Outcome of a referral recorded\nAnsan Migrant Shelter: The lawyer filed a claim."
    qtbot.waitUntil(lambda: said in editor.timeline.events.toPlainText(), timeout=5000)
    assert "Taken in for a week." in editor.timeline.events.toPlainText()


def test_an_analyst_at_hq_reads_the_referrals_and_records_no_outcome(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    admin = open_ws("admin")
    case = wage_case(admin, ASSEL)
    shelter = PartnerService(admin).create(SHELTER)
    PartnerService(admin).refer(case.id, shelter.id, "She has nowhere to sleep.")
    editor = on_screen(qtbot, CaseEditor(open_ws("astana"), []))
    editor.open_case(case.id)
    editor.tabs.setCurrentIndex(editor.referrals_tab_index)
    assert editor.referrals_panel.model.rowCount() == 1
    assert not editor.referrals_panel.record_button.isVisible()
    assert editor.referrals_panel.record_outcome() is None


def test_the_refer_dialog_sets_the_status_to_referred_when_the_workflow_allows(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: referring left a "new" case "new"; the dialog offers "Referred", checked."""
    editor, case_id, ws, dialog = _refer_dialog(qtbot, open_ws)
    assert dialog.set_status.isVisible() and dialog.set_status.isChecked()
    assert dialog.set_status.text() == "Set the case's status to “Referred”"
    type_into(qtbot, dialog.reason, "She has nowhere to sleep.")
    press_dialog_button(qtbot, dialog)
    qtbot.waitUntil(lambda: editor.case is not None and editor.case.status == "referred")
    assert "Status changed: New → Referred" in editor.timeline.events.toPlainText()


def test_a_resolved_case_says_to_reopen_it_and_offers_no_ok(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: a resolved case was referred, and a consul could then close it with the
    referral open. As for a closed case, the dialog says to reopen it first (as the command
    line does), and OK stays off."""
    editor, case_id, ws, dialog = _refer_dialog(qtbot, open_ws, status="resolved")
    assert not dialog.set_status.isVisible()
    assert dialog.error.isVisible()
    number = CaseService(ws).get_case(case_id).number
    assert dialog.error.text().startswith(f"Case {number} is “Resolved”: reopen it before")
    type_into(qtbot, dialog.reason, "Help with the journey home.")
    assert not dialog.ok_button().isEnabled()
    dialog.reject()
    assert CaseService(ws).get_case(case_id).status == "resolved"
    assert PartnerService(ws).referrals(case_id) == []


def test_a_closed_case_says_to_reopen_it_and_offers_no_ok(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: the dialog referred a closed case (the service let it through). It says,
    before anything is typed, that the case must be reopened, and OK stays off."""
    PartnerService(open_ws("serik")).create(SHELTER)
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    CaseService(ws).set_status(case.id, "resolved", "Paid in full")
    CaseService(open_ws("serik")).set_status(case.id, "closed", "")
    editor = on_screen(qtbot, CaseEditor(ws, [("aigul", "Aigul")]))
    editor.open_case(case.id)
    click(qtbot, editor.refer_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, ReferralDialog)
    assert dialog.error.isVisible()
    assert dialog.error.text().startswith(f"Case {case.number} is “Closed”: reopen it before")
    type_into(qtbot, dialog.reason, "Help with the journey home.")
    assert not dialog.ok_button().isEnabled()
    dialog.reject()
    assert PartnerService(ws).referrals(case.id) == []


def asked(qtbot: QtBot) -> QMessageBox:
    """The question a dialog's Esc put on screen, over it."""
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QMessageBox))
    box = QApplication.activeModalWidget()
    assert isinstance(box, QMessageBox)
    return box


def _referral_with_reason(qtbot: QtBot, open_ws: OpenWs, reason: str) -> ReferralDialog:
    _editor, _case_id, _ws, dialog = _refer_dialog(qtbot, open_ws)
    type_into(qtbot, dialog.reason, reason)
    return dialog


def test_esc_on_a_typed_reason_asks_and_cancel_keeps_the_text(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: Esc (or Cancel) closed the referral dialog at once, and a reason of a page
    typed into it was gone without a word."""
    reason = "She was locked in the dormitory. " * 60
    dialog = _referral_with_reason(qtbot, open_ws, reason)
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)
    question = asked(qtbot)
    assert question.text().startswith("What you typed in this window is not saved")
    qtbot.keyClick(question, Qt.Key.Key_Return)  # Enter, unread: Cancel is the default
    qtbot.waitUntil(lambda: not question.isVisible(), timeout=5000)
    assert dialog.isVisible() and dialog.reason.toPlainText() == reason

    qtbot.keyClick(dialog.reason, Qt.Key.Key_Escape)
    again = asked(qtbot)
    press_button(qtbot, again, "Discard")
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)


def test_esc_on_an_untouched_dialog_closes_it_without_asking(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The question is for typed work only: an unchanged partner's Esc closes at once."""
    PartnerService(open_ws("serik")).create(SHELTER)
    page = on_screen(qtbot, PartnersPage(open_ws("serik"), bridge))
    page.view.selectRow(0)
    click(qtbot, page.edit_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, PartnerDialog)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)

    click(qtbot, page.edit_button)
    edited = modal_dialog(qtbot)
    assert isinstance(edited, PartnerDialog)
    type_into(qtbot, edited.phone, "+82 31 000 0000")
    qtbot.keyClick(edited.phone, Qt.Key.Key_Escape)
    question = asked(qtbot)
    assert edited.isVisible()
    question.reject()


def test_esc_on_a_typed_outcome_asks_first(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: the outcome typed into "Record outcome…" was lost to one Esc."""
    editor, _case_id = _referred_case_open(qtbot, open_ws)
    show_tab(qtbot, editor.tabs, editor.referrals_panel)
    click(qtbot, editor.referrals_panel.record_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, OutcomeDialog)
    type_into(qtbot, dialog.outcome, "The shelter took her in.")
    qtbot.keyClick(dialog.outcome, Qt.Key.Key_Escape)
    question = asked(qtbot)
    question.reject()
    assert dialog.isVisible() and dialog.outcome.toPlainText() == "The shelter took her in."


def test_a_long_partner_name_neither_widens_the_referral_dialog_nor_cuts_its_labels(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: the partner box took the width of the longest name on the list; one long
    name made the dialog wider than a 1366-pixel screen's dialogs may be, and Qt cut the
    labels beside the fields ("Серіктес:" read "Серікте")."""
    long_name = "Ассоциация помощи трудовым мигрантам & <их семьям> " * 4
    PartnerService(open_ws("serik")).create(
        PartnerInput(name=long_name, kind="ngo", country="KR", city="Seoul")
    )
    dialog = _referral_with_reason(qtbot, open_ws, "Unpaid for three months.")
    choose(qtbot, dialog.partner, text=dialog.partner.itemText(1))
    label = dialog.form.labelForField(dialog.partner)
    assert isinstance(label, QLabel)
    assert dialog.width() < 800 and dialog.partner.minimumSizeHint().width() < 500
    assert label.width() >= label.sizeHint().width()  # the whole label, not cut
    assert long_name.strip() in dialog.partner.toolTip()  # the name whole where the box cuts it
    dialog.reason.clear()
    dialog.reject()


def test_the_partner_form_labels_have_their_jump_letters(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The fault: the partner form's labels had no Alt+letter (and no colon), unlike every
    other form: Alt+P did not reach the phone."""
    page = on_screen(qtbot, PartnersPage(open_ws("serik"), bridge))
    click(qtbot, page.add_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, PartnerDialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.name, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert dialog.phone.hasFocus()
    letters = [
        label.text().split("&")[1][0].lower()
        for widget, _key in dialog._rows
        if isinstance(label := dialog.form.labelForField(widget), QLabel)
    ]
    assert len(letters) == len(dialog._rows) == len(set(letters))


def test_a_long_partner_name_cut_in_the_list_is_whole_in_its_tip(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The fault: the Name column cut a long name ("… Ассоциация помощи …") and the row's tip
    held only the address and notes, so the name was nowhere to be read whole; a name with
    "<" was read as markup in the tip."""
    name = "Shelter & Care <Seoul> " + "Ассоциация помощи мигрантам " * 4
    PartnerService(open_ws("serik")).create(
        PartnerInput(name=name, kind="ngo", country="KR", notes="Night line")
    )
    page = on_screen(qtbot, PartnersPage(open_ws("serik"), bridge))
    tip = page.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert name.strip() in tip.replace("&lt;", "<").replace("&amp;", "&")
    assert "Night line" in tip


def test_a_case_referred_many_times_fits_an_800x600_screen_uncrowded(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: the referrals made before were one wrapped label, as tall as the list. At
    800×600 Qt opens a dialog at most two thirds of the screen high, shorter than the form
    needed at its width: the list's lines ran over the consent warning and each other."""
    serik = PartnerService(open_ws("serik"))
    partners = [
        serik.create(PartnerInput(name=f"Migrant Centre {n}", kind="ngo", country="KR"))
        for n in range(12)
    ]
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    outcome = "The centre took her in, its lawyer advised her and drafts the wage claim. " * 2
    for partner in partners:
        referral = PartnerService(ws).refer(case.id, partner.id, "Nowhere to sleep.").referral
        PartnerService(ws).record_outcome(referral.id, outcome, referral.version)
    editor = on_screen(qtbot, CaseEditor(ws, [("aigul", "Aigul")]))
    editor.open_case(case.id)
    click(qtbot, editor.refer_button)
    dialog = modal_dialog(qtbot)
    assert isinstance(dialog, ReferralDialog)
    qtbot.waitUntil(lambda: dialog.isVisible(), timeout=5000)
    assert "Migrant Centre 11. The centre took her in" in dialog.earlier.toPlainText()
    frame = dialog.frameGeometry()
    assert frame.width() <= 800 and frame.height() <= 600
    # The form scrolls where the screen is too short for it (ValidatingDialog), its rows
    # never squeezed.
    form = dialog.findChild(ShortScreenScroll)
    assert form is not None and form.widget() is not None
    layout = form.widget().layout()
    assert layout is not None and layout.hasHeightForWidth()
    assert form.widget().height() >= layout.totalHeightForWidth(form.widget().width())
    dialog.reject()
