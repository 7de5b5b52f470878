"""A larger system text size (150 %, as an officer with weaker eyes sets it) keeps the text
fields their number of lines and the lock screen's box its line length.

The faults: the timeline's note was 70 pixels tall, the letter's enclosures 60, a reason 90
and the lock screen's box 440 pixels wide, whatever the font: at 150 % text the note showed
three lines of four, the enclosures two and a half, and the lock box wrapped into more lines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QScrollArea,
    QVBoxLayout,
)
from pytestqt.qtbot import QtBot

from app.config import Paths
from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.builders import ASSEL, wage_case
from tests.conftest import OpenWs
from tests.ui.press import on_screen, open_area
from ui.cases.timeline import TimelinePanel
from ui.i18n_bridge import LanguageBridge
from ui.letters.dialog import LetterDialog
from ui.lock import LockScreen
from ui.look import NAV_ITEM_MARGIN, NAV_ITEM_PADDING
from ui.main_window import MainWindow
from ui.reports.dashboard import FigureTile
from ui.widgets import text_size
from ui.widgets.dialogs import ReasonDialog, ShortScreenScroll


@pytest.fixture
def larger_text(qapp: QApplication) -> Iterator[float]:
    """The application's font at 1.5 times its size, as a system text size of 150 % sets it;
    yields the factor."""
    normal = qapp.font()
    larger = qapp.font()
    larger.setPointSizeF(normal.pointSizeF() * 1.5)
    qapp.setFont(larger)
    yield 1.5
    qapp.setFont(normal)


def shows_lines(edit: QPlainTextEdit) -> float:
    """How many lines of its font ``edit`` shows."""
    room = edit.viewport().height() - 2 * edit.document().documentMargin()
    return room / edit.fontMetrics().lineSpacing()


def test_text_fields_keep_their_lines_at_a_larger_text_size(
    qtbot: QtBot, open_ws: OpenWs, larger_text: float
) -> None:
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    timeline = on_screen(qtbot, TimelinePanel(CaseService(ws)))
    reason = on_screen(qtbot, ReasonDialog(None, "Reason"))
    letter = on_screen(qtbot, LetterDialog(ws, case.id, case.number))
    QCoreApplication.processEvents()
    assert shows_lines(timeline.text) >= 4
    assert shows_lines(reason.reason) >= 5
    assert shows_lines(letter.enclosures) >= 3


@pytest.mark.parametrize("factor", [1.0, 1.5])
def test_three_enclosures_show_without_a_scroll_bar(
    qtbot: QtBot, open_ws: OpenWs, qapp: QApplication, factor: float
) -> None:
    """The fault: the enclosures showed their three lines beside a scroll bar for a fourth."""
    normal = qapp.font()
    larger = qapp.font()
    larger.setPointSizeF(normal.pointSizeF() * factor)
    qapp.setFont(larger)
    try:
        ws = open_ws("aigul")
        case = wage_case(ws, ASSEL)
        letter = on_screen(qtbot, LetterDialog(ws, case.id, case.number))
        enclosures = letter.enclosures
        enclosures.setPlainText("Employment contract, 3 pages\nPassport copy\nPay slips, 4 pages")
        QCoreApplication.processEvents()
        assert not enclosures.verticalScrollBar().isVisible()
        enclosures.appendPlainText("Bank statement")  # a fourth: scrolled to, as before
        QCoreApplication.processEvents()
        assert enclosures.verticalScrollBar().isVisible()
    finally:
        qapp.setFont(normal)


def test_a_letters_fields_keep_their_lines_when_the_text_grows_while_it_is_open(
    qtbot: QtBot, open_ws: OpenWs, qapp: QApplication
) -> None:
    """The fault: the enclosures' three lines were measured once, as the editor opened; at a
    text size of 150 % set while it was open the text grew and the field showed two."""
    text_size.application_font_watch(qapp)  # as make_application starts it
    ws = open_ws("aigul")
    case = wage_case(ws, ASSEL)
    letter = on_screen(qtbot, LetterDialog(ws, case.id, case.number))
    QCoreApplication.processEvents()
    normal = qapp.font()
    larger = qapp.font()
    larger.setPointSizeF(normal.pointSizeF() * 1.5)
    qapp.setFont(larger)
    try:
        QCoreApplication.processEvents()
        # The fields, and the warning above the preview (a label with a style sheet of its
        # own, which kept 9 points).
        for field in (letter.facts, letter.enclosures, letter.stale):
            assert field.font().pointSizeF() == pytest.approx(larger.pointSizeF())
        assert shows_lines(letter.enclosures) >= 3
        # The warning, grown, wraps rather than widen the preview over the form.
        stale = letter.stale
        stale.show()
        for _round in range(3):
            QCoreApplication.processEvents()
        assert stale.minimumSizeHint().width() < stale.fontMetrics().horizontalAdvance(stale.text())
        form = letter.editing.widget(0)
        assert isinstance(form, QScrollArea)
        assert not form.horizontalScrollBar().isVisible()
    finally:
        qapp.setFont(normal)
    QCoreApplication.processEvents()
    assert shows_lines(letter.enclosures) == pytest.approx(3, abs=0.5)  # and back again


def test_the_lock_screens_box_widens_with_the_text(
    qtbot: QtBot, installation: Paths, bridge: LanguageBridge, qapp: QApplication
) -> None:
    def explanation_width() -> int:
        lock = on_screen(qtbot, LockScreen(installation, "consul", bridge))
        lock.resize(1366, 768)
        lock.prepare()
        QCoreApplication.processEvents()
        return lock.explanation.width()

    normal = explanation_width()
    font = qapp.font()
    larger = qapp.font()
    larger.setPointSizeF(font.pointSizeF() * 1.5)
    qapp.setFont(larger)
    try:
        assert explanation_width() >= 1.4 * normal
    finally:
        qapp.setFont(font)


def test_a_short_screen_forms_dialog_grows_with_a_label_that_grows(qtbot: QtBot) -> None:
    """The fault: the form's scroll area kept the minimum size it had when the dialog opened,
    so a label made longer (a language switch) was cut instead of widening the dialog."""
    label = QLabel("Name:")
    form = QFormLayout()
    form.addRow(label, QLineEdit())
    dialog = QDialog()
    QVBoxLayout(dialog).addWidget(ShortScreenScroll(form))
    on_screen(qtbot, dialog)
    label.setText("Name as written in the passport, in Latin letters:")
    QCoreApplication.processEvents()
    assert dialog.minimumSizeHint().width() > label.sizeHint().width()


def test_the_sign_in_and_the_case_check_lists_grow_with_the_text_size(
    qtbot: QtBot,
    template_installation: Paths,
    bridge: LanguageBridge,
    open_ws: OpenWs,
    larger_text: float,
) -> None:
    """The fault: the sign-in was 420 pixels wide and the case's category and indicator
    lists 180 pixels tall, whatever the font: at 150 % text a list showed two thirds of its
    lines and the sign-in's labels crowded its fields."""
    from ui.cases.editor import CaseEditor
    from ui.login import LoginDialog

    normal_width, normal_height = 420, 180
    login = LoginDialog(template_installation, bridge)
    qtbot.addWidget(login)
    assert login.minimumWidth() >= 0.95 * larger_text * normal_width
    editor = CaseEditor(open_ws("aigul"), [])
    qtbot.addWidget(editor)
    for check_list in (editor.categories, editor.indicators):
        assert check_list.minimumHeight() >= 0.95 * larger_text * normal_height


