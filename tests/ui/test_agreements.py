"""The agreements browser and the case's "Applicable law" panel, with real services."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.agreements import load_library
from app.domain.codes import Category, label
from app.i18n import format_date
from app.services.agreements import AgreementService, sync_library
from app.services.cases import CaseService
from app.services.records import CaseChanges, CaseInput, PersonInput
from app.services.workspace import Workspace
from tests.builders import (
    with_provision_of_the_signed_tajik_agreement,
    with_the_kyrgyz_agreement_expired,
)
from tests.conftest import OpenWs
from tests.ui.press import (
    choose,
    click,
    click_item,
    on_screen,
    show_tab,
    type_into,
    when_modal,
)
from tests.unit.test_letter_wording import ratified_by_korea_on, without_entry_into_force
from ui.agreements.case_panel import ApplicableLawPanel
from ui.agreements.page import ID_ROLE, AgreementsPage
from ui.agreements.widgets import source_html, top_items
from ui.i18n_bridge import LanguageBridge


def new_case(ws: Workspace, country: str, categories: tuple[str, ...]) -> str:
    return (
        CaseService(ws)
        .create_case(
            CaseInput(
                host_country=country,
                categories=categories,
                received_at=date.today() - timedelta(days=1),
                person=PersonInput(surname="Әбенов", given_names="Нұрлан"),
            )
        )
        .id
    )


def page_for(qtbot: QtBot, ws: Workspace, bridge: LanguageBridge | None = None) -> AgreementsPage:
    return on_screen(qtbot, AgreementsPage(ws, bridge))


def click_instrument(qtbot: QtBot, page: AgreementsPage, agreement_id: str) -> None:
    """Click the instrument's row in the list, as a reader does."""
    row = next(r for r in top_items(page.list) if r.data(0, ID_ROLE) == agreement_id)
    click_item(qtbot, page.list, row)


def test_browser_lists_filters_and_marks_unverified(qtbot: QtBot, open_ws: OpenWs) -> None:
    page = page_for(qtbot, open_ws("aigul"))
    titles = [row[0] for row in page.rows()]
    assert "Treaty on the Eurasian Economic Union" in titles
    qatar = next(row for row in page.rows() if row[0].startswith("Agreement") and "Qatar" in row[0])
    assert qatar[3] == "no — to be checked"  # in force per a news agency; text not read
    c029 = next(row for row in page.rows() if "(No. 29)" in row[0])
    assert c029[3] == "yes"  # its ratifications read in NORMLEX
    belarus = next(row for row in page.rows() if "Belarus" in row[0])
    assert belarus[3] == "no — to be checked"
    choose(qtbot, page.kind, "memorandum")
    assert {row[1] for row in page.rows()} == {"Memorandum"}
    choose(qtbot, page.kind, page.kind.itemData(0))
    type_into(qtbot, page.search, "Евразийском")
    assert [row[0] for row in page.rows()] == ["Treaty on the Eurasian Economic Union"]
    type_into(qtbot, page.search, "")
    choose(qtbot, page.country, "TR")
    assert any(row[2].startswith("Recommended") for row in page.rows())
    assert page.count.text() == f"{len(page.rows())} instruments"


