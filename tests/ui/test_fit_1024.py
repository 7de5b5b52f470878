"""At 1024 pixels wide, and on a 1024×768 screen at 150 % display scaling (683×512 layout
pixels), nothing the officer reads scrolls sideways or is cut beyond reading, in kk, ru, en.

The faults: in Russian at 1024 pixels the worker's form was 330 pixels wide, the «More
details (2 filled)» button its widest row, beside a pane of 311, and scrolled sideways; at
150 % the five tab titles kept 427 of the editor's 590 pixels in Kazakh and left the form 142.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication, QFormLayout, QLabel, QLineEdit, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from app.i18n import _
from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.conftest import consul_demo_fixtures
from tests.ui.test_fit_1366 import _combo_shortfall
from ui.agreements.page import REASON_WIDTH
from ui.agreements.widgets import ProvisionCard
from ui.cases.area import CasesArea
from ui.cases.filter_bar import MOST_ROWS
from ui.i18n_bridge import LanguageBridge
from ui.letters.model import SUBJECT
from ui.main_window import MainWindow
from ui.models import case_table_model as cases
from ui.partners.page import COL_NAME, COL_PHONE
from ui.returnees.dialog import ReturneeDialog
from ui.settings.audit_log import DETAILS, AuditLogDialog
from ui.widgets.columns import MIN_STRETCH, cell_shortfall, recognisable
from ui.widgets.common import labels_above_when_narrow, screen_room

pytestmark = pytest.mark.usefixtures("apps_look")  # every width is measured in the app's look

LANGUAGES = ("kk", "ru", "en")
SMALL = QSize(1024, 700)
SCALED = QSize(683, 512)  # a 1024×768 screen at 150 %, less the task bar


demo_paths, demo_ws = consul_demo_fixtures("fit-1024", 40)


@contextmanager
def text_at_150_percent(qapp: QApplication) -> Iterator[None]:
    """The application's text at 150 %, as an officer's system text size sets it."""
    normal = qapp.font()
    larger = qapp.font()
    larger.setPointSizeF(normal.pointSizeF() * 1.5)
    qapp.setFont(larger)
    try:
        yield
    finally:
        qapp.setFont(normal)


def _settle() -> None:
    for _round in range(4):
        QApplication.processEvents()


def _window(
    qtbot: QtBot, ws: Workspace, bridge: LanguageBridge, language: str, size: QSize
) -> MainWindow:
    bridge.set_language(language)
    window = MainWindow(ws, bridge)
    qtbot.addWidget(window)
    window.resize(size)
    window.show()
    qtbot.waitExposed(window)
    _settle()
    return window


def _open_case(window: MainWindow, ws: Workspace) -> CasesArea:
    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    # The demo's first case: its worker has more details filled than the form shows.
    area.open_case(CaseService(ws).list_cases(limit=1)[0].id)
    _settle()
    return area


def _sideways(window: MainWindow, area: CasesArea) -> list[str]:
    """What scrolls sideways: the window's area, the case's form, and whether a tab's title
    is cut."""
    editor = area.editor
    found = []
    areas = window.findChild(QScrollArea, "areas")
    assert areas is not None
    if areas.horizontalScrollBar().isVisible():
        found.append(f"the window's area ({window.area_widget('cases').minimumSizeHint()})")
    scroll = editor.form_scroll
    if scroll.horizontalScrollBar().isVisible():
        needed = scroll.widget().minimumSizeHint().width()
        found.append(f"the form: {needed} px in {scroll.viewport().width()}")
    bar = editor.tabs.tabBar()
    if bar.width() < bar.sizeHint().width():
        found.append("tab titles cut")
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_case_form_fits_beside_its_tabs_at_1024(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    window = _window(qtbot, demo_ws, bridge, language, SMALL)
    area = _open_case(window, demo_ws)
    editor = area.editor
    assert editor.splitter.orientation() == Qt.Orientation.Horizontal  # side by side still
    assert _sideways(window, area) == []
    # The folded details say how many are filled, beside the button, on lines that wrap.
    person = editor.person
    assert person.details_count.isVisibleTo(editor) and person.details_count.text()
    assert person.details_count.wordWrap()
    area.new_case()
    _settle()
    assert _sideways(window, area) == []
    editor.dirty = False


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_case_editor_fits_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """Too narrow for the form beside the tabs, the tabs go below it; the case's buttons
    wrap onto a second row rather than widen the editor."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    area = _open_case(window, demo_ws)
    editor = area.editor
    assert editor.splitter.orientation() == Qt.Orientation.Vertical
    assert _sideways(window, area) == []
    assert editor.form_scroll.height() > 3 * editor.fontMetrics().lineSpacing()
    for button in (editor.save_button, editor.close_button, editor.refer_button):
        right = button.mapTo(editor, button.rect().topRight()).x()
        assert right <= editor.width(), button.text()
    window.resize(SMALL)  # given the room again, side by side again
    _settle()
    assert editor.splitter.orientation() == Qt.Orientation.Horizontal
    assert _sideways(window, area) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_agreements_kinds_and_statuses_are_not_cut_at_1024(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """In Kazakh at 1024 pixels the kind column narrowed to its header («Түрі») and showed
    «Келі…» for «Келісім»: a wrapped column gave way below its longest word, and
    ``cell_shortfall`` counted only lines, not a word cut at the column's edge. The verified
    column goes first (the rows' colour says it), and the statute's kind is short."""
    window = _window(qtbot, demo_ws, bridge, language, SMALL)
    page = window.show_area("agreements")
    _settle()
    tree = page.list  # type: ignore[attr-defined]
    shown = [c for c in range(tree.columnCount()) if not tree.isColumnHidden(c)]
    assert shown[:3] == [0, 1, 2]  # title, kind, status
    cut = [
        tree.topLevelItem(row).text(column)
        for row in range(tree.topLevelItemCount())
        for column in shown
        if cell_shortfall(tree, tree.indexFromItem(tree.topLevelItem(row), column))
    ]
    assert cut == []
    assert tree.columnWidth(0) >= MIN_STRETCH  # the titles keep their room


def _window_scrolls_sideways_by(window: MainWindow) -> int:
    """How many pixels of the area shown lie out of the window's sight, sideways."""
    areas = window.findChild(QScrollArea, "areas")
    assert areas is not None
    bar = areas.horizontalScrollBar()
    return bar.maximum() if bar.isVisible() else 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_letters_register_fits_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """The register's four filters kept one row: with the preview beside them the page
    needed 801 pixels in Kazakh and scrolled 192 sideways (116 in Russian, 65 in English),
    the kind, year and status filters and the right-hand buttons out of sight. They wrap,
    and the preview folds away while the page is too narrow for it."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    page = window.show_area("letters")
    _settle()
    assert _window_scrolls_sideways_by(window) == 0
    for combo in (page.kind_filter, page.status_filter, page.year_filter):  # type: ignore[attr-defined]
        assert combo.isVisible() and combo.width() >= combo.minimumSizeHint().width()
    # Its thumbnail too small to read, the preview folds away and the register's subject
    # keeps room for a name: in Russian it was out of sight beside the preview.
    table = page.table  # type: ignore[attr-defined]
    assert page.preview.width() == 0  # type: ignore[attr-defined]
    assert table.columnWidth(SUBJECT) >= 90
    assert not table.horizontalScrollBar().isVisible()
    window.resize(SMALL)  # given the room, the preview is back
    _settle()
    assert page.preview.width() > 0  # type: ignore[attr-defined]
    assert _window_scrolls_sideways_by(window) == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_case_list_fits_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """The filters' three rows kept three lists on one (662 pixels in Russian): the list
    scrolled 81 pixels sideways in Russian, 49 in Kazakh, New case out of sight. A fourth
    row takes them; with room again they go back to fewer."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    _settle()
    assert _window_scrolls_sideways_by(window) == 0
    new = area.list_view.new_button
    assert new.mapTo(window, new.rect().topRight()).x() <= window.width()
    window.resize(SMALL)
    _settle()
    assert area.list_view.filters.row_count < MOST_ROWS
    assert _window_scrolls_sideways_by(window) == 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_agreements_library_fits_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """Kind and status side by side (308 pixels in Kazakh) and a provision's article beside
    its unverified mark (the document's pane 341) made the library scroll 84 pixels sideways
    in Kazakh, 26 in Russian, the document's right edge out of sight. Status goes under
    kind, the mark under the article, each whole."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    page = window.show_area("agreements")
    _settle()
    assert _window_scrolls_sideways_by(window) == 0
    for combo in (page.kind, page.status):  # type: ignore[attr-defined]
        assert _combo_shortfall(combo) == 0, combo.currentText()
    # The host country's tab no wider than the document's: beside it, the list's kind and
    # status were out of sight in Russian (the list scrolled 340 pixels sideways).
    assert not page.list.horizontalScrollBar().isVisible()  # type: ignore[attr-defined]
    cards = page.instrument_view.findChildren(ProvisionCard)  # type: ignore[attr-defined]
    assert cards
    for card in cards:
        for label in (card.article, card.mark):
            if label.isVisibleTo(card):
                assert label.width() >= label.sizeHint().width(), label.text()
                assert label.geometry().right() < card.contentsRect().right()


@pytest.mark.parametrize("size", [SMALL, SCALED], ids=["1024", "1024-at-150"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_partners_names_are_in_sight_at_1024(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str, size: QSize
) -> None:
    """Beside six columns sized to their contents the name, the column a user looks for,
    was cut to «…» at 1024 pixels in Kazakh and Russian (25 pixels wide) and the table
    scrolled sideways. Names wrap whole; the e-mail, city and country give way first."""
    window = _window(qtbot, demo_ws, bridge, language, size)
    page = window.show_area("partners")
    _settle()
    view = page.view  # type: ignore[attr-defined]
    assert not view.horizontalScrollBar().isVisible()
    model = view.model()
    assert model.rowCount() > 0
    cut = [
        str(model.index(row, COL_NAME).data())
        for row in range(model.rowCount())
        if cell_shortfall(view, model.index(row, COL_NAME))
    ]
    assert cut == []
    assert not view.isColumnHidden(COL_PHONE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_exchange_fits_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """«Use a key that is not a trusted headquarters' key» on its box's one line (581
    pixels in Russian) made the page scroll 50 pixels sideways. Its text wraps beside the
    box, and a click on it still ticks the box."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    page = window.show_area("exchange")
    _settle()
    assert _window_scrolls_sideways_by(window) == 0
    text = page.other_key_text  # type: ignore[attr-defined]
    assert text.isVisible() and text.wordWrap()
    assert page.other_key.accessibleName() == text.text()  # type: ignore[attr-defined]
    qtbot.mouseClick(text, Qt.MouseButton.LeftButton)
    assert page.other_key.isChecked()  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_reports_page_fits_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """The title and «Figures as of 17:08 — refresh» on one line (594 pixels in Kazakh)
    made the page scroll 43 pixels sideways. The time wraps beside the title, the link in
    sight; with room it keeps one line."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    page = window.show_area("reports")
    qtbot.waitUntil(lambda: not page.loading)  # type: ignore[attr-defined]
    _settle()
    sideways = [v for v in page.findChildren(QScrollArea) if v.horizontalScrollBar().isVisible()]
    assert sideways == []
    as_of = page.as_of  # type: ignore[attr-defined]
    assert as_of.text() and as_of.geometry().right() <= as_of.parentWidget().width()
    window.resize(SMALL)
    _settle()
    assert as_of.height() < 2 * as_of.fontMetrics().lineSpacing()  # one line


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_contract_review_fits_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """The review's long labels («Удержания (процент от заработной платы):») kept fields
    beside them: the page scrolled 69 pixels sideways in Russian, 14 in Kazakh, the
    findings' right half out of sight. Labels go above their fields, wrapped where longer
    than the pane, each line of them in sight."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    page = window.show_area("contracts")
    _settle()
    assert _window_scrolls_sideways_by(window) == 0
    scroll = page.fields_scroll  # type: ignore[attr-defined]
    assert not scroll.horizontalScrollBar().isVisible()
    for name, label in page.field_labels.items():  # type: ignore[attr-defined]
        assert label.isVisibleTo(page), name
        needed = label.heightForWidth(label.width()) if label.wordWrap() else 0
        assert label.height() >= needed, label.text()
        assert label.width() >= min(label.sizeHint().width(), scroll.viewport().width() - 40)
        field = label.buddy()
        assert field.width() >= field.minimumSizeHint().width(), name


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_new_case_has_room_to_type_on_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """Stacked below the form, the tabs kept the whole timeline's height (277 pixels) and
    left the form 76 in Russian: two fields at a time to type a new case. The tabs' pane
    scrolls instead, below a handle, and the form keeps most of the height; its tab titles
    stay in sight."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    area = _open_case(window, demo_ws)
    area.new_case()
    _settle()
    editor = area.editor
    assert editor.splitter.orientation() == Qt.Orientation.Vertical
    line = editor.fontMetrics().lineSpacing()
    assert editor.form_scroll.height() >= 10 * line
    assert editor.form_scroll.height() > editor.splitter.height() // 2
    bar = editor.tabs.tabBar()
    assert bar.isVisible() and bar.visibleRegion().boundingRect().height() == bar.height()
    assert _sideways(window, area) == []
    editor.dirty = False


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_agreements_titles_read_whole_on_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """Beside the kind and the status the titles had some 65 pixels in Russian and broke
    mid-word («Соглаш… о пенсио… обеспеч…»). The kind goes after the verified column (the
    document beside says it, and the kind filter picks it); the titles wrap whole words."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    page = window.show_area("agreements")
    _settle()
    tree = page.list  # type: ignore[attr-defined]
    assert not tree.isColumnHidden(0) and not tree.isColumnHidden(2)  # title, status
    cut = [
        tree.topLevelItem(row).text(0)
        for row in range(tree.topLevelItemCount())
        if cell_shortfall(tree, tree.indexFromItem(tree.topLevelItem(row), 0))
    ]
    assert cut == []
    window.resize(SMALL)  # with room, the kind is back
    _settle()
    assert not tree.isColumnHidden(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_case_lists_complaint_reads_on_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """With the four optional columns gone the complaint still had 98 pixels in Russian
    («Пла…аём», «Удер…нтов»), beside a number, a name, a status and a due date that kept
    theirs. The status goes too (back from the header's menu): the due date's mark still
    tells which cases need doing, and the complaint is what an officer scans the list for."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    model = area.list_view.model
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() > 0, timeout=20_000)
    _settle()
    table = area.list_view.table
    for column in (cases.NUMBER, cases.PERSON, cases.CATEGORIES, cases.DUE):
        assert not table.isColumnHidden(column), column
    unreadable = [
        str(model.index(row, cases.CATEGORIES).data())
        for row in range(min(model.rowCount(), 30))
        if not recognisable(table, model.index(row, cases.CATEGORIES))
    ]
    assert unreadable == []
    window.resize(SMALL)  # with room, the status is back
    _settle()
    assert not table.isColumnHidden(cases.STATUS)


@pytest.mark.parametrize("language", ("kk", "ru"))
def test_the_start_page_fits_a_1024_window_at_150_percent_text(
    qtbot: QtBot, qapp: QApplication, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """The greeting and the mission's name kept one line each: at a text size of 150 % in
    Kazakh the mission's name alone was 759 pixels beside a page of 731, which scrolled
    sideways with the New case button out of sight. They wrap; and the consul's notices
    (the overdue cases sent to her, those waiting for an officer) go under the date, beside
    which the widest kept the page 90 pixels too wide."""
    CaseService(demo_ws).escalate_overdue()  # as signing in does: the notices shown
    with text_at_150_percent(qapp):
        window = _window(qtbot, demo_ws, bridge, language, QSize(1024, 768))
        page = window.show_area("start")
        qtbot.waitUntil(lambda: not page.loading, timeout=20_000)  # type: ignore[attr-defined]
        _settle()
        assert _window_scrolls_sideways_by(window) == 0
        assert page.greeting.wordWrap() and page.mission.wordWrap()  # type: ignore[attr-defined]
        assert page.escalated.isVisible() and page.waiting.isVisible()  # type: ignore[attr-defined]
        button = page.new_button  # type: ignore[attr-defined]
        assert button.visibleRegion().boundingRect().width() == button.width()


def test_a_status_message_is_not_cut_by_who_is_signed_in_at_150_percent_text(
    qtbot: QtBot, qapp: QApplication, demo_ws: Workspace, bridge: LanguageBridge
) -> None:
    """Beside «Серік Жұмабаев · Консул / бөлім басшысы · SEL, Сеул, Оңтүстік Корея» at a
    text size of 150 % a 1024-pixel window left a message 190 pixels: «Сақталды:
    SEL-2026-0193 ісі.» read «Сақталды: SEL-2026-». The name steps aside while the message
    shows, and only when the two do not fit."""
    with text_at_150_percent(qapp):
        window = _window(qtbot, demo_ws, bridge, "kk", QSize(1024, 768))
        bar, user = window.statusBar(), window.status_user
        message = "Сақталды: SEL-2026-0193 ісі."
        bar.showMessage(message, 5000)
        _settle()
        assert not user.isVisible()
        assert bar.fontMetrics().horizontalAdvance(message) < bar.width()
        bar.clearMessage()
        _settle()
        assert user.isVisible()
    window.resize(1366, 768)  # the usual text size in a wider window: room for both
    _settle()
    bar.showMessage(message, 5000)
    _settle()
    assert user.isVisible()


def test_the_letters_preview_folds_away_at_150_percent_text_in_a_1024_window(
    qtbot: QtBot, qapp: QApplication, demo_ws: Workspace, bridge: LanguageBridge
) -> None:
    """The preview folded below 700 pixels whatever the text size: at 150 % text a
    1024-pixel window left the page 745, the thumbnail kept 150 of them, too small to read,
    and the register showed four of its columns behind a sideways scroll bar. The room the
    preview needs grows with the text, and follows a text size changed while it is open."""
    window = _window(qtbot, demo_ws, bridge, "kk", QSize(1024, 768))
    page = window.show_area("letters")
    _settle()
    assert page.preview.width() > 0  # type: ignore[attr-defined]
    with text_at_150_percent(qapp):
        _settle()
        assert page.preview.width() == 0  # type: ignore[attr-defined]
    _settle()
    assert page.preview.width() > 0  # type: ignore[attr-defined]


def _contract_with_findings(window: MainWindow) -> QWidget:
    """The contract review page, with the findings of a passport the employer keeps."""
    page = window.show_area("contracts")
    page.host_country.set_code("KR")  # type: ignore[attr-defined]
    page.passport_held_by.set_value("employer")  # type: ignore[attr-defined]
    page.refresh_findings()  # type: ignore[attr-defined]
    _settle()
    return page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_contract_reviews_findings_read_in_a_1024_window_at_150_percent_text(
    qtbot: QtBot, qapp: QApplication, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """Beside the fields, which a long label («Жұмыскер төлеген жұмысқа орналастыру
    ақысы:») kept 536 pixels wide, the findings had 230 in Kazakh, their reasons 38 wide,
    and the page scrolled 43 pixels sideways. Below the fields they have the page's width;
    in a 1366-pixel window at the usual text size the two stay side by side."""
    with text_at_150_percent(qapp):
        window = _window(qtbot, demo_ws, bridge, language, QSize(1024, 768))
        page = _contract_with_findings(window)
        assert _window_scrolls_sideways_by(window) == 0
        assert page.splitter.orientation() == Qt.Orientation.Vertical  # type: ignore[attr-defined]
        findings = page.findings  # type: ignore[attr-defined]
        assert findings.rowCount() > 0
        assert findings.width() >= 0.9 * page.width()
        assert min(findings.columnWidth(c) for c in (2, 3)) >= 150  # reason, references
        assert findings.height() >= 8 * findings.fontMetrics().lineSpacing()
        assert page.fields_scroll.height() >= 4 * page.fontMetrics().lineSpacing()  # type: ignore[attr-defined]
        assert not page.fields_scroll.horizontalScrollBar().isVisible()  # type: ignore[attr-defined]
    page.unsaved = False  # type: ignore[attr-defined]
    window = _window(qtbot, demo_ws, bridge, language, QSize(1366, 768))
    page = _contract_with_findings(window)
    assert page.splitter.orientation() == Qt.Orientation.Horizontal  # type: ignore[attr-defined]
    assert _window_scrolls_sideways_by(window) == 0
    findings = page.findings  # type: ignore[attr-defined]
    assert min(findings.columnWidth(c) for c in (2, 3)) >= 150
    page.unsaved = False  # type: ignore[attr-defined]


def test_the_audit_logs_details_keep_room_in_a_1024_screens_dialog_at_150_percent_text(
    qtbot: QtBot, qapp: QApplication, ws: Workspace, bridge: LanguageBridge
) -> None:
    """Beside the time, the user, the action and a user's name as the record, each kept
    whole, the details had 71 pixels in Kazakh at 150 % text and read «Рөлі: Еңбе…». The
    action wraps and gives way first; the details keep room for a few words."""
    with ws.write() as session:
        ws.audit(session, "user.add", "user", "aigerim.nurmukhambetova", {"role": "attache"})
        changed = {"from": "attache", "to": "consul"}
        ws.audit(session, "user.role", "user", "aigerim.nurmukhambetova", changed)
    bridge.set_language("kk")
    with text_at_150_percent(qapp):
        dialog = AuditLogDialog(ws)
        qtbot.addWidget(dialog)
        dialog.resize(1000, 700)  # a 1024×768 screen, less the frame and the task bar
        dialog.show()
        qtbot.waitExposed(dialog)
        _settle()
        table = dialog.table
        assert not table.horizontalScrollBar().isVisible()
        assert table.columnWidth(DETAILS) >= 0.15 * table.viewport().width()
        assert table.columnWidth(DETAILS) >= 12 * table.fontMetrics().averageCharWidth()


def test_form_labels_above_their_fields_wrap_in_a_narrow_scrolling_pane_in_kazakh(
    qtbot: QtBot, qapp: QApplication, bridge: LanguageBridge
) -> None:
    """The contract review's longest Kazakh label («Жұмыскер төлеген жұмысқа орналастыру
    ақысы:») above its field stayed on one line in a pane narrower than it: the label kept
    the form's holder as wide as itself, so the holder never measured narrower, and the pane
    scrolled sideways with the label and the fields cut at its edge. It wraps, in sight; with
    room again it keeps one line."""
    bridge.set_language("kk")
    with text_at_150_percent(qapp):
        holder = QWidget()
        form = QFormLayout(holder)
        label = QLabel(_("Recruitment fee paid by the worker:"))
        form.addRow(label, QLineEdit())
        labels_above_when_narrow(form, holder)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        qtbot.addWidget(scroll)
        one_line = label.sizeHint().width()
        scroll.resize(one_line // 2, 300)
        scroll.show()
        qtbot.waitExposed(scroll)
        _settle()
        assert form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.WrapAllRows
        assert not scroll.horizontalScrollBar().isVisible()
        assert label.wordWrap()
        right = label.mapTo(scroll.viewport(), label.rect().topRight()).x()
        assert right <= scroll.viewport().width()
        assert label.height() >= label.heightForWidth(label.width())
        scroll.resize(one_line + 60, 300)  # above the field still, on one line
        _settle()
        assert form.rowWrapPolicy() == QFormLayout.RowWrapPolicy.WrapAllRows
        assert not label.wordWrap()


@pytest.mark.parametrize("language", ("kk", "ru"))
def test_the_contract_reviews_fields_keep_room_to_type_on_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """Below the fields the findings, the risk, the indicators and the buttons each kept
    their least height: the fields had 90 pixels in Kazakh, two of some thirty to type at a
    time. The findings' part scrolls, at its least as tall as before; the fields keep half,
    and the buttons stay in sight below."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    page = window.show_area("contracts")
    page.host_country.set_code("KR")  # type: ignore[attr-defined]
    page.passport_held_by.set_value("employer")  # type: ignore[attr-defined]
    page.refresh_findings()  # type: ignore[attr-defined]
    _settle()
    assert page.stacked  # type: ignore[attr-defined]
    lines = page.fontMetrics().lineSpacing()
    assert page.fields_scroll.height() >= 10 * lines  # type: ignore[attr-defined]
    findings = page.findings  # type: ignore[attr-defined]
    assert findings.rowCount() > 0
    assert findings.height() >= 8 * findings.fontMetrics().lineSpacing()
    for button in (page.new_button, page.save_button):  # type: ignore[attr-defined]
        assert button.isVisible()
        bottom = button.mapTo(page, button.rect().bottomLeft()).y()
        assert bottom <= page.height(), button.text()
    assert _window_scrolls_sideways_by(window) == 0
    page.unsaved = False  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_host_countrys_instruments_are_named_on_a_1024_screen_at_150_percent(
    qtbot: QtBot, demo_ws: Workspace, bridge: LanguageBridge, language: str
) -> None:
    """The host country's tab kept three columns in its 312 pixels: the instrument's name had
    40 in Kazakh (none of it readable) beside the reason and the verified column, and the
    list scrolled sideways. The verified column goes while the tab is too narrow (the rows'
    colour says it), the names wrap whole; with room it is back (the tree's layout after a
    fit had counted as the user's widths, and kept it hidden)."""
    window = _window(qtbot, demo_ws, bridge, language, SCALED)
    page = window.show_area("agreements")
    page.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    _settle()
    view = page.country_view  # type: ignore[attr-defined]
    tree = view.tree
    assert not tree.horizontalScrollBar().isVisible()
    names = [view.applicable_root.child(row) for row in range(view.applicable_root.childCount())]
    assert names
    assert tree.columnWidth(0) >= REASON_WIDTH  # as wide as the reason beside, at least
    cut = [item.text(0) for item in names if cell_shortfall(tree, tree.indexFromItem(item, 0))]
    assert cut == []
    window.resize(QSize(1366, 740))
    _settle()
    assert not tree.isColumnHidden(2)


def test_the_returnee_form_fits_a_screen_narrower_than_its_least_width(
    qtbot: QtBot, qapp: QApplication, demo_ws: Workspace, bridge: LanguageBridge
) -> None:
    """The returnee form's least width, 117 characters, was 702 pixels in Kazakh on a 1024
    screen at 150 % (683 pixels): the dialog's right edge, with Cancel, lay past the screen.
    At 150 % text here it is wider than this screen still; it gives way to the screen."""
    bridge.set_language("kk")
    with text_at_150_percent(qapp):
        window = _window(qtbot, demo_ws, bridge, "kk", SCALED)
        dialog = ReturneeDialog(window, demo_ws)
        qtbot.addWidget(dialog)
        assert dialog.minimumWidth() > window.screen().availableGeometry().width()
        dialog.show()
        qtbot.waitExposed(dialog)
        _settle()
        room = screen_room(dialog)
        assert dialog.width() <= room.width()
        for button in dialog.buttons.buttons():
            if button.isVisible():
                right = button.mapTo(dialog, button.rect().topRight()).x()
                assert right <= dialog.width(), button.text()
        dialog.reject()