def test_the_dashboards_tiles_follow_the_system_text_size(qtbot: QtBot, qapp: QApplication) -> None:
    """The fault: the tiles' style sheet set 11 pt, whatever the system text size."""
    tile = on_screen(qtbot, FigureTile())
    tile.setText("Opened\n12")
    normal = qapp.font().pointSizeF()
    assert tile.font().pointSizeF() == pytest.approx(normal * FigureTile.TEXT_SCALE)
    normal_height = tile.minimumHeight()
    larger = qapp.font()
    larger.setPointSizeF(normal * 1.5)
    qapp.setFont(larger)  # while the page is open, as a changed system setting does
    try:
        QCoreApplication.processEvents()
        assert tile.font().pointSizeF() == pytest.approx(normal * 1.5 * FigureTile.TEXT_SCALE)
        assert tile.minimumHeight() > normal_height * 1.3  # the name and the figure still fit
    finally:
        normal_font = qapp.font()
        normal_font.setPointSizeF(normal)
        qapp.setFont(normal_font)


def test_titles_and_the_navigation_follow_the_system_text_size(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    ws: Workspace,
    installation: Paths,
    bridge: LanguageBridge,
    qapp: QApplication,
) -> None:
    """The fault: titles set 15, 16 and 18 pt in style sheets, the start page's mission line
    11 pt and the navigation 10.5 pt: at a system text size of 150 % the fields under a title
    grew past it and the navigation stayed small."""
    from ui.agreements.page import AgreementsPage
    from ui.cases.editor import CaseEditor
    from ui.login import LoginDialog
    from ui.partners.page import PartnersPage
    from ui.returnees.page import ReturneesPage

    window = make_window(ws)
    start = open_area(qtbot, window, "start")
    cases = open_area(qtbot, window, "cases")
    settings = open_area(qtbot, window, "settings")
    reports = open_area(qtbot, window, "reports")
    agreements = AgreementsPage(ws)
    editor = CaseEditor(ws, [])
    login = LoginDialog(installation, bridge)
    lock = LockScreen(installation, "consul", bridge)
    partners = PartnersPage(ws, bridge)
    returnees = ReturneesPage(ws, bridge)
    for widget in (agreements, editor, login, lock, partners, returnees):
        on_screen(qtbot, widget)
    texts = {
        "greeting": (start.greeting, text_size.GREETING),  # type: ignore[attr-defined]
        "mission": (start.mission, text_size.SUBTITLE),  # type: ignore[attr-defined]
        "cases": (cases.list_view.title, text_size.PAGE_TITLE),  # type: ignore[attr-defined]
        "settings": (settings.heading, text_size.PAGE_TITLE),  # type: ignore[attr-defined]
        "reports": (reports.title, text_size.PAGE_TITLE),  # type: ignore[attr-defined]
        "sign-in": (login.title, text_size.PAGE_TITLE),
        "lock": (lock.title, text_size.PAGE_TITLE),
        "case": (editor.heading, text_size.RECORD_TITLE),
        "agreement": (agreements.instrument_view.title, text_size.RECORD_TITLE),
        "partners": (partners.heading, text_size.RECORD_TITLE),
        "returnees": (returnees.heading, text_size.RECORD_TITLE),
        "navigation": (window.nav, text_size.NAVIGATION),
        # In the page, not a window of its own: Qt tells only windows of the change.
        "tile": (next(iter(reports.tiles.values())), FigureTile.TEXT_SCALE),  # type: ignore[attr-defined]
    }

    def sizes() -> dict[str, float]:
        QCoreApplication.processEvents()
        return {name: widget.font().pointSizeF() for name, (widget, _scale) in texts.items()}

    normal = qapp.font().pointSizeF()
    assert sizes() == {name: pytest.approx(normal * scale) for name, (_w, scale) in texts.items()}
    larger = qapp.font()
    larger.setPointSizeF(normal * 1.5)
    qapp.setFont(larger)  # while the windows are open, as a changed system setting does
    try:
        expected = {
            name: pytest.approx(normal * 1.5 * scale) for name, (_w, scale) in texts.items()
        }
        assert sizes() == expected
        assert all(widget.font().bold() for widget, scale in texts.values() if scale > 1.5)
    finally:
        normal_font = qapp.font()
        normal_font.setPointSizeF(normal)
        qapp.setFont(normal_font)


