"""No widget shows itself as a window of its own while the main window is built and used.

``setVisible(True)`` on a widget that has no parent yet makes it a top-level window until a
layout adopts it: on a desktop, a small window flashed up (and took the focus) as the Exchange
page was built at HQ, a provision card marked "unverified", the Settings page or a case form
for a consul appeared. Widgets hidden by a condition are hidden with ``hide()`` only. Every
dialog is opened too, each choice of its lists made once (none flashed one: checked by
planting one in the transfer dialog).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QMainWindow, QMenu, QWidget

from app.services.cases import CaseService
from app.services.workspace import Workspace
from tests.builders import new_case
from tests.integration.test_exchange import make_site
from tests.ui import conftest as ui_fixtures
from ui.cases.area import CasesArea
from ui.main_window import MainWindow

make_window = ui_fixtures.make_window


class _StrayWindows(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt name
        if (
            event.type() == QEvent.Type.Show
            and isinstance(watched, QWidget)
            and watched.isWindow()
            and not isinstance(watched, QMainWindow | QDialog | QMenu)
            and watched.metaObject().className() != "QTipLabel"
        ):
            self.shown.append(f"{watched.metaObject().className()} {watched.objectName()!r}")
        return False


@pytest.fixture
def stray_windows(qapp: QApplication) -> Iterator[_StrayWindows]:
    watcher = _StrayWindows()
    qapp.installEventFilter(watcher)
    yield watcher
    qapp.removeEventFilter(watcher)


def _use_every_area(window: MainWindow, case_id: str | None) -> None:
    for key in window.area_keys():
        window.show_area(key)
        QApplication.processEvents()
    if case_id is not None:
        area = window.show_area("cases")
        assert isinstance(area, CasesArea)
        area.open_case(case_id)
        for tab in range(area.editor.tabs.count()):
            area.editor.tabs.setCurrentIndex(tab)
            QApplication.processEvents()


def test_a_consuls_window_shows_no_stray_window(
    open_ws: Callable[[str], Workspace],
    make_window: Callable[..., MainWindow],
    stray_windows: _StrayWindows,
) -> None:
    case = CaseService(open_ws("admin")).create_case(new_case())
    for user in ("serik", "aigul"):  # the consul (watchlist buttons), an attaché
        _use_every_area(make_window(open_ws(user)), case.id)
    assert stray_windows.shown == []


def test_an_hq_window_shows_no_stray_window(
    tmp_path: Path, make_window: Callable[..., MainWindow], stray_windows: _StrayWindows
) -> None:
    hq = make_site(tmp_path / "sites", "AST", "KZ", "Astana", True)
    try:
        _use_every_area(make_window(hq.ws), None)
    finally:
        hq.ws.close()
    assert stray_windows.shown == []


def _dialogs(window: MainWindow, ws: Workspace, case_id: str, number: str) -> list[QDialog]:
    """Every dialog a user opens from the window, each as the window builds it."""
    from app.domain.roles import Role
    from app.services.keys import KeyService
    from app.services.organisations import OrganisationService
    from app.services.recovery_sheet import sheet_facts
    from app.services.stats import Drilldown, StatsFilter, StatsService
    from app.services.users import UserService
    from ui.cases.csv_import import CsvImportDialog
    from ui.cases.org_picker import OrganisationDialog
    from ui.exchange.hq import TransferDialog
    from ui.exchange.keys import TrustKeyDialog
    from ui.help import AboutDialog, HelpDialog, ShortcutsDialog
    from ui.letters.dialog import LetterDialog
    from ui.recovery import RecoverDialog, RecoveryKeyDialog
    from ui.reports.case_list import CaseListDialog
    from ui.returnees.dialog import ReturneeDialog
    from ui.settings.users import AddUserDialog, SignatureDialog
    from ui.widgets.dialogs import PasswordDialog, ReasonDialog

    me = next(u for u in UserService(ws).list() if u.username == ws.actor.username)
    drill = Drilldown(StatsFilter(), "open", "")
    return [
        OrganisationDialog(window, OrganisationService(ws), "TR"),
        LetterDialog(ws, case_id, number, parent=window),
        ReturneeDialog(window, ws),
        RecoveryKeyDialog(window, "ABCD-EFGH", lambda lang: sheet_facts(ws, lang)),
        RecoverDialog(window, window.workspace.paths, window.bridge),
        TransferDialog(window, []),
        TrustKeyDialog(window, KeyService(ws)),
        AddUserDialog(window, set(), tuple(Role)),
        SignatureDialog(window, me),
        HelpDialog(window),
        ShortcutsDialog(window),
        AboutDialog(ws, window),
        PasswordDialog(window, "Password"),
        ReasonDialog(window, "Reason"),
        CaseListDialog(StatsService(ws), drill, "Open cases", False, window),
        CsvImportDialog(window, ws, Path("no-such-sheet.csv")),
    ]


def test_no_dialog_shows_a_stray_window(
    open_ws: Callable[[str], Workspace],
    make_window: Callable[..., MainWindow],
    stray_windows: _StrayWindows,
) -> None:
    ws = open_ws("admin")
    case = CaseService(ws).create_case(new_case())
    window = make_window(ws)
    for dialog in _dialogs(window, ws, case.id, case.number):
        dialog.show()
        QApplication.processEvents()
        for combo in dialog.findChildren(QComboBox):  # what each choice shows or hides
            for index in range(min(combo.count(), 12)):
                combo.setCurrentIndex(index)
                QApplication.processEvents()
        dialog.close()
        QApplication.processEvents()
    assert stray_windows.shown == []


def _windows_of_their_own() -> set[int]:
    """The widgets without a parent, other than windows and menus, by C++ address."""
    from shiboken6 import Shiboken

    return {
        Shiboken.getCppPointer(widget)[0]
        for widget in QApplication.allWidgets()
        if widget.parentWidget() is None
        and not isinstance(widget, QMainWindow | QDialog | QMenu)
        and widget.metaObject().className() != "QTipLabel"
    }


def _described(addresses: set[int]) -> list[str]:
    from shiboken6 import Shiboken

    return sorted(
        f"{type(widget).__qualname__} {widget.objectName()!r}"
        for widget in QApplication.allWidgets()
        if Shiboken.getCppPointer(widget)[0] in addresses
    )


def test_no_widget_is_left_without_a_parent(
    open_ws: Callable[[str], Workspace], make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    """A widget made without a parent and never laid out (the outcome's holder in the case
    form, the filter bar's unused officer or mission list) is a hidden window of its own,
    owned by Python: it lived on after its window and was freed only when the garbage
    collector broke its owner's cycle, which happened while Qt's widgets were being walked
    (restyled for a changed text size) and crashed the process."""
    before = _windows_of_their_own()
    case = CaseService(open_ws("admin")).create_case(new_case())
    for user in ("serik", "aigul"):
        _use_every_area(make_window(open_ws(user)), case.id)
    hq = make_site(tmp_path / "sites", "AST", "KZ", "Astana", True)
    try:
        _use_every_area(make_window(hq.ws), None)
        assert _described(_windows_of_their_own() - before) == []
    finally:
        hq.ws.close()
