"""The main window: areas, status bar, shortcuts, the idle lock, language switch, saved state."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from app.services.workspace import Workspace
from tests.conftest import PASSWORD, OpenWs
from tests.ui.press import click, on_screen, open_area, type_into
from ui import ui_settings
from ui.i18n_bridge import LanguageBridge
from ui.main_window import MainWindow

MakeWindow = Callable[..., MainWindow]


def test_navigation_lists_the_areas_and_the_status_bar_names_user_role_and_mission(
    make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    window.resize(1280, 720)  # the titles beside the icons (icons only in a narrow window)
    keys = window.area_keys()
    assert keys[:2] == ["start", "cases"] and "settings" in keys
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles[:2] == ["Start", "Cases"] and "Settings" in titles
    assert window.current_area() == "start"
    assert window.status_user.text() == "admin · Administrator · SEL, Seoul, South Korea"
    assert window.windowTitle() == (
        "Qorgau — Embassy of the Republic of Kazakhstan in the Republic of Korea"
    )


def test_areas_are_built_when_first_shown(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    assert window._areas["settings"].widget is None
    open_area(qtbot, window, "settings")
    settings = window._areas["settings"].widget
    assert settings is not None
    assert window.pages.currentWidget() is settings
    assert window.current_area() == "settings"


def test_an_area_registers_itself_with_a_title_and_a_factory(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    window.register_area("sandbox", lambda: "Reports", lambda _w: QLabel("report page"))
    assert window.area_keys()[-1] == "sandbox"
    widget = open_area(qtbot, window, "sandbox")
    assert isinstance(widget, QLabel) and widget.text() == "report page"
    try:
        window.register_area("sandbox", lambda: "Again", lambda _w: QLabel())
    except ValueError as exc:
        assert "already registered" in str(exc)
    else:
        raise AssertionError("a second area with the same key must be refused")


def test_ctrl_l_locks_and_only_the_right_password_unlocks(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    window = make_window(open_ws("aigul"))
    with qtbot.waitSignal(window.locked, timeout=2000):
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked
    assert window.outer.currentWidget() is window.lock_screen
    assert not window.splitter.isVisible()
    assert not window.new_case_action.isEnabled()
    screen = window.lock_screen
    assert "aigul" in screen.explanation.text()

    type_into(qtbot, screen.password, "guess")
    click(qtbot, screen.unlock_button)
    qtbot.waitUntil(lambda: screen.error.isVisible(), timeout=5000)
    assert screen.error.text() == "Wrong password. The window stays locked."
    assert window.is_locked
    assert screen.password.text() == ""

    type_into(qtbot, screen.password, PASSWORD)
    with qtbot.waitSignal(window.unlocked, timeout=5000):
        qtbot.keyClick(screen.password, Qt.Key.Key_Return)
    assert not window.is_locked
    assert window.splitter.isVisible()
    assert window.new_case_action.isEnabled()
    assert window.idle_lock.active


def test_nothing_in_the_menus_reaches_the_data_while_locked(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    """The fault: above the lock screen, Cases → Import a spreadsheet… and Undo a
    spreadsheet import… stayed enabled; the undo lists the imports and deletes their cases,
    all without the password."""
    window = make_window(open_ws("aigul"))
    menus = (window.file_menu, window.case_menu)
    data_actions = [
        act for menu in menus for act in menu.actions() if act is not window.quit_action
    ]
    data_actions = [act for act in data_actions if not act.isSeparator() and act.isVisible()]
    assert window.undo_import_action in data_actions
    window.lock()
    assert [act.text() for act in data_actions if act.isEnabled()] == []
    window.undo_import_action.trigger()
    assert window.undo_import_dialog is None
    window.unlock()
    assert all(act.isEnabled() for act in data_actions)


def test_the_lock_screen_says_how_long_the_next_try_waits(
    qtbot: QtBot, make_window: MakeWindow, open_ws: OpenWs
) -> None:
    """Wrong passwords at the lock screen earn the sign-in's growing delay; it said only
    "Wrong password", and the next Unlock hung for seconds with no word why."""
    window = make_window(open_ws("aigul"))
    window.lock()
    screen = window.lock_screen
    for expected in (
        "Wrong password. The window stays locked.",
        "Wrong password. The window stays locked. Wait 1 second before the next attempt.",
    ):
        type_into(qtbot, screen.password, "guess")
        click(qtbot, screen.unlock_button)
        qtbot.waitUntil(lambda: screen.password.isEnabled(), timeout=5000)
        assert screen.error.text() == expected
    assert window.is_locked


def test_idle_time_locks_the_window(qtbot: QtBot, make_window: MakeWindow, ws: Workspace) -> None:
    window = make_window(ws, idle_timeout_ms=150)
    assert window.idle_lock.timeout_ms == 150
    # Generous: on a loaded machine the window's first paint and background reads come first
    # (four test workers on two busy cores took over 10 s); the wait ends at the signal.
    with qtbot.waitSignal(window.locked, timeout=30_000):
        pass
    assert window.is_locked
    assert not window.idle_lock.active  # no second lock while locked


def test_input_postpones_the_idle_lock(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws, idle_timeout_ms=10_000)
    qtbot.wait(50)  # the one wait here is the subject of the test: time passing
    remaining_before = window.idle_lock._timer.remainingTime()
    qtbot.keyClick(window.nav, Qt.Key.Key_Up)  # already on the first row: nothing else runs
    assert window.idle_lock._timer.remainingTime() > remaining_before
    assert not window.is_locked


def test_language_switch_retranslates_the_window_at_once(
    make_window: MakeWindow, ws: Workspace, bridge: LanguageBridge
) -> None:
    window = make_window(ws)
    bridge.set_language("kk")
    # Country names come from CLDR, so they change even before catalogs are complete.
    assert window.status_user.text().endswith("Оңтүстік Корея")
    assert window.windowTitle().endswith(
        "Қазақстан Республикасының Корея Республикасындағы Елшілігі"
    )
    bridge.set_language("ru")
    assert window.status_user.text().endswith("Республика Корея")


def test_window_geometry_and_splitter_are_remembered(
    qtbot: QtBot, bridge: LanguageBridge, ws: Workspace
) -> None:
    first = MainWindow(ws, bridge)
    qtbot.addWidget(first)
    first.resize(780, 650)  # within the 800×800 offscreen screen
    first.show()
    qtbot.waitExposed(first)
    size = first.size()
    first.resize(1100, 650)  # wide enough for the navigation's titles
    first.splitter.setSizes([170, 926])  # the areas keep their minimum width
    first.resize(size)  # icons only: the titled width is still the one kept
    first.close()
    assert ui_settings.load_state("main_window/geometry") is not None
    second = on_screen(qtbot, MainWindow(ws, bridge))
    assert second.size() == size
    # Under 1000 pixels wide the navigation shows its icons only, as wide as they need.
    assert second.compact_navigation and second.nav.width() < 100
    second.resize(1100, 650)
    assert second.splitter.sizes()[0] == 170


def test_the_exchange_area_follows_a_language_switch(
    make_window: MakeWindow, ws: Workspace, bridge: LanguageBridge
) -> None:
    """Switched in Settings, the language left the Exchange area in the one it was built in."""
    from ui.exchange.page import ExchangePage

    window = make_window(ws)
    page = window.show_area("exchange")
    assert isinstance(page, ExchangePage)
    bridge.set_language("ru")
    assert page.export_box.title() == "Отправка в центральный аппарат"
    assert page.tabs.tabText(page.bundles_tab) == "Пакеты"
    assert page.log.horizontalHeaderItem(0).text() == "Когда"


def test_closing_while_locked_asks_nothing_over_the_lock_screen(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    """The fault: Ctrl+Q on the lock screen asked "save or discard?" about the officer's
    unsaved case, and anyone at the desk could answer it without her password."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from tests.ui.new_case import cases_area_of, fill_new_case

    window = make_window(ws)
    area = cases_area_of(window)
    fill_new_case(area)
    assert area.editor.dirty
    window.lock()
    asked: list[QMessageBox] = []
    QApplication.instance().focusChanged.connect(  # type: ignore[union-attr]
        lambda _old, new: asked.extend(
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.isVisible()
        )
    )
    assert not window.close()
    assert window.isVisible() and window.is_locked and not asked
    assert area.editor.dirty  # nothing saved or thrown away
    assert window.lock_screen.error.text().startswith("Sign in to close Qorgau")
    type_into(qtbot, window.lock_screen.password, PASSWORD)
    qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.is_locked, timeout=10_000)
    assert area.editor.dirty  # her work waits for her