@pytest.mark.usefixtures("apps_look")  # the navigation's padding is the app's style sheet's
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_the_navigations_titles_stay_whole_at_a_larger_text_size(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    ws: Workspace,
    bridge: LanguageBridge,
    larger_text: float,
    language: str,
) -> None:
    """The fault: the navigation stopped at 260 pixels whatever the text size, and at 150 %
    read «Проверка дого…» for «Проверка договоров» (whole only in its tooltip)."""
    bridge.set_language(language)
    window = make_window(ws)
    window.resize(1366, 740)
    for _round in range(3):  # its width is fitted an event after the window's is
        QCoreApplication.processEvents()
    nav = window.nav
    assert not window.compact_navigation
    # The rect Qt gives each item is the list's width: what counts is its text beside the
    # icon, with the item's padding and margin each side.
    padding = 2 * (NAV_ITEM_PADDING + NAV_ITEM_MARGIN) + nav.iconSize().width()
    cut = [
        nav.item(row).text()
        for row in range(nav.count())
        if nav.fontMetrics().horizontalAdvance(nav.item(row).text()) + padding
        > nav.viewport().width()
    ]
    assert cut == []


@pytest.mark.usefixtures("apps_look")
def test_the_start_pages_lists_stay_whole_when_the_text_grows(
    qtbot: QtBot,
    make_window: Callable[..., MainWindow],
    open_ws: OpenWs,
    bridge: LanguageBridge,
    qapp: QApplication,
) -> None:
    """The fault: at 150 % text size the four lists stayed two by two in 1366 pixels, each
    person's name cut to its first letter («Қ…») and a list scrolling sideways; squeezed into
    the window's height they showed a row or two. One under another, at least five rows
    each (fewer when fewer), the page scrolling instead."""
    from ui.start_page import ROWS_SHOWN, StartPage

    bridge.set_language("kk")
    ws = open_ws("aigul")
    for _case in range(ROWS_SHOWN + 1):
        wage_case(ws, ASSEL)
    window = make_window(ws)
    window.resize(1366, 768)
    start = open_area(qtbot, window, "start")
    assert isinstance(start, StartPage)
    qtbot.waitUntil(lambda: not start.loading, timeout=10_000)
    assert not start.one_column  # two by two at the usual text size
    normal = qapp.font()
    larger = qapp.font()
    larger.setPointSizeF(normal.pointSizeF() * 1.5)
    qapp.setFont(larger)  # while the page is open, as Settings' text size does
    try:
        for _round in range(3):
            QCoreApplication.processEvents()
        assert start.one_column
        lists = [s.tree for s in (start.mine, start.recent) if s.tree.isVisible()]
        assert lists
        for tree in lists:
            person = tree.fontMetrics().horizontalAdvance(tree.topLevelItem(0).text(1))
            assert tree.columnWidth(1) > person  # the name whole
            assert not tree.horizontalScrollBar().isVisible()
            rows = min(tree.topLevelItemCount(), ROWS_SHOWN)
            assert tree.viewport().height() >= rows * tree.sizeHintForRow(0)
    finally:
        qapp.setFont(normal)