def test_instrument_view_shows_verified_flag_and_provisions(qtbot: QtBot, open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    page = page_for(qtbot, ws)
    service = AgreementService(ws)
    belarus = service.get("kz-by-labour-1997")
    click_instrument(qtbot, page, belarus.id)
    view = page.instrument_view
    assert view.title.text() == belarus.title
    assert view.badge.verified is False
    assert view.badge.isVisible()
    assert view.badge.text() == "⚠ Not verified: check the official text before relying on it"
    c029 = service.get("ilo-c029")
    click_instrument(qtbot, page, c029.id)
    assert view.badge.text() == "✔ Verified against an official text"
    eaeu = service.get("eaeu-treaty-2014")
    click_instrument(qtbot, page, eaeu.id)
    # Read in unofficial copies only (a credit broker's site): not shown as verified.
    assert view.badge.text() == "⚠ Not verified: check the official text before relying on it"
    assert view.signed.text() == format_date(date(2014, 5, 29))  # the interface format
    # The source on demand: a link to where the text can be checked, with the check date.
    assert '<a href="https://arbatcredit.ru' in view.source.text()
    assert view.source.openExternalLinks()
    assert [card.provision.article for card in view.cards] == [p.article for p in eaeu.provisions]
    for card in view.cards:
        # Each unverified provision carries the mark a user can see.
        assert card.mark.isVisibleTo(view) is (not card.provision.verified)
        assert card.mark.text() == "(unverified)"
        assert card.chips
        assert "Source:" in card.source.text()
    wages = next(card for card in view.cards if "unpaid_wages" in card.provision.categories)
    assert label(Category.UNPAID_WAGES) in [chip.text() for chip in wages.chips]
    # An attaché reads the mission's notes but does not edit them.
    assert view.notes.isReadOnly() and not view.save_notes.isVisibleTo(view)


def test_qatar_agreement_shows_when_it_came_into_force(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: the KZ–Qatar agreement read Status "In force" beside "In force: —"."""
    ws = open_ws("aigul")
    page = page_for(qtbot, ws)
    click_instrument(qtbot, page, AgreementService(ws).get("kz-qa-employment-2024").id)
    view = page.instrument_view
    assert view.signed.text() == format_date(date(2024, 2, 14))
    assert view.in_force.text() == format_date(date(2025, 12, 18))
    assert len(links_in(view.source.text())) == 2  # the two news-agency reports


def test_an_undated_instrument_in_force_says_its_date_is_not_known(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: the KZ–KG agreement of 2006 read Status "In force" beside "In force: —"
    (no source gives its date); the case panel said nothing of it either."""
    ws = open_ws("aigul")
    page = page_for(qtbot, ws)
    undated = AgreementService(ws).get("kz-kg-migrant-workers-2006")
    row = next(r for r in top_items(page.list) if r.data(0, ID_ROLE) == undated.id)
    assert row.text(2) == "In force (date of entry into force not known)"
    click_instrument(qtbot, page, undated.id)
    view = page.instrument_view
    assert view.status.text() == "In force (date of entry into force not known)"
    assert view.in_force.text() == "not known"
    # A provision of an instrument whose date is unknown says so where the case lists it.
    sync_library(open_ws("admin"), without_entry_into_force("eaeu-treaty-2014"))
    case_id = new_case(ws, "KG", ("unpaid_wages",))
    panel = on_screen(qtbot, ApplicableLawPanel(ws, case_id))
    rows = [r for r in top_items(panel.relevant) if "Eurasian" in r.text(0)]
    assert rows and all("date of entry into force not known" in r.text(1) for r in rows)


def test_consul_edits_the_mission_notes(qtbot: QtBot, open_ws: OpenWs) -> None:
    ws = open_ws("serik")
    page = page_for(qtbot, ws)
    click_instrument(qtbot, page, AgreementService(ws).get("ilo-c029").id)
    view = page.instrument_view
    assert not view.notes.isReadOnly()
    type_into(qtbot, view.notes, "Labour inspectorate hotline: 1-800-000.")
    click(qtbot, view.save_notes)
    qtbot.waitUntil(lambda: view.notes_saved.text() == "Saved.", timeout=5000)  # off the GUI
    assert AgreementService(ws).get("ilo-c029").mission_notes == (
        "Labour inspectorate hotline: 1-800-000."
    )


def test_country_view_explains_why_and_lists_pending(qtbot: QtBot, open_ws: OpenWs) -> None:
    page = page_for(qtbot, open_ws("aigul"))
    view = page.country_view
    show_tab(qtbot, page.tabs, view)
    choose(qtbot, view.country, "KG")
    applicable = [view.applicable_root.child(i) for i in range(view.applicable_root.childCount())]
    # The 2006 agreement's date of entry into force is not known, and the row says so.
    assert applicable[0].text(1) == (
        "Bilateral agreement; In force (date of entry into force not known)"
    )
    # The Treaty's entry into force (1 January 2015) is not the day Kyrgyzstan, which joined
    # later, was bound: its own day is.
    assert applicable[2].text(1) == "Eurasian Economic Union; binding on the host since 6 Aug 2015"
    # Qatar's agreement binds it from its entry into force.
    choose(qtbot, view.country, "QA")
    qatar = view.applicable_root.child(0)
    assert qatar.text(1) == "Bilateral agreement; binding on the host since 18 Dec 2025"
    # Qatar's ratification of C029 has no date: binding, and the row says since when is not known.
    c029 = next(
        view.applicable_root.child(i)
        for i in range(view.applicable_root.childCount())
        if "No. 29" in view.applicable_root.child(i).text(0)
    )
    assert c029.text(1).endswith("; binding on the host; since when not recorded")
    # For Korea, C097 binds neither Korea nor Kazakhstan: a standard, never under "Applies".
    choose(qtbot, view.country, "KR")
    applies = [
        view.applicable_root.child(i).text(0) for i in range(view.applicable_root.childCount())
    ]
    standards = [view.standards_root.child(i) for i in range(view.standards_root.childCount())]
    assert not any("No. 97" in title for title in applies)
    c097 = next(row for row in standards if "No. 97" in row.text(0))
    assert "neither the host country nor Kazakhstan" in c097.text(1)
    choose(qtbot, view.country, "TR")
    assert view.pending_root.text(0) == (
        "Not law: signed but not in force, under negotiation, planned, recommended or doubtful (1)"
    )
    assert view.pending_root.child(0).text(1).startswith("Recommended by a study")
    # The UAE's memorandum is in the labour ministry's plans, no longer a study's proposal.
    choose(qtbot, view.country, "AE")
    assert view.pending_root.child(0).text(1).startswith("Planned")
    # Tajikistan's 2006 agreement is signed, not in force: never under "Applies".
    choose(qtbot, view.country, "TJ")
    applies = [
        view.applicable_root.child(i).text(0) for i in range(view.applicable_root.childCount())
    ]
    assert not any("Tajikistan" in title for title in applies)
    (signed,) = [view.pending_root.child(i) for i in range(view.pending_root.childCount())]
    assert "Republic of Tajikistan" in signed.text(0)
    assert signed.text(1) == "Signed, not in force"


def test_language_switch_retranslates(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    page = page_for(qtbot, open_ws("aigul"), bridge)
    bridge.set_language("ru")
    assert "Договор о Евразийском экономическом союзе" in [row[0] for row in page.rows()]


def test_applicable_law_panel_cites_and_removes(qtbot: QtBot, open_ws: OpenWs) -> None:
    ws = open_ws("aigul")
    case_id = new_case(ws, "GB", ("recruitment_fees",))
    panel = on_screen(qtbot, ApplicableLawPanel(ws, case_id))
    relevant = AgreementService(ws).relevant_for_case(case_id)
    assert panel.relevant_texts() == [p.citation for p in relevant]
    unverified = [p.citation for p in relevant if not p.verified]
    assert unverified and all(text.endswith("(unverified)") for text in unverified)
    assert not panel.cite_button.isEnabled()
    click_item(qtbot, panel.relevant, top_items(panel.relevant)[0])
    assert panel.cite_button.isEnabled()
    with qtbot.waitSignal(panel.citations_changed, timeout=5000):
        click(qtbot, panel.cite_button)
    assert panel.cited_texts() == [relevant[0].citation]
    assert relevant[0].citation not in panel.relevant_texts()
    assert [c.provision.id for c in AgreementService(ws).citations(case_id)] == [relevant[0].id]
    click_item(qtbot, panel.cited, top_items(panel.cited)[0])
    with qtbot.waitSignal(panel.citations_changed, timeout=5000):  # written off the GUI
        click(qtbot, panel.remove_button)
    assert panel.cited_texts() == []
    assert AgreementService(ws).citations(case_id) == []


def test_hq_reads_the_panel_without_cite_buttons(qtbot: QtBot, open_ws: OpenWs) -> None:
    case_id = new_case(open_ws("aigul"), "RU", ("unpaid_wages",))
    panel = ApplicableLawPanel(open_ws("astana"), case_id)
    qtbot.addWidget(panel)
    assert panel.relevant_texts()
    assert not panel.cite_button.isVisibleTo(panel)


def test_the_first_instrument_is_shown_on_opening(qtbot: QtBot, open_ws: OpenWs) -> None:
    page = page_for(qtbot, open_ws("aigul"))
    first = top_items(page.list)[0]
    title = first.text(0)
    assert page.list.currentItem() is first
    assert page.instrument_view.isEnabled()
    assert page.instrument_view.title.text() == title
    # The red rows are explained under the list, and the status filter's text is not clipped.
    assert page.legend.text().endswith("Not verified: check the official text before relying on it")
    any_status = page.status.itemText(0)
    assert page.status.width() > page.status.fontMetrics().horizontalAdvance(any_status)
    # A search that keeps the shown instrument leaves it shown.
    type_into(qtbot, page.search, "Forced Labour")
    assert page.instrument_view.title.text() == title


def test_case_panel_and_contract_review_name_the_same_host_law(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    from app.contracts import parse_terms
    from app.services.contracts import ContractReviewService

    ws = open_ws("aigul")
    case_id = new_case(ws, "KR", ("excessive_hours",))
    panel = on_screen(qtbot, ApplicableLawPanel(ws, case_id))
    host_law = panel.host_law_texts()
    assert "Labor Standards Act, Art. 50" in host_law
    assert "Labor Standards Act, Art. 53" in host_law
    # The review of a Korean contract cites the same provisions, worded the same way.
    _terms, result = ContractReviewService(ws).preview(
        parse_terms({"host_country": "KR", "hours_per_week": "52"}), "KR"
    )
    cited = {r.text for f in result.findings for r in f.references}
    assert {"Labor Standards Act, Art. 50", "Labor Standards Act, Art. 53"} <= cited
    # Selecting a provision shows where to check it, as a link.
    click_item(qtbot, panel.host_law, top_items(panel.host_law)[0])
    assert "<a href=" in panel.source.text() or "Source:" in panel.source.text()


def links_in(rich_text: str) -> list[str]:
    """The addresses a label's rich text links to, as Qt reads them."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(rich_text)
    found: list[str] = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            href = iterator.fragment().charFormat().anchorHref()
            if href and href not in found:
                found.append(href)
            iterator += 1
        block = block.next()
    return found


def test_a_source_address_with_ampersands_links_whole(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: the source was HTML-escaped before its addresses were found, so Korea's
    easylaw.go.kr address (a query joined by "&") linked only up to the first "&amp"."""
    from app.contracts.reference import reference_for

    korea = reference_for("KR")
    assert korea is not None and korea.hours is not None
    address = korea.hours.provenance.source
    assert address.startswith("https://m.easylaw.go.kr/") and address.count("&") == 4
    ws = open_ws("aigul")
    panel = on_screen(qtbot, ApplicableLawPanel(ws, new_case(ws, "KR", ("excessive_hours",))))
    row = next(r for r in top_items(panel.host_law) if "Art. 50" in r.text(0))
    click_item(qtbot, panel.host_law, row)
    assert links_in(panel.source.text()) == [address]
    from PySide6.QtGui import QTextDocument

    shown = QTextDocument()
    shown.setHtml(panel.source.text())
    assert address in shown.toPlainText()
    # Text around an address stays text, escaped; a ";" still ends an address.
    html = source_html("Gazette <No. 5> https://a.example/?x=1&y=2; https://b.example/z")
    assert links_in(html) == ["https://a.example/?x=1&y=2", "https://b.example/z"]
    assert "&lt;No. 5&gt;" in html


def test_the_host_country_is_read_once_per_language_not_at_each_refill(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """Refilling the country list (its names in the new language) re-read the country's
    instruments through the list's own signal, beside the refresh that follows it: four
    reads as Agreements opened, two at each language switch."""
    from ui.agreements.page import CountryView

    service = AgreementService(open_ws("aigul"))
    reads: list[str] = []
    applicable = service.applicable

    def counted(code: str) -> object:
        reads.append(code)
        return applicable(code)

    service.applicable = counted  # type: ignore[method-assign]
    view = CountryView(service, "KR")
    qtbot.addWidget(view)
    assert reads == ["KR"]
    bridge.set_language("ru")
    view.retranslate_ui()
    assert reads == ["KR", "KR"]
    assert view.country.code() == "KR"


def test_case_panel_lists_no_passport_law_the_review_does_not_cite(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: the case's list of the host law the contract review applies named Korea's
    unchecked Immigration Act Art. 33-3 and Russia's Criminal Code Art. 325(2) (theft), which
    the review's passport finding does not cite; Qatar's Art. 8, which it cites, stays."""
    ws = open_ws("aigul")

    def host_law(country: str) -> list[str]:
        panel = on_screen(qtbot, ApplicableLawPanel(ws, new_case(ws, country, ("other",))))
        return panel.host_law_texts()

    assert not any("33-3" in text for text in host_law("KR"))
    assert not any("325" in text for text in host_law("RU"))
    assert any("Art. 8" in text for text in host_law("QA"))


def test_case_panels_host_law_heading_covers_the_wage_payment_law_letters_cite(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: the heading said "The host country's law the contract review applies" over
    Korea's Labor Standards Act Arts. 43, 36 and 109 on paying wages, which no review applies
    (a letter on unpaid wages cites them)."""
    ws = open_ws("aigul")
    panel = on_screen(qtbot, ApplicableLawPanel(ws, new_case(ws, "KR", ("unpaid_wages",))))
    listed = " ".join(panel.host_law_texts())
    assert "Art. 43" in listed and "Art. 109" in listed, listed
    heading = panel.host_heading.text()
    assert heading == "The host country's law cited by contract reviews and letters", heading
    assert not panel.host_heading.isHidden()


def test_the_host_country_tab_takes_the_larger_share_until_the_divider_is_moved(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: the host country's tree (document, grounds, verified, nested) had the
    document pane's 410 pixels at 1366 and cut every name («Конвенц…»). Its tab now takes the
    larger share and the document's tab gives it back; a divider the person moved stays."""
    page = page_for(qtbot, open_ws("aigul"))
    page.resize(1100, 700)
    list_width, document_width = page.splitter.sizes()
    assert list_width > document_width

    page.tabs.setCurrentWidget(page.country_view)
    list_width, country_width = page.splitter.sizes()
    assert country_width > list_width

    page.tabs.setCurrentWidget(page.instrument_view)
    assert page.splitter.sizes()[0] > page.splitter.sizes()[1]

    page.splitter.splitterMoved.emit(300, 1)  # as a drag of the divider reports it
    page.splitter.setSizes([300, 800])
    page.tabs.setCurrentWidget(page.country_view)
    page.tabs.setCurrentWidget(page.instrument_view)
    assert page.splitter.sizes()[0] < page.splitter.sizes()[1]


def test_the_panel_offers_no_provision_of_an_agreement_signed_but_not_in_force(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: a provision of the agreement with Tajikistan, signed but not in force, was
    offered on a Tajik case as binding (no word beside it); one cited before says letters
    leave it out."""
    sync_library(open_ws("admin"), with_provision_of_the_signed_tajik_agreement())
    ws = open_ws("aigul")
    case_id = new_case(ws, "TJ", ("documents_withheld",))
    panel = on_screen(qtbot, ApplicableLawPanel(ws, case_id))
    assert panel.relevant_texts() and not any(
        "Tajikistan" in text for text in panel.relevant_texts()
    )
    service = AgreementService(ws)
    (provision,) = service.get("kz-tj-migrant-workers-2006").provisions
    service.cite(case_id, provision.id)
    panel.refresh()
    (cited,) = top_items(panel.cited)
    assert "Tajikistan" in cited.text(0)
    assert cited.text(1) == "not in force: letters do not cite it"


def test_the_panel_says_a_convention_does_not_bind_the_host_yet(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: C029, ratified by Korea less than a year ago in this library, was listed on a
    Korean case as binding (no word beside it), though letters leave it out until Korea is
    bound."""
    sync_library(open_ws("admin"), ratified_by_korea_on(date.today() - timedelta(days=30)))
    ws = open_ws("aigul")
    case_id = new_case(ws, "KR", ("trafficking_forced_labour",))
    panel = on_screen(qtbot, ApplicableLawPanel(ws, case_id))
    c029 = [row for row in top_items(panel.relevant) if "(No. 29)" in row.text(0)]
    assert c029 and all(row.text(1) == "not in force: letters do not cite it" for row in c029)
    AgreementService(ws).cite(case_id, str(c029[0].data(0, ID_ROLE)))
    panel.refresh()
    (cited,) = top_items(panel.cited)
    assert cited.text(1) == "not in force: letters do not cite it"
    # The shipped library: Korea bound since 2022, nothing said.
    sync_library(open_ws("admin"), load_library())
    panel.refresh()
    assert all(row.text(1) == "" for row in top_items(panel.relevant) if "(No. 29)" in row.text(0))
    assert top_items(panel.cited)[0].text(1) == ""


def test_the_panel_says_a_convention_bound_the_host_only_after_the_facts(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """The fault: on a case about wages unpaid in 2019, C029 (binding Korea from 20 April
    2022) was listed and cited without a word, though letters cite it as a standard only."""
    ws = open_ws("aigul")
    case_id = new_case(ws, "KR", ("trafficking_forced_labour",))
    detail = CaseService(ws).get_case(case_id)
    claim = {"amount": "900", "currency": "KRW", "what": "wages"}
    claim |= {"period_from": "2019-03-01", "period_to": "2019-08-31"}
    CaseService(ws).update_case(case_id, CaseChanges(claims=(claim,)), detail.version)
    panel = on_screen(qtbot, ApplicableLawPanel(ws, case_id))
    said = "bound the host only after the facts of the case: letters cite it as a standard"
    c029 = [row for row in top_items(panel.relevant) if "(No. 29)" in row.text(0)]
    assert c029 and all(row.text(1) == said for row in c029)
    AgreementService(ws).cite(case_id, str(c029[0].data(0, ID_ROLE)))
    panel.refresh()
    (cited,) = top_items(panel.cited)
    assert cited.text(1) == said
    # Wages unpaid in 2023, when Korea was bound: nothing said.
    claim |= {"period_from": "2023-03-01", "period_to": "2023-08-31"}
    detail = CaseService(ws).get_case(case_id)
    CaseService(ws).update_case(case_id, CaseChanges(claims=(claim,)), detail.version)
    panel.refresh()
    assert top_items(panel.cited)[0].text(1) == ""


def test_the_country_view_lists_an_expired_agreement_apart(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: an expired agreement vanished from its host country's view."""
    sync_library(open_ws("admin"), with_the_kyrgyz_agreement_expired(date(2024, 3, 31)))
    page = page_for(qtbot, open_ws("aigul"))
    view = page.country_view
    show_tab(qtbot, page.tabs, view)
    choose(qtbot, view.country, "KG")
    applies = [
        view.applicable_root.child(i).text(0) for i in range(view.applicable_root.childCount())
    ]
    assert not any("Kyrgyz Republic on labour" in title for title in applies)
    assert not view.expired_root.isHidden()
    assert view.expired_root.text(0) == "No longer law: expired (1)"
    (row,) = [view.expired_root.child(i) for i in range(view.expired_root.childCount())]
    assert "Kyrgyz" in row.text(0)
    assert row.text(1) == "Expired: in force until 31 Mar 2024"
    choose(qtbot, view.country, "QA")
    assert view.expired_root.isHidden() and view.expired_root.childCount() == 0


def test_the_treaty_view_gives_each_member_s_own_day(qtbot: QtBot, open_ws: OpenWs) -> None:
    """The fault: the EAEU Treaty showed one date for every member; Kyrgyzstan was bound
    only from 6 August 2015, and the view says so, with the source and "not verified"."""
    page = page_for(qtbot, open_ws("aigul"))
    click_instrument(qtbot, page, AgreementService(open_ws("aigul")).get("eaeu-treaty-2014").id)
    parties = page.instrument_view.parties.text()
    assert "Kyrgyzstan: bound from 6 Aug 2015 — not verified" in parties
    assert "Armenia: bound from 2 Jan 2015" in parties
    assert "tass.com/economy/812859" in parties


def test_tab_leaves_the_mission_notes_for_save(qtbot: QtBot, open_ws: OpenWs) -> None:
    """Tab typed a tab into the notes: a keyboard user could not reach Save."""
    ws = open_ws("serik")
    page = page_for(qtbot, ws)
    click_instrument(qtbot, page, AgreementService(ws).get("ilo-c029").id)
    view = page.instrument_view
    type_into(qtbot, view.notes, "Hotline")
    qtbot.keyClick(view.notes, Qt.Key.Key_Tab)
    assert view.notes.toPlainText() == "Hotline"
    assert QApplication.focusWidget() is not view.notes


def test_notes_saved_meanwhile_by_another_user_are_refused_naming_them(
    qtbot: QtBot, open_ws: OpenWs
) -> None:
    """Two users have the same instrument open; the consul saves notes first. The
    administrator's Save said "Saved." and replaced them; now it says who changed them
    meanwhile, and the administrator's text stays in their form."""
    consul_page = page_for(qtbot, open_ws("serik"))
    admin_ws = open_ws("admin")
    admin_page = page_for(qtbot, admin_ws)
    instrument = AgreementService(admin_ws).get("ilo-c029").id
    for page in (consul_page, admin_page):
        click_instrument(qtbot, page, instrument)
    consul, admin = consul_page.instrument_view, admin_page.instrument_view
    type_into(qtbot, consul.notes, "Hotline 1-800-000.")
    click(qtbot, consul.save_notes)
    qtbot.waitUntil(lambda: consul.notes_saved.text() == "Saved.", timeout=5000)

    said: list[str] = []
    when_modal(QMessageBox, lambda box: (said.append(box.text()), box.accept()))
    type_into(qtbot, admin.notes, "Cite with C105.")
    click(qtbot, admin.save_notes)
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    assert said == [
        "serik changed this record while you were editing it; reopen it and make your change again."
    ]
    assert admin.notes_saved.text() != "Saved."
    assert admin.notes.toPlainText() == "Cite with C105."
    assert AgreementService(admin_ws).get("ilo-c029").mission_notes == "Hotline 1-800-000."


def test_the_panel_lists_korea_s_law_on_paying_wages_marked_not_verified(
    qtbot: QtBot, open_ws: OpenWs, tmp_path: Path
) -> None:
    """The fault: a Korean unpaid-wages case's Applicable law named the Minimum Wage Act and
    the working week, nothing on paying wages. Art. 43 now shows, in red with the marker, its
    subject, and the address it was read at as a link."""
    from app.agreements.applicability import unverified_marker
    from app.contracts.reference import reference_for

    korea = reference_for("KR")
    assert korea is not None and korea.wage_payment is not None
    ws = open_ws("aigul")
    panel = on_screen(qtbot, ApplicableLawPanel(ws, new_case(ws, "KR", ("unpaid_wages",))))
    row = next(r for r in top_items(panel.host_law) if "Art. 43" in r.text(0))
    assert row.text(0) == f"Labor Standards Act, Art. 43 {unverified_marker('en')}"
    assert row.text(1) == "Payment of wages"
    assert row.toolTip(0)  # says "not verified" in words, not only in red
    click_item(qtbot, panel.host_law, row)
    assert links_in(panel.source.text()) == [korea.wage_payment.provenance.source]
    assert panel.grab().save(str(tmp_path / "applicable-law-kr-wages.png"))


def test_choosing_a_host_country_leaves_the_columns_to_the_fit(
    qtbot: QtBot, open_ws: OpenWs, bridge: LanguageBridge
) -> None:
    """The fault: each country chosen (and each language switch) sized the reason's column
    itself, which counted as the user's widths: kept in the settings, they froze the columns
    at every later start, the pane's width and the language no longer fitted them."""
    from ui import ui_settings

    page = page_for(qtbot, open_ws("aigul"), bridge)
    view = page.country_view
    show_tab(qtbot, page.tabs, view)
    choose(qtbot, view.country, "KG")
    bridge.set_language("ru")
    qtbot.waitUntil(lambda: not view.tree_columns._timer.isActive(), timeout=2000)
    assert not view.tree_columns.user_set
    assert ui_settings.load_state("columns/agreements_by_country") is None
