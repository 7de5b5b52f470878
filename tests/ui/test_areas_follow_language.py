"""Every area follows a language switch made in Settings.

The main window switches only its own texts; each area connects itself to the language
bridge. The Exchange, Contracts and Missions areas did not: switched in Settings, they
stayed in the language they were built in. Checked for every area, at a mission and at HQ:
no text a translation would change is still on screen after the switch.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from app.i18n import _
from app.services.workspace import Workspace
from tests.integration.test_exchange import Site, hq, sites  # noqa: F401
from ui.i18n_bridge import LanguageBridge
from ui.main_window import MainWindow


def _texts(page: QWidget) -> set[str]:
    """The texts a person reads on ``page``: labels, buttons, box titles, tabs, headings, and
    those read on pointing or by a screen reader: tooltips, window titles, accessible names,
    actions."""
    found: set[str] = set()
    for widget in [page, *page.findChildren(QWidget)]:
        found.update((widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()))
        if widget.isWindow():
            found.add(widget.windowTitle())
        for action in widget.actions():
            found.update((action.text(), action.toolTip(), action.statusTip()))
        if isinstance(widget, QPlainTextEdit | QTextEdit):
            found.add(widget.placeholderText())
        if isinstance(widget, QLabel | QAbstractButton):
            found.add(widget.text())
        elif isinstance(widget, QGroupBox):
            found.add(widget.title())
        elif isinstance(widget, QLineEdit):
            found.add(widget.placeholderText())
        elif isinstance(widget, QComboBox):
            found.update(widget.itemText(i) for i in range(widget.count()))
        elif isinstance(widget, QTabWidget):
            found.update(widget.tabText(i) for i in range(widget.count()))
            found.update(widget.tabToolTip(i) for i in range(widget.count()))
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            found.update(
                str(model.headerData(c, Qt.Orientation.Horizontal) or "")
                for c in range(model.columnCount())
            )
            found.update(  # the first rows' cells: labels of codes among them
                str(model.index(r, c).data() or "")
                for r in range(min(model.rowCount(), 20))
                for c in range(model.columnCount())
            )
    return {text.replace("&", "") for text in found if text}


def _still_in_english(window: MainWindow, bridge: LanguageBridge) -> dict[str, list[str]]:
    bridge.set_language("en")
    before = {key: _texts(window.show_area(key)) for key in window.area_keys()}
    bridge.set_language("ru")
    QCoreApplication.processEvents()  # the LanguageChange Qt posts to every window
    # Widgets an area replaced on the switch (an instrument's provision cards) are gone.
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    stale = {}
    for key, texts in before.items():
        now = _texts(window.show_area(key))
        left = sorted(t for t in texts if t in now and _(t) != t)
        if left:
            stale[key] = left
    return stale


def test_every_area_of_a_mission_follows_a_language_switch(
    make_window, ws: Workspace, bridge: LanguageBridge
) -> None:
    assert _still_in_english(make_window(ws), bridge) == {}


def test_every_area_of_hq_follows_a_language_switch(
    make_window,
    hq: Site,  # noqa: F811
    bridge: LanguageBridge,
) -> None:
    assert _still_in_english(make_window(hq.ws), bridge) == {}
