"""Fixtures for widget tests: isolated QSettings, a language bridge, a signed-in main window."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, QSettings, QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.workspace import Workspace
from tests.ui.new_case import cases_area_of
from tests.ui.press import on_screen
from ui.i18n_bridge import LanguageBridge
from ui.look import apply_look

if TYPE_CHECKING:
    from ui.cases.area import CasesArea


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[object]:
    """As in the app (ui/gc_guard.py), Python's cyclic garbage collector never runs by itself
    while a widget test is set up, runs or is torn down, but once the test is over, here.

    Run by itself, it runs at whatever allocation passes its threshold: on a worker thread (a
    background read collecting a closed window's cycle crashed PySide6), inside an event
    handler, or while PySide6 turned ``QApplication.allWidgets()`` into a list (the text-size
    restyle, at a test's teardown): a collected cycle then deleted widgets still in that list
    and the process crashed. Here the test's fixtures and arguments have been released, no
    Qt code is on the stack, and everything the test left is collected."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return (yield)
    finally:
        _collect_what_is_due()
        if collecting:
            gc.enable()


def _collect_what_is_due() -> None:
    """The youngest generation, and an older one whose threshold was passed, as the collector
    would have chosen."""
    counts, thresholds = gc.get_count(), gc.get_threshold()
    due = [g for g, (n, limit) in enumerate(zip(counts, thresholds, strict=True)) if n > limit]
    gc.collect(max(due, default=0))


@pytest.fixture(autouse=True)
def isolated_qsettings(qapp: QApplication, tmp_path: Path) -> Iterator[Path]:
    """Every test writes its QSettings under its own tmp folder, never the user's."""
    folder = tmp_path / "qsettings"
    QCoreApplication.setOrganizationName("Qorgau")
    QCoreApplication.setApplicationName("Qorgau")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder / scope.name))
    yield folder
    # Work started by a test finishes before the next test's database appears.
    QThreadPool.globalInstance().waitForDone(10_000)
    QLocale.setDefault(QLocale("en_GB"))


@pytest.fixture(autouse=True, scope="session")
def app_filters(qapp: QApplication) -> None:
    """Widgets are tested with the application-wide filters the real app installs."""
    from ui.widgets.enter_presses import install_enter_presses
    from ui.widgets.wheel_guard import install_wheel_guard

    install_wheel_guard(qapp)
    install_enter_presses(qapp)


@pytest.fixture(autouse=True)
def discard_unsaved_on_teardown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing a window with an unsaved editor asks; in tests nobody answers, so: discard.
    Tests of that question replace this answer themselves."""
    from PySide6.QtWidgets import QMessageBox

    from ui.cases import editor
    from ui.contracts import page as review_page
    from ui.letters import dialog as letter_dialog

    discard = QMessageBox.StandardButton.Discard
    monkeypatch.setattr(editor, "ask_unsaved", lambda _parent: discard)
    monkeypatch.setattr(editor, "ask_unadded_entry", lambda _parent: True)
    monkeypatch.setattr(letter_dialog, "ask_unsaved_letter", lambda _parent: discard)
    monkeypatch.setattr(review_page, "ask_unsaved_review", lambda _parent: discard)


@pytest.fixture(autouse=True)
def discard_setup_on_teardown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Closing the first-run wizard with typed work asks; in tests nobody answers: discard.
    Tests of that question replace this answer themselves."""
    from ui.setup import wizard

    monkeypatch.setattr(wizard, "ask_discard_setup", lambda _parent: True)


@pytest.fixture
def bridge(qapp: QApplication) -> Iterator[LanguageBridge]:
    bridge = LanguageBridge()
    bridge.set_language("en")
    yield bridge
    bridge.set_language("en")


@pytest.fixture
def make_window(qtbot: QtBot, bridge: LanguageBridge) -> Iterator[Callable[..., object]]:
    from ui.main_window import MainWindow

    # qtbot holds widgets weakly; a window a test reaches only through a child must stay alive.
    windows: list[MainWindow] = []

    def _make(workspace: Workspace, idle_timeout_ms: int | None = None) -> MainWindow:
        window = on_screen(qtbot, MainWindow(workspace, bridge, idle_timeout_ms=idle_timeout_ms))
        window.activateWindow()  # shortcuts reach only the active window
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        windows.append(window)
        return window

    yield _make
    for window in windows:
        window.close()


@pytest.fixture
def cases_area(make_window: Callable[..., object], ws: Workspace) -> CasesArea:
    """The cases area of a main window signed in as the administrator (``ws``)."""
    return cases_area_of(make_window(ws))


@pytest.fixture(scope="module")
def apps_look(qapp: QApplication) -> Iterator[None]:
    """Measured as the app looks (Fusion, its palette and style sheet: ``make_application``),
    since every width depends on them; the other tests' look is given back afterwards."""
    style, sheet, palette = qapp.style().name(), qapp.styleSheet(), qapp.palette()
    qapp.setStyle("Fusion")
    apply_look(qapp)
    yield
    qapp.setStyle(style)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)
