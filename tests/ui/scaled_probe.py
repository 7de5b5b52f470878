"""Run by tests/ui/test_display_scaling.py in a process of its own, started with
QT_SCALE_FACTOR and a screen of the office laptops' size (a scale factor must be set before
the QApplication exists): ``python -m tests.ui.scaled_probe DATA_DIR LANG``.

Prints one JSON object: the screen's available size; for each area, the case editor and the
setup wizard, the window's size (without its frame); whether the editor's Save and Close
buttons and the returnee dialog's OK lie on the screen; whether the case list (its filters,
New case, the table's scroll bar) or any other area scrolls sideways; whether the case
editor's form (a case open, a new case) scrolls sideways or a tab's title is cut; the
widths of the Start page's person columns and of the Agreements list's columns.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QScrollArea,
    QTreeWidget,
    QWidget,
)


def _on_screen(widget: QWidget) -> bool:
    """Whether all of ``widget`` lies on its screen's available area."""
    screen = widget.screen().availableGeometry()
    corners = (widget.rect().topLeft(), widget.rect().bottomRight())
    return widget.isVisible() and all(screen.contains(widget.mapToGlobal(c)) for c in corners)


def _scrolling_sideways(area: QWidget) -> list[str]:
    """The scroll areas and tables shown in ``area`` that scroll sideways, by class and
    object name: Reports' page and Partners' table did so at 150 %, the window's own
    scroll area not."""
    return [
        f"{type(view).__name__} {view.objectName()}".strip()
        for view in area.findChildren(QAbstractScrollArea)
        if view.isVisible() and view.horizontalScrollBar().isVisible()
    ]


def _settle(app: QApplication, area: QWidget) -> None:
    """Once the area's list has its rows (the case list reads them off the GUI thread) and its
    columns fitted to them: a table's scroll bar follows its columns an event later."""
    model = getattr(getattr(area, "list_view", area), "model", None)
    deadline = time.monotonic() + 10
    while getattr(model, "loading", False) and time.monotonic() < deadline:
        app.processEvents()
    for _ in range(3):
        app.processEvents()


def _editor_faults(editor: Any) -> list[str]:
    """What an officer could not read in the case editor: its form scrolling sideways (the
    fields out of sight), a tab title cut."""
    faults = []
    if editor.form_scroll.horizontalScrollBar().isVisible():
        faults.append("form scrolls sideways")
    bar = editor.tabs.tabBar()
    if bar.width() < bar.sizeHint().width():
        faults.append("tab titles cut")
    return faults


def main(data_dir: str, language: str) -> dict[str, Any]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    settings = tempfile.mkdtemp(prefix="qorgau-probe-")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
    from app.config import Paths
    from app.services.cases import CaseService
    from app.services.installation import unlock
    from tests.conftest import PASSWORD
    from ui.app import make_application
    from ui.cases.area import CasesArea
    from ui.i18n_bridge import LanguageBridge
    from ui.main_window import MainWindow
    from ui.returnees.dialog import ReturneeDialog
    from ui.setup.wizard import SetupWizard

    app = make_application()
    bridge = LanguageBridge(app)
    bridge.set_language(language)
    # The head of section, as the screenshots: the Start page tells them of overdue cases.
    workspace = unlock(Paths(Path(data_dir)), "serik", PASSWORD)
    cases = CaseService(workspace)
    cases.escalate_overdue()  # as the app does after sign-in
    case = cases.list_cases()[0]  # of the demo cases on file
    window = MainWindow(workspace, bridge)
    window.show()
    window.move(0, 0)
    found: dict[str, Any] = {
        "screen": list(app.primaryScreen().availableGeometry().size().toTuple())
    }
    areas = window.findChild(QScrollArea, "areas")
    assert areas is not None
    sideways = []
    for key in window.area_keys():
        _settle(app, window.show_area(key))
        found[key] = list(window.size().toTuple())
        if areas.horizontalScrollBar().isVisible():
            sideways.append(key)
        sideways += [f"{key}: {view}" for view in _scrolling_sideways(window.area_widget(key))]
    found["areas that scroll sideways"] = sideways
    start = window.show_area("start")
    lists: list[QTreeWidget] = []
    deadline = time.monotonic() + 10
    while not lists and time.monotonic() < deadline:  # its lists are read off the GUI thread
        app.processEvents()
        lists = [t for t in start.findChildren(QTreeWidget) if t.isVisible()]
    found["start person columns"] = [t.columnWidth(1) for t in lists]
    library = window.show_area("agreements")
    app.processEvents()
    (titles,) = [t for t in library.findChildren(QTreeWidget) if t.isVisible()][:1]
    found["agreements columns"] = [titles.columnWidth(c) for c in range(titles.columnCount())]
    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    app.processEvents()
    area.open_case(case.id)
    app.processEvents()
    found["editor"] = list(window.size().toTuple())
    found["editor buttons"] = [
        _on_screen(b) for b in (area.editor.save_button, area.editor.close_button)
    ]
    found["editor faults"] = _editor_faults(area.editor)
    area.new_case()
    app.processEvents()
    found["new case faults"] = _editor_faults(area.editor)
    area.editor.dirty = False
    returnee = ReturneeDialog(window, workspace)  # the tallest form
    returnee.show()
    app.processEvents()
    found["returnee OK"] = _on_screen(returnee.ok_button())
    returnee.close()
    window.close()
    wizard = SetupWizard(Paths(Path(data_dir).parent / "new"), bridge)
    wizard.show()
    app.processEvents()
    found["setup wizard"] = list(wizard.size().toTuple())
    wizard.close()
    workspace.close()
    QApplication.processEvents()
    return found


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