def test_closing_while_locked_with_nothing_unsaved_closes(
    qtbot: QtBot, make_window: MakeWindow, ws: Workspace
) -> None:
    window = make_window(ws)
    window.lock()
    assert window.close()


def test_a_narrow_window_shows_the_navigations_icons_and_gives_the_area_the_room(
    make_window: MakeWindow, ws: Workspace
) -> None:
    """At 150 % display scaling a 1366-pixel laptop leaves the window 910 pixels, and the
    navigation's titles took 182 of them: beside its tabs the case editor's worker form had
    160 and scrolled sideways, and Partners and Reports scrolled sideways too."""
    window = make_window(ws)
    window.resize(1280, 720)
    wide = window.nav.width()
    window.resize(900, 500)
    items = [window.nav.item(row) for row in range(window.nav.count())]
    assert [item.text() for item in items] == [""] * len(items)
    assert items[1].toolTip() == "Cases"
    assert items[1].data(Qt.ItemDataRole.AccessibleTextRole) == "Cases"
    assert window.nav.width() < wide / 2
    # Every icon whole in view, and the area takes the room the titles left.
    for item in items:
        assert window.nav.viewport().rect().contains(window.nav.visualItemRect(item))
    area, nav = window.splitter.sizes()[1], window.splitter.sizes()[0]
    assert nav == window.nav.width() and area >= 900 - nav - 2 * window.splitter.handleWidth()
    window.resize(1280, 720)
    assert items[1].text() == "Cases" and window.nav.width() == wide
    # A width the user gave the navigation comes back with the titles.
    window.splitter.setSizes([wide + 30, 1280 - wide - 30])
    window.resize(900, 500)
    window.resize(1280, 720)
    assert window.nav.width() == wide + 30


def test_the_splitter_handle_shows_only_where_it_resizes_the_navigation(
    qtbot: QtBot, bridge: LanguageBridge, ws: Workspace
) -> None:
    """The fault: beside the icons-only navigation the handle showed, and dragging it did
    nothing (the navigation's width is fixed there)."""
    window = on_screen(qtbot, MainWindow(ws, bridge))
    handle = window.splitter.handle(1)
    window.resize(1100, 650)
    assert not window.compact_navigation and handle.isVisible()
    window.resize(780, 650)
    QCoreApplication.processEvents()
    assert window.compact_navigation and not handle.isVisible()
    for key in window.area_keys():  # showing the areas lays the splitter out again
        window.show_area(key)
        QCoreApplication.processEvents()
        assert not handle.isVisible(), key
    window.resize(1100, 650)
    QCoreApplication.processEvents()
    assert handle.isVisible()
    window.splitter.moveSplitter(200, 1)  # and it still resizes
    assert window.splitter.sizes()[0] == 200
