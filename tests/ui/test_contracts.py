"""The contract-review form: live findings, the risk badge, save, export, a case's pre-fill."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.db.models import ContractReview
from app.services.workspace import Workspace
from tests.conftest import OpenWs
from tests.ui.press import choose, click, click_index, on_screen, type_into, wait_written
from tests.unit.test_contract_service import make_case
from ui.contracts import page as review_page
from ui.contracts.page import ContractReviewPage
from ui.i18n_bridge import LanguageBridge
from ui.widgets.columns import cell_shortfall


def make_page(qtbot: QtBot, ws: Workspace) -> ContractReviewPage:
    return on_screen(qtbot, ContractReviewPage(ws))


def shown_findings(page: ContractReviewPage) -> dict[str, str]:
    """rule code -> level code, as the table shows them."""
    return {
        page.findings.item(row, 0).data(Qt.ItemDataRole.UserRole): page.findings.item(row, 1).data(
            Qt.ItemDataRole.UserRole
        )
        for row in range(page.findings.rowCount())
    }


def korean_review(qtbot: QtBot, ws: Workspace) -> ContractReviewPage:
    """A new review with Korea chosen as the host country."""
    page = make_page(qtbot, ws)
    choose(qtbot, page.host_country, "KR")
    return page


@pytest.fixture
def review(qtbot: QtBot, open_ws: OpenWs) -> ContractReviewPage:
    """Aigul's new review of a contract for Korea."""
    return korean_review(qtbot, open_ws("aigul"))


def type_wage(qtbot: QtBot, page: ContractReviewPage, amount: str, period: str | None) -> None:
    type_into(qtbot, page.wage_amount, amount)
    type_into(qtbot, page.wage_currency, "KRW")
    if period is not None:
        choose(qtbot, page.wage_period, period)


def settled(qtbot: QtBot, page: ContractReviewPage) -> None:
    """Wait for the findings to follow the last change (they refresh once typing pauses)."""
    qtbot.waitUntil(lambda: not page.timer.isActive(), timeout=3000)


def reviews(ws: Workspace) -> int:
    with ws.read() as session:
        return int(session.execute(select(func.count()).select_from(ContractReview)).scalar_one())


def test_findings_update_as_fields_are_filled_and_save_stores(
    qtbot: QtBot, open_ws: OpenWs, tmp_path: Path
) -> None:
    ws = open_ws("aigul")
    page = make_page(qtbot, ws)
    # A walk-in worker at the Seoul mission works in Korea, unless the officer says otherwise
    # (the country had to be chosen each time).
    assert page.host_country.code() == ws.mission.country == "KR"
    assert page.findings.rowCount() == 0 and page.error.text() == ""
    page.host_country.set_code("")
    settled(qtbot, page)
    assert "Choose the host country" in page.error.text()

    choose(qtbot, page.host_country, "TR")
    qtbot.keyClicks(page.position, "construction worker")
    choose(qtbot, page.passport_held_by, "employer")
    # Debounced: the table follows once typing pauses.
    qtbot.waitUntil(lambda: "passport_retention" in shown_findings(page), timeout=3000)
    assert shown_findings(page) == {"passport_retention": "violation"}
    assert page.risk_badge.text() == "HIGH"
    assert "#BF360C" in page.risk_badge.styleSheet()
    assert "Retention of identity documents" in page.indicators.text()

    qtbot.keyClicks(page.recruitment_fee_paid_by_worker, "1500")
    type_into(qtbot, page.recruitment_fee_currency, "USD")
    type_into(qtbot, page.hours_per_week, "72")
    qtbot.waitUntil(lambda: page.risk_badge.text() == "CRITICAL", timeout=3000)
    assert shown_findings(page)["recruitment_fee"] == "violation"
    assert shown_findings(page)["weekly_hours"] == "violation"
    assert page.findings.item(0, 1).text() == "violation"

    type_into(qtbot, page.hours_per_week, "200")
    settled(qtbot, page)
    assert "a week has only 168 hours" in page.error.text()
    # The hours refused, the findings of the other terms stay in view.
    assert "weekly_hours" not in shown_findings(page)
    assert shown_findings(page)["recruitment_fee"] == "violation"
    type_into(qtbot, page.hours_per_week, "72")
    settled(qtbot, page)
    assert page.error.isHidden()

    assert not page.export_button.isEnabled()
    with qtbot.waitSignal(page.review_saved, timeout=2000):
        click(qtbot, page.save_button)
    assert reviews(ws) == 1
    assert page.saved is not None and page.saved.risk == "critical"
    assert "Review saved: risk critical." in page.status.text()
    assert page.export_button.isEnabled()

    # Export: the file dialog opens, the officer names the file and presses Save.
    target = tmp_path / "review.pdf"
    choose(qtbot, page.report_language, "kk")
    click(qtbot, page.export_button)
    dialog = page.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.selectFile(str(target))
    click(qtbot, dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save))
    qtbot.waitUntil(lambda: page.status.text() == f"Wrote {target}.", timeout=5000)
    assert target.read_bytes().startswith(b"%PDF")  # written off the GUI thread, then said
    assert page.error.isHidden()  # every character printed: nothing to warn of
    nowhere = tmp_path / "no such folder" / "review.pdf"
    page.export_pdf(nowhere, "kk")
    qtbot.waitUntil(lambda: "cannot be written" in page.error.text(), timeout=5000)
    assert not nowhere.parent.exists() and page.export_button.isEnabled()


