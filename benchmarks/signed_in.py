"""The app as the user has it after sign-in, for the benchmarks that measure its GUI thread.

The app's own application (its look, its garbage collected on the GUI thread), the real main
window at the 1366-pixel design width in Kazakh, on a large mission, with the case list's first
page loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from app.services.workspace import Workspace
from benchmarks.common import large_mission, open_admin, settle_ms
from ui.app import make_application
from ui.i18n_bridge import LanguageBridge

if TYPE_CHECKING:
    from ui.cases.area import CasesArea
    from ui.main_window import MainWindow
    from ui.models.case_table_model import CaseTableModel


def wait(ms: int) -> None:
    """The event loop for ``ms``, as the app's own runs it."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


@dataclass
class SignedIn:
    app: QApplication
    bridge: LanguageBridge
    workspace: Workspace
    window: MainWindow
    cases: CasesArea

    @property
    def model(self) -> CaseTableModel:
        return self.cases.list_view.model

    def close(self) -> None:
        self.window.close()
        self.workspace.close()


def signed_in(cases: int, settle: int = 500) -> SignedIn:
    """Signed in as the administrator of a ``cases``-case mission, the case list shown."""
    app = make_application()
    bridge = LanguageBridge(app)
    bridge.set_language("kk")
    workspace = open_admin(large_mission(cases))
    from ui.cases.area import CasesArea
    from ui.main_window import MainWindow

    window = MainWindow(workspace, bridge)
    window.resize(1366, 768)
    window.show()
    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    while area.list_view.model.loading or area.list_view.model.rowCount() == 0:
        wait(5)
    wait(settle_ms(settle))
    return SignedIn(app, bridge, workspace, window, area)
