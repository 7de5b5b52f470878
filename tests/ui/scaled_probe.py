"""Run by tests/ui/test_display_scaling.py in a process of its own, started with
QT_SCALE_FACTOR and a screen of the office laptops' size (a scale factor must be set before
the QApplication exists): ``python -m tests.ui.scaled_probe DATA_DIR LANG``.

Prints one JSON object: the screen's available size; for each area, the case editor and the
setup wizard, the window's size (without its frame); whether the editor's Save and Close
buttons and the returnee dialog's OK lie on the screen; whether the case list (its filters,
New case, the table's scroll bar) or any other area scrolls sideways.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget


def _on_screen(widget: QWidget) -> bool:
    """Whether all of ``widget`` lies on its screen's available area."""
    screen = widget.screen().availableGeometry()
    corners = (widget.rect().topLeft(), widget.rect().bottomRight())
    return widget.isVisible() and all(screen.contains(widget.mapToGlobal(c)) for c in corners)


def main(data_dir: str, language: str) -> dict[str, Any]:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    settings = tempfile.mkdtemp(prefix="qorgau-probe-")
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings)
    from app.config import Paths
    from app.services.cases import CaseService
    from app.services.installation import unlock
    from tests.builders import new_case
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
    workspace = unlock(Paths(Path(data_dir)), "admin", PASSWORD)
    case = CaseService(workspace).create_case(new_case())
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
        window.show_area(key)
        app.processEvents()
        found[key] = list(window.size().toTuple())
        if areas.horizontalScrollBar().isVisible():
            sideways.append(key)
    found["areas that scroll sideways"] = sideways
    area = window.show_area("cases")
    assert isinstance(area, CasesArea)
    app.processEvents()
    area.open_case(case.id)
    app.processEvents()
    found["editor"] = list(window.size().toTuple())
    found["editor buttons"] = [
        _on_screen(b) for b in (area.editor.save_button, area.editor.close_button)
    ]
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