def test_an_export_that_leaves_out_characters_says_which(
    qtbot: QtBot, review: ContractReviewPage, tmp_path: Path
) -> None:
    type_into(qtbot, review.employer_name, "(주)대성")
    type_wage(qtbot, review, "2500000", "month")
    settled(qtbot, review)
    with qtbot.waitSignal(review.review_saved, timeout=2000):
        click(qtbot, review.save_button)
    target = tmp_path / "review.pdf"
    review.export_pdf(target, "ru")
    qtbot.waitUntil(lambda: review.status.text() == f"Wrote {target}.", timeout=5000)
    assert "대 성 주" in review.error.text() and review.error.isVisible()


def test_ctrl_s_saves_the_review(qtbot: QtBot, open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    page = korean_review(qtbot, ws)
    page.activateWindow()
    qtbot.waitUntil(page.isActiveWindow, timeout=2000)
    with qtbot.waitSignal(page.review_saved, timeout=2000):
        qtbot.keyClick(page.position, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert reviews(ws) == 1


def test_save_with_bad_input_shows_the_error_and_stores_nothing(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    ws = open_ws("aigul")
    page = korean_review(qtbot, ws)
    type_wage(qtbot, page, "-10", "month")
    click(qtbot, page.save_button)
    wait_written(qtbot, page)  # refused off the GUI thread, said in the form
    assert page.error.text() == "“Wage” cannot be negative (-10)."
    assert reviews(ws) == 0
    assert page.saved is None


def test_hq_checks_the_findings_and_is_not_offered_a_save(qtbot: QtBot, open_ws: OpenWs) -> None:
    """Save was offered at HQ and refused when pressed ("Your role (HQ analyst) does not…")."""
    ws = open_ws("astana")
    page = korean_review(qtbot, ws)
    type_into(qtbot, page.hours_per_week, "72")
    settled(qtbot, page)
    assert shown_findings(page)["weekly_hours"] == "violation"  # HQ reads the findings
    assert page.save_button.isHidden()
    assert page.save() is None  # Ctrl+S
    assert page.confirm_close()  # nor asked to save it on leaving
    assert reviews(ws) == 0


def test_hq_exports_the_findings_it_checked_marked_as_not_saved(
    qtbot: QtBot, open_ws: OpenWs, tmp_path: Path
) -> None:
    """HQ checks contracts but saves no review, and the PDF was made only from a saved one:
    the button stayed disabled with nothing saying why. The analyst now gets the findings
    shown, the report saying they are saved in no case."""
    from app.db.models import AuditEntry
    from tests.ui.test_one_vocabulary import pdf_text

    ws = open_ws("astana")
    page = make_page(qtbot, ws)
    assert not page.export_button.isEnabled()  # no country: no findings to print
    choose(qtbot, page.host_country, "KR")
    type_into(qtbot, page.hours_per_week, "72")
    settled(qtbot, page)
    assert page.export_button.isEnabled()
    assert "not saved in a case" in page.export_button.toolTip()
    target = tmp_path / "check.pdf"
    page.export_pdf(target, "en")
    qtbot.waitUntil(lambda: page.status.text() == f"Wrote {target}.", timeout=10_000)
    text = pdf_text(target.read_bytes(), tmp_path)
    assert "Not saved in a case: the findings of a check made at headquarters" in text
    # Nobody stated these terms to a mission: HQ typed them in.
    assert "as they were entered at headquarters" in text, text
    assert "stated to the mission" not in text, text
    assert "Republic of Korea" in text and "Case number" not in text
    assert "72 hours" in text  # the terms shown, and their findings
    assert reviews(ws) == 0  # printed, not stored
    with ws.read() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "contract.report")
        ).scalar_one()
        assert entry.actor == "astana" and entry.details["saved"] is False


def test_a_new_review_at_hq_has_no_country_and_new_review_starts_at_the_missions(
    qtbot: QtBot, open_ws: OpenWs, tmp_path: Path
) -> None:
    from app.services.contracts import ContractReviewService
    from tests.integration.test_exchange import make_site

    hq = make_site(tmp_path / "sites", "AST", "KZ", "Astana", True)
    try:
        assert ContractReviewService(hq.ws).walk_in_subject().host_country == ""
    finally:
        hq.ws.close()
    page = make_page(qtbot, open_ws("aigul"))
    choose(qtbot, page.host_country, "TR")
    click(qtbot, page.new_button)
    assert page.host_country.code() == "KR"


def test_review_from_a_case_is_prefilled_and_attached(qtbot: QtBot, open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case = make_case(ws)
    page = make_page(qtbot, ws)
    page.start_for_case(case.id)  # what the case editor's "Review contract" calls
    assert page.host_country.code() == "TR" and not page.host_country.isEnabled()
    assert page.case_label.text() == case.number
    assert page.worker_label.text() == "Құрманғалиқызы Әсел"
    assert page.employer_name.text() == "Example İnşaat Ltd"
    choose(qtbot, page.signed_copy_held, False)
    settled(qtbot, page)
    assert shown_findings(page) == {"signed_copy": "concern"}
    click(qtbot, page.save_button)
    wait_written(qtbot, page)
    assert page.saved is not None and page.saved.case_number == case.number
    assert reviews(ws) == 1


def test_labels_follow_the_language(qtbot: QtBot, ws: Workspace, bridge: LanguageBridge) -> None:
    page = make_page(qtbot, ws)
    bridge.language_changed.connect(page.retranslate_ui)
    choose(qtbot, page.host_country, "KR")
    choose(qtbot, page.passport_held_by, "worker")
    settled(qtbot, page)
    bridge.set_language("kk")
    assert page.findings.item(0, 0).text() == "Паспорт және жеке басты куәландыратын құжаттар"
    bridge.set_language("en")
    assert page.findings.item(0, 0).text() == "Passport and identity documents"
    assert page.save_button.text() == "&Save review"


def test_empty_review_shows_no_risk_and_citations_are_shown_beside_findings(
    qtbot: QtBot, review: ContractReviewPage
) -> None:
    settled(qtbot, review)
    # Nothing to assess: no risk level, not a green LOW.
    assert review.findings.rowCount() == 0
    assert review.risk_badge.text() == "—" and review.risk_badge.styleSheet() == ""
    assert "No risk is given" in review.risk_reasons.text()

    type_into(qtbot, review.hours_per_week, "52")
    settled(qtbot, review)
    assert review.findings.rowCount() == 1
    cited = review.findings.item(0, 3).text()
    assert "Labor Standards Act, Art. 50" in cited  # visible in its own column
    click_index(qtbot, review.findings, review.findings.model().index(0, 2))
    assert '<a href="https://m.easylaw.go.kr' in review.sources.text()


def test_incomplete_wage_names_the_missing_field_as_the_form_does(
    qtbot: QtBot, review: ContractReviewPage
) -> None:
    type_wage(qtbot, review, "2100000", None)
    settled(qtbot, review)
    message = review.error.text()
    assert "“Paid”" in message and "“Paid: per month”" in message
    assert "wage_period" not in message


def test_contract_date_chooses_the_figures_and_expired_ones_are_flagged(
    qtbot: QtBot, review: ContractReviewPage
) -> None:
    type_wage(qtbot, review, "2000000", "month")
    type_into(qtbot, review.signed_on, "2025-06-01")
    settled(qtbot, review)
    assert "10,030" in review.findings.item(0, 2).text()
    assert review.outdated.isHidden()
    type_into(qtbot, review.signed_on, "2031-01-01")
    settled(qtbot, review)
    assert not review.outdated.isHidden()
    assert "Minimum wage" in review.outdated.text() and "HQ" in review.outdated.text()


def test_the_contract_date_is_typed_as_every_other_date(
    qtbot: QtBot, open_ws: OpenWs, review: ContractReviewPage
) -> None:
    """It asked for YYYY-MM-DD and refused 01.06.2025, the way the case form takes dates; a
    date that is not one is said in the field's words, on Save too, and nothing is stored."""
    type_wage(qtbot, review, "2000000", "month")
    type_into(qtbot, review.signed_on, "01.06.2025")
    settled(qtbot, review)
    assert "10,030" in review.findings.item(0, 2).text()  # the 2025 minimum wage applies
    type_into(qtbot, review.signed_on, "31.02.2025")
    settled(qtbot, review)
    assert "“31.02.2025” is not a date" in review.error.text()
    click(qtbot, review.save_button)
    assert "“31.02.2025” is not a date" in review.error.text()
    assert reviews(open_ws("aigul")) == 0 and review.saved is None


def test_typed_terms_are_not_wiped_unasked(
    qtbot: QtBot, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A half-typed review was emptied without a word by *New review*, by "Review contract" on
    a case, and lost on quitting: the form now asks, as the case editor does."""
    ws = open_ws("aigul")
    case = make_case(ws)
    page = korean_review(qtbot, ws)
    page.start_for_case(case.id)  # filled from the case: nothing typed yet
    assert not page.unsaved and page.confirm_close()
    type_into(qtbot, page.position, "Сварщик")
    assert page.unsaved
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Save]
    asked: list[QWidget] = []

    def answer(parent: QWidget) -> QMessageBox.StandardButton:
        asked.append(parent)
        return answers.pop(0)

    monkeypatch.setattr(review_page, "ask_unsaved_review", answer)
    click(qtbot, page.new_button)  # Cancel: the form stays as typed
    assert page.position.text() == "Сварщик" and page.case_label.text() == case.number
    assert reviews(ws) == 0
    assert page.confirm_close()  # Save: written, then the form may go
    assert reviews(ws) == 1 and not page.unsaved
    assert len(asked) == 2
    click(qtbot, page.new_button)  # saved since: no question, a new form
    assert len(asked) == 2 and page.position.text() == ""


def test_terms_changed_after_save_must_be_saved_before_export(
    qtbot: QtBot, open_ws: OpenWs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: after Save, "Export PDF" stayed enabled while the terms were edited, and
    exported the stored review: a LOW review while the form showed CRITICAL. Its dialog also
    opened wherever the app was started, not in Documents."""
    documents = tmp_path / "Documents"  # the user's Documents, which a test machine may lack
    documents.mkdir()
    monkeypatch.setattr(
        review_page,
        "in_documents",
        lambda name="": str(documents / name) if name else str(documents),
        raising=False,
    )
    ws = open_ws("aigul")
    page = make_page(qtbot, ws)
    choose(qtbot, page.passport_held_by, "worker")
    settled(qtbot, page)
    with qtbot.waitSignal(page.review_saved, timeout=2000):
        click(qtbot, page.save_button)
    assert page.saved is not None and page.saved.risk == "low"
    assert page.export_button.isEnabled() and page.export_button.toolTip() == ""

    choose(qtbot, page.passport_held_by, "employer")
    qtbot.keyClicks(page.recruitment_fee_paid_by_worker, "1500")
    type_into(qtbot, page.recruitment_fee_currency, "USD")
    qtbot.waitUntil(lambda: page.risk_badge.text() == "CRITICAL", timeout=3000)
    assert not page.export_button.isEnabled()
    assert page.export_button.toolTip() == (
        "Save the review first: the PDF is made from the saved review."
    )
    stale = tmp_path / "stale.pdf"
    assert page.export_pdf(stale, "en") is None and not stale.exists()

    with qtbot.waitSignal(page.review_saved, timeout=2000):
        click(qtbot, page.save_button)
    assert page.saved.risk == "critical" and page.export_button.isEnabled()
    click(qtbot, page.export_button)
    dialog = page.findChild(QFileDialog)
    assert dialog is not None and dialog.isVisible()
    assert Path(dialog.directory().absolutePath()) == documents
    dialog.reject()


def test_briefing_sheet_is_offered_in_documents(
    qtbot: QtBot, open_ws: OpenWs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fault: the Agreements page's "Briefing sheet…" dialog opened wherever the app was
    started, unlike every other save dialog."""
    from ui.agreements import page as agreements_page
    from ui.agreements.page import AgreementsPage
    from ui.widgets.file_dialogs import in_documents

    offered: list[str] = []

    def cancelled(_parent: QWidget, _title: str, start: str, _filters: str) -> tuple[str, str]:
        offered.append(start)
        return "", ""

    monkeypatch.setattr(agreements_page.QFileDialog, "getSaveFileName", cancelled)
    page = on_screen(qtbot, AgreementsPage(open_ws("aigul"), None))
    page.country_view.ask_briefing_sheet()
    assert len(offered) == 1 and offered[0].startswith(in_documents())
    assert Path(offered[0]).name.startswith("briefing-")


@pytest.mark.parametrize(
    ("fill", "message"),
    [
        ({"wage_amount": "-10", "wage_currency": "KRW"}, "“Wage” cannot be negative (-10)."),
        (
            {"contract_language": "zz"},
            "“Contract language”: “zz” names no language known here; write its name (Korean) "
            "or its two-letter code (ko).",
        ),
        (
            {"deductions_percent": "150"},
            "“Deductions (per cent of the wage)” is a percentage of the wage: at most 100, "
            "not 150.",
        ),
        (
            {"hours_per_week": "0"},
            "“Hours a week” must be more than 0; leave it out if the contract does not say.",
        ),
        ({"position": "x" * 301}, "“Position” is too long: at most 300 characters."),
        (
            {"wage_amount": "1000", "wage_currency": "XYZ"},
            "“Currency”: “XYZ” is not a known ISO 4217 currency code.",
        ),
    ],
)
def test_refusals_name_the_field_as_its_label_does(
    qtbot: QtBot, review: ContractReviewPage, fill: dict[str, str], message: str
) -> None:
    """The fault: the form showed the JSON codes of the command line ("wage_amount cannot be
    negative", "contract_language: …", "position is too long"), and a currency typed but
    unknown ("XYZ") was asked for again ("Fill in 'Currency' as well")."""
    for name, text in fill.items():
        type_into(qtbot, getattr(review, name), text)
    choose(qtbot, review.wage_period, "month")
    settled(qtbot, review)
    assert review.error.text() == message
    click(qtbot, review.save_button)  # Save says the same, and stores nothing
    wait_written(qtbot, review)
    assert review.error.text() == message and review.saved is None


def test_probation_longer_than_the_term_is_named_as_the_form_does(
    qtbot: QtBot, review: ContractReviewPage
) -> None:
    """The fault: "probation_months (6) cannot be longer than the contract term (3 months)"."""
    review.term_months.setValue(3)
    review.probation_months.setValue(6)
    settled(qtbot, review)
    assert review.error.text() == (
        "“Probation, months” (6) cannot be longer than the contract term (3 months)."
    )


@pytest.mark.parametrize("language", ["ru", "en", "kk"])
def test_the_pdf_is_offered_in_the_interface_language(
    qtbot: QtBot, ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """The report's language started at Kazakh whatever the officer worked in."""
    bridge.set_language(language)
    page = make_page(qtbot, ws)
    assert page.report_language.currentData() == language


@pytest.mark.parametrize("typed", ["корейский", "корей тілі", "Korean", "Корейский язык", "ko"])
def test_the_contract_language_is_typed_by_name_and_stored_as_its_code(
    qtbot: QtBot, open_ws: OpenWs, typed: str
) -> None:
    """The fault: the field asked for an ISO code and refused «корейский», «корей тілі» and
    "Korean"."""
    ws = open_ws("aigul")
    page = korean_review(qtbot, ws)
    type_into(qtbot, page.contract_language, typed)
    choose(qtbot, page.wage_period, "month")
    settled(qtbot, page)
    assert page.error.isHidden(), page.error.text()
    assert page.terms_data()["contract_language"] == "ko"
    with qtbot.waitSignal(page.review_saved, timeout=2000):
        click(qtbot, page.save_button)
    assert page.saved is not None and page.saved.terms.contract_language == "ko"


def test_the_contract_language_list_names_languages_in_the_interface_language(
    qtbot: QtBot, ws: Workspace, bridge: LanguageBridge, tmp_path: Path
) -> None:
    bridge.set_language("kk")
    page = korean_review(qtbot, ws)
    bridge.language_changed.connect(page.retranslate_ui)
    combo = page.contract_language
    combo.set_code("ko")
    assert combo.currentText() == "корей тілі" and combo.code() == "ko"
    assert combo.findText("түрік тілі") > 0
    combo.parentWidget().grab().save(str(tmp_path / "language-kk.png"))
    bridge.set_language("ru")
    assert combo.currentText() == "корейский" and combo.code() == "ko"  # kept across a switch
    bridge.set_language("en")
    assert combo.currentText() == "Korean"
    page.clear_terms()
    assert combo.code() is None


def test_the_findings_give_their_reasons_and_citations_room_for_whole_words(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """In Kazakh the finding's subject ("Паспорт және жеке басты куәландыратын құжаттар", on one
    line) took half the table: the reasons and citations, squeezed into a hundred pixels each,
    lost words such as «куәландыратын» to an ellipsis, and their last lines to a short row."""
    bridge.set_language("kk")
    page = korean_review(qtbot, open_ws("aigul"))
    page.resize(1366 - 220, 720)  # the page beside the main window's sidebar at 1366×768
    type_wage(qtbot, page, "2500000", "month")
    type_into(qtbot, page.hours_per_week, "72")
    choose(qtbot, page.passport_held_by, "employer")
    settled(qtbot, page)
    table = page.findings
    assert "passport_retention" in shown_findings(page)
    qtbot.wait(50)  # the columns follow the table's width
    width = table.viewport().width()
    assert table.columnWidth(0) <= width // 4
    metrics = table.fontMetrics()
    for row in range(table.rowCount()):
        for column in (0, 2, 3):
            room = table.columnWidth(column) - 8  # the cell's margins
            words = table.item(row, column).text().split()
            widest = max(words, key=metrics.horizontalAdvance)
            assert metrics.horizontalAdvance(widest) <= room, (row, column, widest)
            index = table.model().index(row, column)
            assert cell_shortfall(table, index) == 0, (row, column)  # rows as tall as they need


@pytest.mark.parametrize(
    ("fill", "missing"),
    [
        ({"wage_amount": "1800000"}, "Fill in “Currency” as well (for example “Currency: USD”)."),
        ({"wage_amount": "1800000", "wage_currency": "XYZ"}, "“Currency”: “XYZ” is not"),
        ({"recruitment_fee_paid_by_worker": "1500"}, "Fill in “Fee currency” as well"),
    ],
)
def test_a_term_still_to_fill_leaves_the_other_findings_shown(
    qtbot: QtBot, review: ContractReviewPage, fill: dict[str, str], missing: str
) -> None:
    """The fault: a wage typed before its currency emptied the whole table, so the passport
    kept by the employer and the 72-hour week were not shown until the currency was found."""
    choose(qtbot, review.passport_held_by, "employer")
    type_into(qtbot, review.hours_per_week, "72")
    for name, text in fill.items():
        type_into(qtbot, getattr(review, name), text)
    settled(qtbot, review)
    assert review.error.text().startswith(missing)
    shown = shown_findings(review)
    assert shown["passport_retention"] == "violation"
    assert shown["weekly_hours"] == "violation"
    assert "minimum_wage" not in shown and "recruitment_fee" not in shown
    assert review.risk_badge.text() != "—"
    click(qtbot, review.save_button)  # the review is still refused until the term is filled
    wait_written(qtbot, review)
    assert review.saved is None and review.error.text().startswith(missing)
